import ClaimModel
import Engine
import Foundation
import Reports
@testable import RuleGraph
import Testing
import X12

/// The bad-input suite, claim part: claims that read (their structure is sound) but whose content is wrong. The
/// reader keeps them as written (DECISIONS §1); Rules/integrity.yaml reports each as an edit on the claim and line
/// where it is, with its denial. Every case also checks the good claims beside the bad one (`SuiteFile`).
@Suite("Bad input: claim content")
struct BadInputClaimTests {
    /// Scrubs the suite file with one change to the middle claim; the reader must have nothing to say.
    private func scrubBadClaim(_ file: SuiteFile, afterSegment: Int = 38,
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> ScrubReport {
        let (batch, report, _) = try Suite.scrub([("content.837", file.bytes)], sourceLocation: sourceLocation)
        #expect(batch.issues.isEmpty, "\(batch.issues)", sourceLocation: sourceLocation)
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "BAD-CLAIM", "GOOD-AFTER"], sourceLocation: sourceLocation)
        try expectGoodClaimsScrubbed(report, afterSegment: afterSegment, sourceLocation: sourceLocation)
        #expect(try report.entry("BAD-CLAIM", sourceLocation: sourceLocation).source?.segment == 28, sourceLocation: sourceLocation)
        return report
    }

    // MARK: No lines

    /// An 837P claim without loop 2400 reads, with no lines; with no date of service at all its claim rules are
    /// judged as of the day it is filed (BHT04), so INTEGRITY-NO-LINES fires on it.
    @Test func aProfessionalClaimWithNoLines() throws {
        let report = try scrubBadClaim(SuiteFile().removing([30, 31, 32]), afterSegment: 35)
        let middle = try report.entry("BAD-CLAIM")
        #expect(middle.lines.isEmpty)
        #expect(middle.edits.map(\.ruleID) == ["INTEGRITY-NO-LINES"])
        #expect(middle.edits.first?.line == nil)
        #expect(middle.notChecked.isEmpty)
    }

    /// An institutional claim with a statement period (DTP*434) and no lines: the claim has a date, and the rule fires.
    @Test func anInstitutionalClaimWithNoLines() throws {
        let json = """
            {"format": "claimscrub.claims", "version": 1, "claims": [
              {"type": "institutional", "id": "UB-NO-LINES", "totalCharge": 10000, "createdOn": "2024-02-01",
               "facilityTypeCode": "13", "frequencyCode": "1",
               "subscriber": {"memberID": "MEMBERD01", "name": {"last": "TESTSUBSCRIBERD"}},
               "patient": {"name": {"last": "TESTSUBSCRIBERD"}, "isSubscriber": true},
               "dates": [{"qualifier": "434", "date": {"from": "2024-01-02", "to": "2024-01-04"}}],
               "diagnoses": [{"code": "R079", "system": "ICD-10-CM", "role": "principal", "qualifier": "ABK"}]}]}
            """
        let (batch, report, paths) = try Suite.scrub([("no-lines.json", Array(json.utf8)), ("good.837", SuiteFile().bytes)])
        #expect(batch.issues.isEmpty && batch.inputErrors.isEmpty)
        let claim = try report.entry("UB-NO-LINES")
        #expect(claim.source?.file == paths[0])
        #expect(claim.edits.map(EditKey.init) == [
            EditKey("INTEGRITY-NO-LINES", line: nil, carc: "CO-16", rarc: ["MA130"], "Claim UB-NO-LINES has no service lines"),
        ])
        #expect(claim.status == "error")
        #expect(report.claims.map(\.claimId) == ["UB-NO-LINES", "GOOD-BEFORE", "BAD-CLAIM", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report)
    }

    // MARK: Diagnosis pointers

    @Test func aPointerPastTheClaimsDiagnoses() throws {
        let report = try scrubBadClaim(SuiteFile().replacing(31, with: "SV1*HC:99211*60*UN*1***1:3"))
        #expect(try report.integrityEdits("BAD-CLAIM") == [
            EditKey("INTEGRITY-POINTER-MISSING", line: 1, carc: "CO-16", rarc: ["M76"],
                    "Line 1 (99211) points at diagnosis 3; the claim has 1 diagnoses"),
        ])
        #expect(try report.entry("BAD-CLAIM").status == "error")
    }

    @Test func aPointerOfZero() throws {
        let report = try scrubBadClaim(SuiteFile().replacing(31, with: "SV1*HC:99211*60*UN*1***0"))
        #expect(try report.integrityEdits("BAD-CLAIM") == [
            EditKey("INTEGRITY-POINTER-MISSING", line: 1, carc: "CO-16", rarc: ["M76"],
                    "Line 1 (99211) points at diagnosis 0; the claim has 1 diagnoses"),
        ])
    }

    // MARK: Units

    @Test func zeroUnits() throws {
        let report = try scrubBadClaim(SuiteFile().replacing(31, with: "SV1*HC:99211*60*UN*0***1"))
        #expect(try report.integrityEdits("BAD-CLAIM") == [
            EditKey("INTEGRITY-UNITS", line: 1, carc: "CO-16", rarc: ["M53"], "Line 1 (99211) bills 0 units"),
        ])
    }

    @Test func negativeUnits() throws {
        let report = try scrubBadClaim(SuiteFile().replacing(31, with: "SV1*HC:99211*60*UN*-2***1"))
        #expect(try report.integrityEdits("BAD-CLAIM") == [
            EditKey("INTEGRITY-UNITS", line: 1, carc: "CO-16", rarc: ["M53"], "Line 1 (99211) bills -2 units"),
        ])
        #expect(try report.entry("BAD-CLAIM").lines.first?.units == -2)
    }

    /// Units that are not a number are the reader's to report (the value is kept as written); no units rule fires on
    /// a value that is not there.
    @Test func unitsThatAreNotANumber() throws {
        let (batch, report, _) = try Suite.scrub([("units.837", SuiteFile().replacing(31, with: "SV1*HC:99211*60*UN*1X***1").bytes)])
        #expect(batch.issues.map(Located.init) == [Located("X12-QUANTITY", .warning, 31, "SV1", element: 4, claim: "BAD-CLAIM")])
        #expect(batch.claims.first { $0.id == "BAD-CLAIM" }?.lines.first?.units?.unparsedText == "1X")
        #expect(try report.integrityEdits("BAD-CLAIM").isEmpty)
        #expect(try report.entry("BAD-CLAIM").edits.map(\.message) == ["BAD-CLAIM line 1: 99211 $60 x(none) on 2024-01-11 for MEMBERB01"])
        try expectGoodClaimsScrubbed(report)
    }

    // MARK: Dates of service

    /// Today is the file's creation date (BHT04 2024-02-01), as `scrub` takes it without `--today`.
    @Test func aDateOfServiceInTheFuture() throws {
        let report = try scrubBadClaim(SuiteFile().replacing(32, with: "DTP*472*D8*20240301"))
        #expect(try report.integrityEdits("BAD-CLAIM") == [
            EditKey("INTEGRITY-FUTURE-DATE", line: 1, carc: "CO-16", rarc: ["M52"],
                    "Line 1 (99211) is for a service on 2024-03-01 (through 2024-03-01), after the filing day 2024-02-01"),
        ])
    }

    @Test func aServicePeriodThatEndsInTheFuture() throws {
        let report = try scrubBadClaim(SuiteFile().replacing(32, with: "DTP*472*RD8*20240125-20240205"))
        #expect(try report.integrityEdits("BAD-CLAIM") == [
            EditKey("INTEGRITY-FUTURE-DATE", line: 1, carc: "CO-16", rarc: ["M52"],
                    "Line 1 (99211) is for a service on 2024-01-25 (through 2024-02-05), after the filing day 2024-02-01"),
        ])
    }

    /// With `--today` after the date of service, the same line is not in the future.
    @Test func aDateAfterTheFileButBeforeTodayIsNotInTheFuture() throws {
        let paths = try Suite.write([("content.837", SuiteFile().replacing(32, with: "DTP*472*D8*20240301").bytes)])
        let batch = ClaimInput.read(paths)
        let today = try #require(CalendarDate("2024-03-15"))
        let report = try Suite.scrubber().scrub(batch, context: EvaluationContext(today: today))
        #expect(try report.integrityEdits("BAD-CLAIM").isEmpty)
        #expect(report.today == "2024-03-15")
        try expectGoodClaimsScrubbed(report)
    }

    @Test func aDateOfServiceBeforeThePatientWasBorn() throws {
        let report = try scrubBadClaim(SuiteFile().replacing(26, with: "DMG*D8*20240115*M"))
        #expect(try report.integrityEdits("BAD-CLAIM") == [
            EditKey("INTEGRITY-BEFORE-BIRTH", line: 1, carc: "CO-14", rarc: ["N329"],
                    "Line 1 (99211) has date of service 2024-01-11, before the patient's birth date 2024-01-15"),
        ])
    }
}
