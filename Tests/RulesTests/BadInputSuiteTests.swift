import ClaimModel
import Engine
import Foundation
import Reports
import RuleGraph
import Testing
import X12

/// The bad-input suite, X12 part: one fault per file (`SuiteFile`, see BadInputSuiteSupport.swift), each case
/// pinning every issue the reader reports (code, severity, segment number, segment id, element, claim) and
/// scrubbing the batch with Rules/integrity.yaml and the echo pack, to show that the good claims in the same
/// batch come out with their values and edits. Claim-content cases are in BadInputClaimTests.swift, rule files
/// in BadInputRuleFileTests.swift.
@Suite("Bad input: X12 files")
struct BadInputSuiteTests {
    let good = ("good.837", SuiteFile().bytes)

    private func issues(_ batch: ClaimBatch) -> [Located] { batch.issues.map(Located.init) }

    @Test func theSuiteFileReadsCleanly() throws {
        let file = SuiteFile()
        let isa = try #require(file.segments.first)
        #expect(isa.count + 1 == 106)  // with its terminator
        #expect(file.segments.count == 45)
        let (batch, report, _) = try Suite.scrub([("suite.837", file.bytes)])
        #expect(batch.issues.isEmpty, "\(batch.issues)")
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "BAD-CLAIM", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report)
        let middle = try report.entry("BAD-CLAIM")
        #expect(middle.source?.segment == 28)
        #expect(middle.edits.map(EditKey.init) == [EditKey("SUITE-LINE", line: 1, "BAD-CLAIM line 1: 99211 $60 x1 on 2024-01-11 for MEMBERB01")])
    }

    // MARK: Files that hold no claim at all

    @Test func aZeroByteFile() throws {
        let (batch, report, paths) = try Suite.scrub([("empty.837", []), good])
        #expect(issues(batch) == [Located("X12-EMPTY", .error, 0, "")])
        #expect(batch.issues.first?.location.file == paths[0])
        #expect(report.readErrors.map(\.file) == [paths[0]])
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "BAD-CLAIM", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report)
    }

    @Test func aFileOfBlankLines() throws {
        let (batch, report, _) = try Suite.scrub([("blank.837", Array("\n\r\n   \t\n".utf8)), good])
        #expect(issues(batch) == [Located("X12-EMPTY", .error, 0, "")])
        try expectGoodClaimsScrubbed(report)
    }

    /// A gzip file sent instead of the 837 it holds.
    @Test func binaryGarbage() throws {
        let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xCB, 0x48, 0xCD, 0xC9, 0xC9,
                             0x07, 0x00, 0x86, 0xA6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00]
        let (batch, report, _) = try Suite.scrub([("claims.837.gz", gzip), good])
        #expect(issues(batch) == [Located("X12-NO-ISA", .warning, 1, ""), Located("X12-TRUNCATED", .error, 1, "")])
        #expect(batch.issues.last?.message.contains("no terminator") == true)
        #expect(report.claims.count == 3)
        try expectGoodClaimsScrubbed(report)
    }

    // MARK: Bytes that do not form a segment inside a claim: the claim left out, the others scrubbed

    @Test func binaryGarbageInsideAClaim() throws {
        var file = SuiteFile()
        file.segments.insert([0x00, 0x01, 0xFE, 0xFF, 0x80, 0x1B], at: 29)  // after the bad claim's HI
        let (batch, report, _) = try Suite.scrub([("garbage.837", file.bytes)])
        #expect(issues(batch) == [Located("X12-SEGMENT-ID", .error, 30, "", claim: "BAD-CLAIM")])
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report, afterSegment: 39)
    }

    @Test func aSegmentOverMaxSegmentLength() throws {
        let note = "NTE*ADD*" + String(repeating: "X", count: 70_000)
        let file = SuiteFile().inserting([note], after: 29)
        let (batch, report, _) = try Suite.scrub([("huge-segment.837", file.bytes)])
        #expect(issues(batch) == [Located("X12-SEGMENT-LENGTH", .error, 30, "NTE", claim: "BAD-CLAIM")])
        let message = try #require(batch.issues.first?.message)
        #expect(message.hasPrefix("segment of 70008 bytes is over the limit of 65536 bytes (maxSegmentLength), starting 'NTE*ADD*XXX"))
        #expect(message.hasSuffix("; claim BAD-CLAIM left out"))
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report, afterSegment: 39)
    }

    @Test func aSegmentOverMaxElements() throws {
        let file = SuiteFile().replacing(29, with: "HI*ABK:R051" + String(repeating: "*ABF:R05", count: 600))
        let (batch, report, _) = try Suite.scrub([("many-elements.837", file.bytes)])
        #expect(issues(batch) == [Located("X12-ELEMENT-COUNT", .error, 29, "HI", claim: "BAD-CLAIM")])
        #expect(batch.issues.first?.message.hasPrefix("segment has more than 512 elements (maxElements), starting 'HI*ABK:R051*ABF:R05") == true)
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report)
    }

    @Test func theFileEndsInsideAClaim() throws {
        let file = SuiteFile()
        var bytes = file.removing(Set(31...45)).bytes
        bytes += Array("SV1*HC:992".utf8)
        let (batch, report, _) = try Suite.scrub([("cut.837", bytes)])
        #expect(issues(batch) == [
            Located("X12-TRUNCATED", .error, 31, "SV1", claim: "BAD-CLAIM"),
            Located("X12-SE-MISSING", .warning, 31, "SV1"),
            Located("X12-GE-MISSING", .warning, 31, "SV1"),
            Located("X12-IEA-MISSING", .warning, 31, "SV1"),
        ])
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE"])
        try expectGoodClaimsScrubbed(report, after: false)
    }

    /// More issues than `maxIssues`: the last place goes to an X12-ISSUE-LIMIT error naming the limit, the rest
    /// are counted; the claims are read and scrubbed.
    @Test func moreIssuesThanMaxIssues() throws {
        let file = SuiteFile().inserting(Array(repeating: "ZZZ*1", count: 20), after: 7)
        let reader = X12Reader(bytes: file.bytes, name: "many-issues.837", limits: X12Reader.Limits(maxIssues: 5))
        let claims = Array(reader)
        #expect(reader.issues.map(Located.init) == (8...11).map { Located("X12-SEGMENT-UNKNOWN", .warning, $0, "ZZZ") }
            + [Located("X12-ISSUE-LIMIT", .error, 12, "ZZZ")])
        #expect(reader.issues.last?.message == "more than 4 issues: this one and every later one are counted, not kept (maxIssues); claims may be left out without an error of their own")
        #expect(reader.droppedIssueCount == 16)
        let report = try Suite.scrubber().scrub(ClaimBatch(claims: claims, issues: reader.issues), context: EvaluationContext())
        #expect(report.readErrors.map(\.code) == ["X12-ISSUE-LIMIT"])
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "BAD-CLAIM", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report, beforeSegment: 38, afterSegment: 58)
    }

    // MARK: Hierarchy and loops

    @Test func aSubscriberHLWithAMissingParent() throws {
        let file = SuiteFile().replacing(23, with: "HL*3*9*22*0")
        let (batch, report, _) = try Suite.scrub([("hl-parent.837", file.bytes)])
        #expect(issues(batch) == [
            Located("X12-HL-PARENT", .error, 23, "HL", element: 2),
            Located("X12-HL-PARENT", .error, 28, "CLM", claim: "BAD-CLAIM"),
        ])
        #expect(batch.issues.first?.message == "subscriber HL 3 names parent HL 9, which is not a billing provider (level 20) in this transaction; its claims are left out")
        #expect(batch.issues.first?.location.reference == "HL02")
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report)
    }

    @Test func anHLOfAnUnknownLevel() throws {
        let file = SuiteFile().replacing(23, with: "HL*3*1*99*0")
        let (batch, report, _) = try Suite.scrub([("hl-level.837", file.bytes)])
        #expect(issues(batch) == [
            Located("X12-HL-LEVEL", .error, 23, "HL", element: 3),
            Located("X12-HL-PARENT", .error, 28, "CLM", claim: "BAD-CLAIM"),
        ])
        try expectGoodClaimsScrubbed(report)
    }

    /// Loop 2000B out of order: the subscriber's SBR after its name (2010BA). The claim reads; the SBR is not
    /// taken for the subscriber, so the claim has no filing indicator.
    @Test func aSubscriberLoopOutOfOrder() throws {
        var file = SuiteFile()
        file.segments.swapAt(23, 24)  // segments 24 (SBR) and 25 (NM1*IL)
        let (batch, report, _) = try Suite.scrub([("sbr-after-name.837", file.bytes)])
        #expect(issues(batch) == [Located("X12-LOOP-ORDER", .warning, 25, "SBR")])
        #expect(batch.issues.first?.message == "SBR outside loop 2000B (found in 2010BA)")
        let middle = try #require(batch.claims.first { $0.id == "BAD-CLAIM" })
        #expect(middle.subscriber.memberID == "MEMBERB01")
        #expect(middle.subscriber.claimFilingIndicator == nil)
        #expect(try report.entry("BAD-CLAIM").edits.map(\.ruleID) == ["SUITE-LINE"])
        try expectGoodClaimsScrubbed(report)
    }

    /// A service line (LX, SV1, DTP) written before its claim's CLM: the line is left out with an error; the claim
    /// reads without lines; with no date of service its claim rules are judged as of the filing day, and INTEGRITY-NO-LINES fires.
    @Test func aServiceLineBeforeItsClaim() throws {
        let file = SuiteFile()
            .replacing(28, with: "LX*1").replacing(29, with: "SV1*HC:99211*60*UN*1***1").replacing(30, with: "DTP*472*D8*20240111")
            .replacing(31, with: "CLM*BAD-CLAIM*60***11:B:1*Y*A*Y*Y").replacing(32, with: "HI*ABK:R051")
        let (batch, report, _) = try Suite.scrub([("line-before-clm.837", file.bytes)])
        #expect(issues(batch) == [Located("X12-LOOP-ORDER", .error, 28, "LX")])
        #expect(batch.issues.first?.message == "LX (service line) outside any claim: there is no CLM before it; line left out")
        let middle = try report.entry("BAD-CLAIM")
        #expect(middle.source?.segment == 31)
        #expect(middle.lines.isEmpty)
        #expect(middle.edits.map(\.ruleID) == ["INTEGRITY-NO-LINES"])
        #expect(middle.notChecked.isEmpty)
        try expectGoodClaimsScrubbed(report)
    }

    @Test func anEmptyCLM01() throws {
        let file = SuiteFile().replacing(28, with: "CLM**60***11:B:1*Y*A*Y*Y")
        let (batch, report, _) = try Suite.scrub([("no-clm01.837", file.bytes)])
        #expect(issues(batch) == [Located("X12-CLM01", .error, 28, "CLM", element: 1, claim: "")])
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report)
    }

    // MARK: Envelopes

    @Test func wrongCountsInSEGEAndIEA() throws {
        var file = SuiteFile().replacing(43, with: "SE*40*0001").replacing(44, with: "GE*2*401").replacing(45, with: "IEA*3*000000401")
        file.countsSE = false
        let (batch, report, _) = try Suite.scrub([("counts.837", file.bytes)])
        #expect(issues(batch) == [
            Located("X12-SE-COUNT", .warning, 43, "SE", element: 1),
            Located("X12-GE-COUNT", .warning, 44, "GE", element: 1),
            Located("X12-IEA-COUNT", .warning, 45, "IEA", element: 1),
        ])
        #expect(batch.issues.map(\.message) == [
            "SE01 says 40 segments; the transaction set has 41 (ST to SE)",
            "GE01 says 2 transaction sets; the group has 1",
            "IEA01 says 3 functional groups; the interchange has 1",
        ])
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "BAD-CLAIM", "GOOD-AFTER"])
        try expectGoodClaimsScrubbed(report)
    }

    // MARK: Delimiters

    /// The first interchange's ISA declares `|` between elements, but its segments use `*`: none of them is a
    /// segment, each is an error, and no claim of it is read. The second interchange is read and scrubbed.
    @Test func anISAThatDeclaresTheWrongElementSeparator() throws {
        let wrong = SuiteFile().replacing(1, with: SuiteFile.isa(element: "|"))
        let right = SuiteFile().replacing(1, with: SuiteFile.isa(control: "000000402")).replacing(45, with: "IEA*1*000000402")
        let (batch, report, _) = try Suite.scrub([("two-interchanges.837", wrong.bytes + right.bytes)])
        let ids = wrong.segments.dropFirst().map { segment in
            String(decoding: segment.prefix { $0 != UInt8(ascii: "*") }, as: UTF8.self)
        }
        #expect(issues(batch) == zip(2...45, ids).map { Located("X12-SEGMENT-ID", .error, $0, $1) }
            + [Located("X12-IEA-MISSING", .warning, 46, "ISA")])
        #expect(batch.issues.first?.message == "'GS*HC*SUBMITTERID*RECEIVERID*20240201*12' does not start with a segment id (two or three letters and digits); segment skipped")
        #expect(report.claims.map(\.claimId) == ["GOOD-BEFORE", "BAD-CLAIM", "GOOD-AFTER"])
        #expect(report.claims.map { $0.source?.segment } == [63, 73, 83])
        #expect(try report.entry("GOOD-BEFORE").edits.map(EditKey.init)
                == [EditKey("SUITE-LINE", line: 1, "GOOD-BEFORE line 1: 99213 $100 x1 on 2024-01-10 for MEMBERA01")])
        #expect(try report.entry("GOOD-AFTER").edits.map(EditKey.init)
                == [EditKey("SUITE-LINE", line: 1, "GOOD-AFTER line 1: 99212 $80 x1 on 2024-01-12 for MEMBERC01")])
    }

    /// The second interchange's ISA16 says `>` separates components, but its segments use `:`: its claims are
    /// still read (content problems), each composite kept whole as written and warned about.
    @Test func anISAThatDeclaresTheWrongComponentSeparator() throws {
        let wrong = SuiteFile().replacing(1, with: SuiteFile.isa(component: ">", control: "000000402"))
            .replacing(45, with: "IEA*1*000000402")
        let (batch, report, _) = try Suite.scrub([("two-interchanges.837", SuiteFile().bytes + wrong.bytes)])
        #expect(issues(batch) == [
            Located("X12-HI", .warning, 64, "HI", element: 1, claim: "GOOD-BEFORE"),
            Located("X12-HI", .warning, 64, "HI", element: 2, claim: "GOOD-BEFORE"),
            Located("X12-PROCEDURE", .warning, 66, "SV1", element: 1, claim: "GOOD-BEFORE"),
            Located("X12-POINTER", .warning, 66, "SV1", element: 7, claim: "GOOD-BEFORE"),
            Located("X12-HI", .warning, 74, "HI", element: 1, claim: "BAD-CLAIM"),
            Located("X12-PROCEDURE", .warning, 76, "SV1", element: 1, claim: "BAD-CLAIM"),
            Located("X12-HI", .warning, 84, "HI", element: 1, claim: "GOOD-AFTER"),
            Located("X12-PROCEDURE", .warning, 86, "SV1", element: 1, claim: "GOOD-AFTER"),
        ])
        #expect(batch.issues.first?.message == "HI01 'ABK:J069' is not a qualifier>code composite (is the component separator '>' missing?); not read as a diagnosis")
        #expect(report.claims.count == 6)
        let misread = batch.claims[3]
        #expect(misread.id == "GOOD-BEFORE")
        #expect(misread.placeOfService == "11:B:1")
        #expect(misread.lines.first?.procedureQualifier == "HC:99213")
        #expect(misread.diagnoses.isEmpty)
        // The rules see what was read: a pointer with no diagnosis left to point at.
        #expect(report.claims[4].edits.filter { $0.pack == "integrity" }.map(EditKey.init) == [
            EditKey("INTEGRITY-POINTER-MISSING", line: 1, carc: "CO-16", rarc: ["M76"],
                    "Line 1 ((none)) points at diagnosis 1; the claim has 0 diagnoses"),
        ])
        // The first interchange's claims (the first three of the batch) are scrubbed as ever.
        #expect(report.claims[0].edits.map(EditKey.init)
                == [EditKey("SUITE-LINE", line: 1, "GOOD-BEFORE line 1: 99213 $100 x1 on 2024-01-10 for MEMBERA01")])
        #expect(report.claims[2].edits.map(EditKey.init)
                == [EditKey("SUITE-LINE", line: 1, "GOOD-AFTER line 1: 99212 $80 x1 on 2024-01-12 for MEMBERC01")])
    }

    // MARK: Text

    /// A name written in ISO 8859-1 (`MÜLLER` with Ü as the byte 0xDC): not UTF-8. The reader keeps every byte,
    /// reading it as ISO 8859-1, and warns where; the claim is scrubbed.
    @Test func aNameThatIsNotUTF8() throws {
        let file = SuiteFile().replacing(25, bytes: Array("NM1*IL*1*M".utf8) + [0xDC] + Array("LLER*BEN****MI*MEMBERB01".utf8))
        let (batch, report, _) = try Suite.scrub([("latin1-name.837", file.bytes)])
        #expect(issues(batch) == [Located("X12-CHARSET", .warning, 25, "NM1", element: 3)])
        #expect(batch.issues.first?.message == "NM103 'MÜLLER' is not UTF-8; read as ISO 8859-1")
        let middle = try #require(batch.claims.first { $0.id == "BAD-CLAIM" })
        #expect(middle.subscriber.name == PersonName(last: "MÜLLER", first: "BEN"))
        #expect(middle.patient.name?.last == "MÜLLER")
        #expect(try report.entry("BAD-CLAIM").edits.map(\.ruleID) == ["SUITE-LINE"])
        try expectGoodClaimsScrubbed(report)
    }

    @Test func aNameInUTF8IsNotAProblem() throws {
        let file = SuiteFile().replacing(25, with: "NM1*IL*1*MÜLLER*BEN****MI*MEMBERB01")
        let (batch, report, _) = try Suite.scrub([("utf8-name.837", file.bytes)])
        #expect(batch.issues.isEmpty, "\(batch.issues)")
        #expect(batch.claims.first { $0.id == "BAD-CLAIM" }?.subscriber.name?.last == "MÜLLER")
        try expectGoodClaimsScrubbed(report)
    }
}
