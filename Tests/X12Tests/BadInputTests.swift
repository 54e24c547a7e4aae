import ClaimModel
import Foundation
import Testing
@testable import X12

/// Files with one thing wrong (Fixtures/bad, see Fixtures/README.md), each with good claims beside the bad one.
/// Every case pins the exact issues (code, severity, segment number and id, element, claim) and checks that the
/// good claims come out with their values; for content problems, that the bad claim comes out too, with the value
/// kept as written (DECISIONS.md §1). Segment numbers are the fixtures' line numbers (one segment per line).
@Suite("Bad input")
struct BadInputTests {
    /// The good claim before the bad one in most fixtures (HL 2, subscriber A).
    private func expectGoodBefore(_ claims: [Claim], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let claim = try claims.claim("GOOD-BEFORE", sourceLocation: sourceLocation)
        #expect(claim.totalCharge == cents(10_000), sourceLocation: sourceLocation)
        #expect(claim.subscriber.name == PersonName(last: "TESTSUBSCRIBERA", first: "ANN"), sourceLocation: sourceLocation)
        #expect(claim.subscriber.memberID == "MEMBERA01", sourceLocation: sourceLocation)
        #expect(claim.diagnoses.map(\.code) == ["J069", "R509"], sourceLocation: sourceLocation)
        #expect(claim.lines.count == 1, sourceLocation: sourceLocation)
        #expect(claim.lines.first?.procedureCode == ProcedureCode("99213"), sourceLocation: sourceLocation)
        #expect(claim.lines.first?.charge == cents(10_000), sourceLocation: sourceLocation)
        #expect(claim.lines.first?.serviceDate == (try d8("20240110")), sourceLocation: sourceLocation)
        #expect(claim.billingProvider?.npi == NPI("1234567893"), sourceLocation: sourceLocation)
        #expect(claim.source?.segment == 21, sourceLocation: sourceLocation)
    }

    /// The good claim after the bad one (HL 4, subscriber C).
    private func expectGoodAfter(_ claims: [Claim], segment: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let claim = try claims.claim("GOOD-AFTER", sourceLocation: sourceLocation)
        #expect(claim.totalCharge == cents(8_000), sourceLocation: sourceLocation)
        #expect(claim.subscriber.name == PersonName(last: "TESTSUBSCRIBERC", first: "CARA"), sourceLocation: sourceLocation)
        #expect(claim.subscriber.memberID == "MEMBERC01", sourceLocation: sourceLocation)
        #expect(claim.patient.isSubscriber, sourceLocation: sourceLocation)
        #expect(claim.diagnoses.map(\.code) == ["R051"], sourceLocation: sourceLocation)
        #expect(claim.lines.map { $0.procedureCode?.text } == ["99212"], sourceLocation: sourceLocation)
        #expect(claim.lines.first?.serviceDate == (try d8("20240112")), sourceLocation: sourceLocation)
        #expect(claim.source?.segment == segment, sourceLocation: sourceLocation)
    }

    // MARK: Truncation

    @Test func fileCutInsideASegment() throws {
        let (claims, issues, path) = try readFixture("bad/truncated-mid-segment.837")
        #expect(issues.keys == [
            IssueKey("X12-TRUNCATED", .error, segment: 36, "SV1", claim: "CUT-CLAIM"),
            IssueKey("X12-SE-MISSING", .warning, segment: 36, "SV1"),
            IssueKey("X12-GE-MISSING", .warning, segment: 36, "SV1"),
            IssueKey("X12-IEA-MISSING", .warning, segment: 36, "SV1"),
        ])
        #expect(issues.allSatisfy { $0.location.file == path })
        #expect(issues.first?.message.contains("'SV1*HC:992'") == true)
        #expect(claims.map(\.id) == ["GOOD-BEFORE"])
        try expectGoodBefore(claims)
    }

    @Test func fileCutAtASegmentBoundaryInsideAClaim() throws {
        let (claims, issues, _) = try readFixture("bad/truncated-at-segment-boundary.837")
        #expect(issues.keys == [
            IssueKey("X12-TRUNCATED", .error, segment: 36, "SV1", claim: "CUT-CLAIM"),
            IssueKey("X12-SE-MISSING", .warning, segment: 36, "SV1"),
            IssueKey("X12-GE-MISSING", .warning, segment: 36, "SV1"),
            IssueKey("X12-IEA-MISSING", .warning, segment: 36, "SV1"),
        ])
        #expect(claims.map(\.id) == ["GOOD-BEFORE"])
        try expectGoodBefore(claims)
    }

    // MARK: Byte order mark

    @Test func aByteOrderMarkBeforeTheISAIsSkippedWithAWarning() throws {
        let plain = try fixtureBytes("bad/isa-105-wide.837")
        let expected = X12Reader(bytes: plain, name: "plain.837").map(\.id)
        let reader = X12Reader(bytes: [0xEF, 0xBB, 0xBF] + plain, name: "bom.837")
        let claims = Array(reader)
        #expect(claims.map(\.id) == expected)
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "MIDDLE", "GOOD-AFTER"])
        #expect(reader.issues.map(\.code) == ["X12-BOM", "X12-ISA-WIDTH"])
        #expect(reader.issues.first?.severity == .warning)
    }

    // MARK: ISA width

    @Test func isa105Wide() throws {
        let (claims, issues, _) = try readFixture("bad/isa-105-wide.837")
        #expect(issues.keys == [IssueKey("X12-ISA-WIDTH", .warning, segment: 1, "ISA")])
        #expect(issues.first?.message.contains("105 characters") == true)
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "MIDDLE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        try expectGoodAfter(claims, segment: 45)
        #expect(try claims.claim("MIDDLE").source?.interchangeControlNumber == "000000302")
    }

    @Test func isa107WideWithItsOwnComponentSeparator() throws {
        let (claims, issues, _) = try readFixture("bad/isa-107-wide-component-gt.837")
        #expect(issues.keys == [IssueKey("X12-ISA-WIDTH", .warning, segment: 1, "ISA")])
        #expect(issues.first?.message.contains("107 characters") == true)
        #expect(issues.first?.message.contains("component '>'") == true)
        // The delimiters come from the ISA's elements: '>' splits CLM05, HI and SV101.
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "MIDDLE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        try expectGoodAfter(claims, segment: 45)
        let middle = try claims.claim("MIDDLE")
        #expect(middle.placeOfService == "11")
        #expect(middle.facilityCodeQualifier == "B")
        #expect(middle.frequencyCode == "1")
        #expect(middle.lines.first?.procedureCode == ProcedureCode("99211"))
        #expect(middle.source?.interchangeControlNumber == "000000303")
    }

    // MARK: Envelope trailers: warnings, the claims still produced

    private func expectBothTransactions(_ claims: [Claim], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(claims.map(\.id) == ["TXN1-CLAIM", "TXN2-CLAIM"], sourceLocation: sourceLocation)
        let first = try claims.claim("TXN1-CLAIM", sourceLocation: sourceLocation)
        #expect(first.totalCharge == cents(10_000), sourceLocation: sourceLocation)
        #expect(first.subscriber.name?.last == "TESTSUBSCRIBERA", sourceLocation: sourceLocation)
        #expect(first.source?.transactionControlNumber == "0001", sourceLocation: sourceLocation)
        #expect(first.lines.first?.procedureCode == ProcedureCode("99213"), sourceLocation: sourceLocation)
        let second = try claims.claim("TXN2-CLAIM", sourceLocation: sourceLocation)
        #expect(second.totalCharge == cents(6_000), sourceLocation: sourceLocation)
        #expect(second.subscriber.name?.last == "TESTSUBSCRIBERB", sourceLocation: sourceLocation)
        #expect(second.subscriber.sex == "M", sourceLocation: sourceLocation)
        #expect(second.source?.transactionControlNumber == "0002", sourceLocation: sourceLocation)
        #expect(second.lines.first?.procedureCode == ProcedureCode("99211"), sourceLocation: sourceLocation)
        #expect(second.createdOn == CalendarDate(year: 2024, month: 1, day: 5), sourceLocation: sourceLocation)
    }

    @Test func missingSE() throws {
        let (claims, issues, _) = try readFixture("bad/se-missing.837")
        // Noticed at the next ST (segment 26).
        #expect(issues.keys == [IssueKey("X12-SE-MISSING", .warning, segment: 26, "ST")])
        #expect(issues.first?.message.contains("transaction set 0001 (ST at segment 3)") == true)
        try expectBothTransactions(claims)
        #expect(claims.last?.source?.segment == 44)
    }

    @Test func seCountMismatch() throws {
        let (claims, issues, _) = try readFixture("bad/se-count-mismatch.837")
        #expect(issues.keys == [IssueKey("X12-SE-COUNT", .warning, segment: 26, "SE", element: 1)])
        #expect(issues.first?.location.reference == "SE01")
        #expect(issues.first?.message == "SE01 says 27 segments; the transaction set has 24 (ST to SE)")
        try expectBothTransactions(claims)
    }

    @Test func seControlNumberMismatch() throws {
        let (claims, issues, _) = try readFixture("bad/se-control-mismatch.837")
        #expect(issues.keys == [IssueKey("X12-SE-CONTROL", .warning, segment: 26, "SE", element: 2)])
        #expect(issues.first?.location.reference == "SE02")
        #expect(issues.first?.message.contains("'0099'") == true)
        try expectBothTransactions(claims)
    }

    @Test func geCountAndControlMismatch() throws {
        let (claims, issues, _) = try readFixture("bad/ge-count-and-control-mismatch.837")
        #expect(issues.keys == [
            IssueKey("X12-GE-COUNT", .warning, segment: 51, "GE", element: 1),
            IssueKey("X12-GE-CONTROL", .warning, segment: 51, "GE", element: 2),
        ])
        #expect(issues.map(\.location.reference) == ["GE01", "GE02"])
        #expect(issues.first?.message == "GE01 says 3 transaction sets; the group has 2")
        try expectBothTransactions(claims)
    }

    @Test func ieaCountAndControlMismatch() throws {
        let (claims, issues, _) = try readFixture("bad/iea-count-and-control-mismatch.837")
        #expect(issues.keys == [
            IssueKey("X12-IEA-COUNT", .warning, segment: 52, "IEA", element: 1),
            IssueKey("X12-IEA-CONTROL", .warning, segment: 52, "IEA", element: 2),
        ])
        #expect(issues.map(\.location.reference) == ["IEA01", "IEA02"])
        #expect(issues.last?.message.contains("'000000999'") == true)
        try expectBothTransactions(claims)
    }

    @Test func missingIEA() throws {
        let (claims, issues, _) = try readFixture("bad/iea-missing.837")
        // The file ends after the GE (segment 51): that is where the IEA is missing.
        #expect(issues.keys == [IssueKey("X12-IEA-MISSING", .warning, segment: 51, "GE")])
        #expect(issues.first?.message.contains("interchange 000000309") == true)
        try expectBothTransactions(claims)
    }

    // MARK: Content problems: warnings, every claim kept

    @Test func unknownSegmentsInsideLoops2300And2400() throws {
        let (claims, issues, _) = try readFixture("bad/unknown-segments-in-2300-and-2400.837")
        #expect(issues.keys == [
            IssueKey("X12-SEGMENT-UNKNOWN", .warning, segment: 22, "ZZZ", claim: "UNKNOWN-IN-2300"),
            IssueKey("X12-SEGMENT-UNKNOWN", .warning, segment: 31, "QQ1", claim: "UNKNOWN-IN-2400"),
        ])
        #expect(issues.first?.message.contains("loop 2300") == true)
        #expect(issues.last?.message.contains("loop 2400") == true)
        #expect(claims.map(\.id) == ["UNKNOWN-IN-2300", "UNKNOWN-IN-2400", "GOOD-AFTER"])
        // What follows the unknown segment is still read into its loop.
        let in2300 = try claims.claim("UNKNOWN-IN-2300")
        #expect(in2300.diagnoses.map(\.code) == ["J069"])
        #expect(in2300.lines.map(\.charge) == [cents(10_000)])
        let in2400 = try claims.claim("UNKNOWN-IN-2400")
        #expect(in2400.lines.count == 1)
        #expect(in2400.lines.first?.serviceDate == (try d8("20240111")))
        #expect(in2400.lines.first?.lineControlNumber == "LINE-AFTER-UNKNOWN")
        let good = try claims.claim("GOOD-AFTER")
        #expect(good.totalCharge == cents(8_000))
        #expect(good.lines.first?.serviceDate == (try d8("20240112")))
    }

    @Test func npiCheckDigitsOfBillingRenderingAndReferring() throws {
        let (claims, issues, _) = try readFixture("bad/npi-check-digit-billing-rendering-referring.837")
        #expect(issues.keys == [
            IssueKey("X12-NPI", .warning, segment: 10, "NM1", element: 9),
            IssueKey("X12-NPI", .warning, segment: 41, "NM1", element: 9, claim: "BAD-RENDERING"),
            IssueKey("X12-NPI", .warning, segment: 51, "NM1", element: 9, claim: "BAD-REFERRING"),
        ])
        #expect(issues.map(\.location.reference) == ["NM109", "NM109", "NM109"])
        #expect(issues.map { $0.message.contains("billing") } == [true, false, false])
        #expect(claims.map(\.id) == ["UNDER-BAD-BILLING", "BAD-RENDERING", "BAD-REFERRING", "GOOD-NPIS"])

        let underBadBilling = try claims.claim("UNDER-BAD-BILLING")
        #expect(underBadBilling.billingProvider?.npi == NPI("1234567890"))
        #expect(underBadBilling.billingProvider?.npi?.isValid == false)
        #expect(underBadBilling.billingProvider?.name.last == "TEST BAD NPI CLINIC")
        #expect(underBadBilling.totalCharge == cents(10_000))

        let badRendering = try claims.claim("BAD-RENDERING")
        #expect(badRendering.renderingProvider?.npi == NPI("1222222221"))
        #expect(badRendering.renderingProvider?.npi?.isValid == false)
        #expect(badRendering.renderingProvider?.taxonomy == "207Q00000X")
        #expect(badRendering.billingProvider?.npi?.isValid == true)

        let badReferring = try claims.claim("BAD-REFERRING")
        let line = try #require(badReferring.lines.first)
        #expect(line.referringProvider?.npi == NPI("1111111111"))
        #expect(line.referringProvider?.npi?.isValid == false)
        #expect(line.referringProvider?.name == PersonName(last: "TESTLINEREFER", first: "ED"))
        #expect(badReferring.referringProvider == nil)

        let good = try claims.claim("GOOD-NPIS")
        #expect(good.referringProvider?.npi == NPI("1111111112"))
        #expect(good.renderingProvider?.npi == NPI("1222222220"))
        #expect(good.referringProvider?.npi?.isValid == true && good.renderingProvider?.npi?.isValid == true)
        #expect(good.billingProvider?.name.last == "TEST GOOD NPI CLINIC")
        #expect(good.billingProvider?.npi?.isValid == true)
    }

    @Test func nonNumericChargesAndUnits() throws {
        let (claims, issues, _) = try readFixture("bad/non-numeric-charge-and-units.837")
        #expect(issues.keys == [
            IssueKey("X12-AMOUNT", .warning, segment: 21, "CLM", element: 2, claim: "CLM02-NOT-NUMERIC"),
            IssueKey("X12-AMOUNT", .warning, segment: 29, "SV1", element: 2, claim: "SV102-NOT-NUMERIC"),
            IssueKey("X12-QUANTITY", .warning, segment: 34, "SV1", element: 4, claim: "SV104-NOT-NUMERIC"),
        ])
        #expect(issues.map(\.location.reference) == ["CLM02", "SV102", "SV104"])
        #expect(claims.map(\.id) == ["CLM02-NOT-NUMERIC", "SV102-NOT-NUMERIC", "SV104-NOT-NUMERIC", "GOOD-AMOUNTS"])

        let badTotal = try claims.claim("CLM02-NOT-NUMERIC")
        #expect(badTotal.totalCharge.cents == nil)
        #expect(badTotal.totalCharge.unparsedText == "12A")
        #expect(badTotal.lines.first?.charge == cents(1_200))

        let badLine = try claims.claim("SV102-NOT-NUMERIC")
        #expect(badLine.totalCharge == cents(4_000))
        #expect(badLine.lines.first?.charge.cents == nil)
        #expect(badLine.lines.first?.charge.unparsedText == "4O.00")
        #expect(badLine.lineChargeTotal == nil)
        #expect(badLine.lines.first?.procedureCode == ProcedureCode("99212"))

        let badUnits = try claims.claim("SV104-NOT-NUMERIC")
        #expect(badUnits.lines.first?.units?.thousandths == nil)
        #expect(badUnits.lines.first?.units?.unparsedText == "1X")
        #expect(badUnits.lines.first?.charge == cents(3_000))

        let good = try claims.claim("GOOD-AMOUNTS")
        #expect(good.totalCharge == cents(5_525))
        #expect(good.lines.first?.charge == cents(5_525))
        #expect(good.lines.first?.units == units(1_000))
    }

    @Test func datesWithMonth13InDMGAndDTP() throws {
        let (claims, issues, _) = try readFixture("bad/invalid-dates-month-13.837")
        #expect(issues.keys == [
            IssueKey("X12-DATE", .warning, segment: 19, "DMG", element: 2),
            IssueKey("X12-DATE", .warning, segment: 34, "DTP", element: 3, claim: "DTP-MONTH-13"),
            IssueKey("X12-DATE", .warning, segment: 38, "DTP", element: 3, claim: "DTP-MONTH-13"),
        ])
        #expect(issues.map(\.location.reference) == ["DMG02", "DTP03", "DTP03"])
        #expect(claims.map(\.id) == ["DMG-MONTH-13", "DTP-MONTH-13", "GOOD-DATES"])

        let badBirth = try claims.claim("DMG-MONTH-13")
        #expect(badBirth.subscriber.birthDate == DateOrRange(unparsed: "19801301"))
        #expect(badBirth.patient.birthDate == DateOrRange(unparsed: "19801301"))
        #expect(badBirth.lines.first?.serviceDate == (try d8("20240110")))

        let badDates = try claims.claim("DTP-MONTH-13")
        #expect(badDates.dates == [QualifiedDate(qualifier: "431", date: DateOrRange(unparsed: "20231301"))])
        #expect(badDates.lines.first?.serviceDate == DateOrRange(unparsed: "20241301"))
        #expect(badDates.lines.first?.serviceDate?.isValid == false)
        #expect(badDates.subscriber.birthDate == (try d8("19800115")))

        let good = try claims.claim("GOOD-DATES")
        #expect(good.dates == [QualifiedDate(qualifier: "431", date: try d8("20240101"))])
        #expect(good.lines.first?.serviceDate == (try d8("20240112")))
    }

    // MARK: Structure problems: errors, the bad claim left out, the rest read

    @Test func hlWithAMissingParent() throws {
        let (claims, issues, _) = try readFixture("bad/hl-missing-parent.837")
        #expect(issues.keys == [
            IssueKey("X12-HL-PARENT", .error, segment: 26, "HL", element: 2),
            IssueKey("X12-HL-PARENT", .error, segment: 33, "CLM", claim: "ORPHAN-SUBSCRIBER"),
            IssueKey("X12-HL-PARENT", .error, segment: 45, "HL", element: 2),
            IssueKey("X12-HL-PARENT", .error, segment: 51, "CLM", claim: "ORPHAN-PATIENT"),
        ])
        #expect(issues[0].message.contains("names parent HL 9"))
        #expect(issues[2].message.contains("patient HL 5 names parent HL 2"))
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        let after = try claims.claim("GOOD-AFTER")
        #expect(after.subscriber.name == PersonName(last: "TESTSUBSCRIBERD", first: "DAN"))
        #expect(after.patient.isSubscriber)
        #expect(after.totalCharge == cents(8_000))
        #expect(after.source?.segment == 63)
    }

    @Test func lxOutsideAnyClaim() throws {
        let (claims, issues, _) = try readFixture("bad/lx-outside-any-claim.837")
        // One line left out, one error (its SV1 and DTP are part of the same line).
        #expect(issues.keys == [IssueKey("X12-LOOP-ORDER", .error, segment: 33, "LX")])
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        try expectGoodAfter(claims, segment: 43)
    }

    @Test func sv1WithoutLX() throws {
        let (claims, issues, _) = try readFixture("bad/sv1-without-lx.837")
        #expect(issues.keys == [IssueKey("X12-LOOP-ORDER", .error, segment: 35, "SV1", claim: "SV1-WITHOUT-LX")])
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        try expectGoodAfter(claims, segment: 44)
    }

    /// Binary bytes where a segment should be: the reader cannot tell them from a damaged segment of the claim
    /// being read, so that claim is left out (an error naming it); the claims before and after are read, and the
    /// bytes count as one segment, so SE01 is one short.
    @Test func garbageBytesAsTheirOwnSegmentBetweenClaims() throws {
        let (claims, issues, _) = try readFixture("bad/garbage-bytes-own-segment-between-claims.837")
        #expect(issues.keys == [
            IssueKey("X12-SEGMENT-ID", .error, segment: 38, "", claim: "BEFORE-GARBAGE"),
            IssueKey("X12-SE-COUNT", .warning, segment: 51, "SE", element: 1),
        ])
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        try expectGoodAfter(claims, segment: 46)
    }

    /// The same bytes with no terminator of their own, glued to the next HL: the HL is still read, so the claim
    /// after them is the next subscriber's, not the previous one's.
    @Test func garbageBytesGluedToTheNextHL() throws {
        let (claims, issues, _) = try readFixture("bad/garbage-bytes-glued-to-next-hl.837")
        #expect(issues.keys == [
            IssueKey("X12-SEGMENT-ID", .error, segment: 38, "", claim: "BEFORE-GARBAGE"),
            IssueKey("X12-SE-COUNT", .warning, segment: 51, "SE", element: 1),
        ])
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        try expectGoodAfter(claims, segment: 46)
        #expect(try claims.claim("GOOD-AFTER").otherCoverage.isEmpty)
    }

    @Test func emptyFile() throws {
        let (claims, issues, path) = try readFixture("bad/empty.837")
        #expect(try fixtureBytes("bad/empty.837").isEmpty)
        #expect(issues.keys == [IssueKey("X12-EMPTY", .error, segment: 0, "")])
        #expect(issues.first?.location.file == path)
        #expect(claims.isEmpty)
    }

    @Test func segmentOverTheLengthLimit() throws {
        let file = "bad/segment-over-length-limit.837"
        let (claims, issues, _) = try readFixture(file, limits: X12Reader.Limits(maxSegmentLength: 200))
        #expect(issues.keys == [IssueKey("X12-SEGMENT-LENGTH", .error, segment: 34, "NTE", claim: "LONG-SEGMENT")])
        #expect(issues.first?.message.contains("308 bytes") == true)
        #expect(issues.first?.message.contains("limit of 200 bytes") == true)
        #expect(claims.map(\.id) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodBefore(claims)
        try expectGoodAfter(claims, segment: 46)

        // Under the default limit the same file reads whole, the long note kept as written.
        let whole = try readFixture(file)
        #expect(whole.issues.isEmpty, "\(whole.issues)")
        #expect(whole.claims.map(\.id) == ["GOOD-BEFORE", "LONG-SEGMENT", "GOOD-AFTER"])
        #expect(try whole.claims.claim("LONG-SEGMENT").notes == [
            Note(reference: "ADD", text: String(repeating: "LONG NOTE ", count: 30)),
        ])
    }

    /// A segment over a small limit: the message quotes the segment's own bytes, never what lies past it.
    @Test func overLimitPreviewStaysInsideTheSegment() throws {
        let reader = X12Reader(text: "ST*837*0001~NTE*ADD*ABCDEFGHIJ~SE*3*0001~", name: "short.837",
                               limits: X12Reader.Limits(maxSegmentLength: 12))
        #expect(Array(reader).isEmpty)
        let issue = try #require(reader.issues.with(code: "X12-SEGMENT-LENGTH").first)
        #expect(IssueKey(issue) == IssueKey("X12-SEGMENT-LENGTH", .error, segment: 2, "NTE"))
        #expect(issue.message.contains("starting 'NTE*ADD*ABCDEFGHIJ';"), "\(issue.message)")
    }

    /// A file that starts at GS: the warnings name segment 1 by its own id, and the claim is read.
    @Test func fileWithoutISA() throws {
        let lines = String(decoding: try fixtureBytes("837p/icd9-diagnosis-qualifiers.837"), as: UTF8.self)
            .split(separator: "\n")
        try #require(lines.first?.hasPrefix("ISA*") == true && lines.last?.hasPrefix("IEA*") == true)
        let (claims, issues) = read(text: lines.dropFirst().dropLast().joined(separator: "\n") + "\n", name: "no-isa.837")
        #expect(issues.keys == [
            IssueKey("X12-NO-ISA", .warning, segment: 1, "GS"),
            IssueKey("X12-ISA-MISSING", .warning, segment: 1, "GS"),
        ])
        #expect(issues.allSatisfy { $0.location.file == "no-isa.837" })
        let claim = try #require(claims.first)
        #expect(claims.count == 1)
        #expect(claim.id == "ICD9-CLAIM")
        #expect(claim.source?.segment == 20)
        #expect(claim.source?.interchangeControlNumber == nil)
        #expect(claim.diagnoses.map(\.code) == ["4011", "25000", "V7389"])
        #expect(claim.totalCharge == cents(8_500))
    }

    @Test func an835TransactionInsideAn837Interchange() throws {
        let (claims, issues, _) = try readFixture("bad/835-transaction-inside-837-interchange.837")
        #expect(issues.keys == [IssueKey("X12-NOT-837", .warning, segment: 29, "ST", element: 1)])
        #expect(issues.first?.location.reference == "ST01")
        #expect(issues.first?.message.contains("835") == true)
        #expect(claims.map(\.id) == ["BEFORE-835", "AFTER-835"])
        let before = try claims.claim("BEFORE-835")
        #expect(before.totalCharge == cents(10_000))
        #expect(before.subscriber.name?.last == "TESTSUBSCRIBERA")
        #expect(before.source?.transactionControlNumber == "0001")
        #expect(before.lines.map { $0.procedureCode?.text } == ["99213"])
        // Nothing of the 835 (its CLP, SVC, NM1*QC) reaches the next 837 claim.
        let after = try claims.claim("AFTER-835")
        #expect(after.totalCharge == cents(6_000))
        #expect(after.subscriber.name == PersonName(last: "TESTSUBSCRIBERB", first: "BEN"))
        #expect(after.patient.isSubscriber)
        #expect(after.source?.transactionControlNumber == "0002")
        #expect(after.source?.segment == 60)
        #expect(after.lines.map { $0.procedureCode?.text } == ["99211"])
    }

    // MARK: Every bad file

    /// Each claim of a bad file is either read or named by exactly one error; an error's claim is never among
    /// those read and a warning's claim always is (error = left out, warning = kept).
    @Test(arguments: [
        "bad/835-transaction-inside-837-interchange.837", "bad/empty.837", "bad/garbage-bytes-glued-to-next-hl.837",
        "bad/garbage-bytes-own-segment-between-claims.837", "bad/ge-count-and-control-mismatch.837",
        "bad/hl-missing-parent.837", "bad/iea-count-and-control-mismatch.837", "bad/iea-missing.837",
        "bad/invalid-dates-month-13.837", "bad/isa-105-wide.837", "bad/isa-107-wide-component-gt.837",
        "bad/lx-outside-any-claim.837", "bad/non-numeric-charge-and-units.837",
        "bad/npi-check-digit-billing-rendering-referring.837", "bad/se-control-mismatch.837",
        "bad/se-count-mismatch.837", "bad/se-missing.837", "bad/segment-over-length-limit.837",
        "bad/sv1-without-lx.837", "bad/truncated-at-segment-boundary.837", "bad/truncated-mid-segment.837",
        "bad/unknown-segments-in-2300-and-2400.837",
    ])
    func everyClaimIsReadOrNamedByOneError(file: String) throws {
        let limits = file.contains("over-length") ? X12Reader.Limits(maxSegmentLength: 200) : X12Reader.Limits()
        let (claims, issues, _) = try readFixture(file, limits: limits)
        let text = String(decoding: try fixtureBytes(file), as: UTF8.self)
        let clmIDs = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("CLM*") else { return nil }
            return line.split(separator: "*", omittingEmptySubsequences: false).dropFirst().first.map(String.init)
        }
        let read = Set(claims.map(\.id))
        let leftOut = issues.errors.compactMap(\.claimID)
        #expect(claims.count + leftOut.count == clmIDs.count, "\(claims.map(\.id)) read, \(leftOut) left out, CLM \(clmIDs)")
        #expect(read.union(leftOut) == Set(clmIDs))
        #expect(Set(leftOut).count == leftOut.count)
        #expect(Set(leftOut).isDisjoint(with: read))
        #expect(issues.filter { $0.severity == .warning }.compactMap(\.claimID).allSatisfy(read.contains))
    }
}
