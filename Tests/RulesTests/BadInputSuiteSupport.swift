import ClaimModel
import Engine
import Foundation
import Reports
import RuleGraph
import Rules
import Testing
import X12

/// The bad-input suite's 837P interchange: one billing provider and three subscribers, each with one claim of one
/// line. The claims before and after the middle one are good; each test breaks one thing, mostly in the middle claim
/// (`BAD-CLAIM`), and checks where the reader or the rules say so and that the good claims are still scrubbed.
/// One segment per line, so a segment's number is its line number:
///
/// ```
///  1 ISA   2 GS   3 ST   4 BHT (created 2024-02-01)   5–7 1000A/1000B   8 HL*1 (20)   9–12 2010AA
/// 13 HL*2 (22)  14 SBR  15 NM1*IL (A)  16 DMG  17 NM1*PR   18 CLM*GOOD-BEFORE  19 HI  20 LX  21 SV1  22 DTP*472
/// 23 HL*3 (22)  24 SBR  25 NM1*IL (B)  26 DMG  27 NM1*PR   28 CLM*BAD-CLAIM    29 HI  30 LX  31 SV1  32 DTP*472
/// 33 HL*4 (22)  34 SBR  35 NM1*IL (C)  36 DMG  37 NM1*PR   38 CLM*GOOD-AFTER   39 HI  40 LX  41 SV1  42 DTP*472
/// 43 SE  44 GE  45 IEA
/// ```
struct SuiteFile {
    var segments: [[UInt8]]
    /// When true (the default), `bytes` writes SE01 as the real count of segments from ST to SE.
    var countsSE = true

    static func isa(element e: String = "*", component: String = ":", control: String = "000000401") -> String {
        let fields = ["ISA", "00", String(repeating: " ", count: 10), "00", String(repeating: " ", count: 10), "ZZ",
                      "SUBMITTERID    ", "ZZ", "RECEIVERID     ", "240201", "1200", "^", "00501", control, "0", "P", component]
        return fields.joined(separator: e)
    }

    init() {
        let text = [
            Self.isa(),
            "GS*HC*SUBMITTERID*RECEIVERID*20240201*1200*401*X*005010X222A1",
            "ST*837*0001*005010X222A1",
            "BHT*0019*00*BATCH401*20240201*1200*CH",
            "NM1*41*2*TEST SUBMITTER*****46*SUB01",
            "PER*IC*TEST CONTACT*TE*5555550100",
            "NM1*40*2*TEST RECEIVER*****46*REC01",
            "HL*1**20*1",
            "NM1*85*2*TEST FAMILY CLINIC*****XX*1234567893",
            "N3*1 TEST STREET",
            "N4*TESTCITY*NY*10001",
            "REF*EI*123456789",
            "HL*2*1*22*0",
            "SBR*P*18*******CI",
            "NM1*IL*1*TESTSUBSCRIBERA*ANN****MI*MEMBERA01",
            "DMG*D8*19800115*F",
            "NM1*PR*2*TEST PAYER*****PI*PAYER01",
            "CLM*GOOD-BEFORE*100***11:B:1*Y*A*Y*Y",
            "HI*ABK:J069*ABF:R509",
            "LX*1",
            "SV1*HC:99213*100*UN*1***1:2",
            "DTP*472*D8*20240110",
            "HL*3*1*22*0",
            "SBR*P*18*******CI",
            "NM1*IL*1*TESTSUBSCRIBERB*BEN****MI*MEMBERB01",
            "DMG*D8*19750610*M",
            "NM1*PR*2*TEST PAYER*****PI*PAYER01",
            "CLM*BAD-CLAIM*60***11:B:1*Y*A*Y*Y",
            "HI*ABK:R051",
            "LX*1",
            "SV1*HC:99211*60*UN*1***1",
            "DTP*472*D8*20240111",
            "HL*4*1*22*0",
            "SBR*P*18*******CI",
            "NM1*IL*1*TESTSUBSCRIBERC*CARA****MI*MEMBERC01",
            "DMG*D8*19900220*F",
            "NM1*PR*2*TEST PAYER*****PI*PAYER01",
            "CLM*GOOD-AFTER*80***11:B:1*Y*A*Y*Y",
            "HI*ABK:R051",
            "LX*1",
            "SV1*HC:99212*80*UN*1***1",
            "DTP*472*D8*20240112",
            "SE*41*0001",
            "GE*1*401",
            "IEA*1*000000401",
        ]
        segments = text.map { Array($0.utf8) }
    }

    /// Segment `number` (1-based) replaced by `text`.
    func replacing(_ number: Int, with text: String) -> SuiteFile { replacing(number, bytes: Array(text.utf8)) }

    func replacing(_ number: Int, bytes: [UInt8]) -> SuiteFile {
        var copy = self
        copy.segments[number - 1] = bytes
        return copy
    }

    /// Segments `numbers` left out.
    func removing(_ numbers: Set<Int>) -> SuiteFile {
        var copy = self
        copy.segments = segments.enumerated().filter { !numbers.contains($0.offset + 1) }.map(\.element)
        return copy
    }

    /// `texts` inserted after segment `number`.
    func inserting(_ texts: [String], after number: Int) -> SuiteFile {
        var copy = self
        copy.segments.insert(contentsOf: texts.map { Array($0.utf8) }, at: number)
        return copy
    }

    /// The file: every segment with a `~` terminator and a line break.
    var bytes: [UInt8] {
        var segments = self.segments
        if countsSE, let st = segments.firstIndex(where: { $0.starts(with: Array("ST*".utf8)) }),
           let se = segments.lastIndex(where: { $0.starts(with: Array("SE*".utf8)) }) {
            segments[se] = Array("SE*\(se - st + 1)*0001".utf8)
        }
        return segments.flatMap { $0 + Array("~\n".utf8) }
    }
}

/// Reads files as `claimscrub scrub` does and scrubs them with the suite's rules.
enum Suite {
    /// Rules/integrity.yaml and the echo pack (Fixtures/bad-input/suite.yaml).
    static func scrubber(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Scrubber {
        let paths = [RulesFixture.shippedRules + "/integrity.yaml", try RulesFixture.path("bad-input/suite.yaml")]
        let (scrubber, result) = Scrubber.load(rules: paths)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)", sourceLocation: sourceLocation)
        return try #require(scrubber, sourceLocation: sourceLocation)
    }

    /// Writes `files` (name → bytes) into a fresh folder and returns their paths, in the order given.
    static func write(_ files: [(String, [UInt8])]) throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-bad-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try files.map { name, bytes in
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
    }

    /// Reads the files as one batch (the good file after the bad one, when there is one) and scrubs it.
    /// Today is left to the files (BHT04, 2024-02-01), as `scrub` does without `--today`.
    static func scrub(_ files: [(String, [UInt8])], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> (batch: ClaimBatch, report: ScrubReport, paths: [String]) {
        let paths = try write(files)
        let batch = ClaimInput.read(paths)
        let report = try scrubber(sourceLocation: sourceLocation).scrub(batch, context: EvaluationContext())
        return (batch, report, paths)
    }
}

/// An X12 issue reduced to what the suite pins: code, severity, segment, segment id, element, claim.
struct Located: Equatable, CustomStringConvertible {
    var code: String
    var severity: X12Issue.Severity
    var segment: Int
    var id: String
    var element: Int?
    var claim: String?

    init(_ code: String, _ severity: X12Issue.Severity, _ segment: Int, _ id: String, element: Int? = nil, claim: String? = nil) {
        self.code = code; self.severity = severity; self.segment = segment; self.id = id; self.element = element
        self.claim = claim
    }

    init(_ issue: X12Issue) {
        self.init(issue.code, issue.severity, issue.location.segment, issue.location.segmentID,
                  element: issue.location.element, claim: issue.claimID)
    }

    var description: String {
        "\(severity) \(code) @\(segment) \(id)\(element.map { "[\($0)]" } ?? "")\(claim.map { " claim \($0)" } ?? "")"
    }
}

/// An edit reduced to what the suite pins.
struct EditKey: Equatable, CustomStringConvertible {
    var rule: String
    var line: Int?
    var carc: String?
    var rarc: [String]
    var message: String

    init(_ rule: String, line: Int?, carc: String? = nil, rarc: [String] = [], _ message: String) {
        self.rule = rule; self.line = line; self.carc = carc; self.rarc = rarc; self.message = message
    }

    init(_ edit: Edit) { self.init(edit.ruleID, line: edit.line, carc: edit.carc, rarc: edit.rarc, edit.message) }

    var description: String { "\(rule) line \(line.map(String.init) ?? "-") \(carc ?? "") \(rarc) \(message)" }
}

extension ScrubReport {
    /// The claim entry with CLM01 `id` (the first, when several share it).
    func entry(_ id: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> ClaimEntry {
        try #require(claims.first { $0.claimId == id }, "no claim \(id) among \(claims.map(\.claimId))", sourceLocation: sourceLocation)
    }

    /// The edits of claim `id`, without the echo pack's (to look at the integrity rules alone).
    func integrityEdits(_ id: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [EditKey] {
        try entry(id, sourceLocation: sourceLocation).edits.filter { $0.pack == "integrity" }.map(EditKey.init)
    }
}

/// The good claims of `SuiteFile`, as the echo pack reports them: read, scrubbed, with their values and no
/// integrity edit. `after` is false when the test leaves GOOD-AFTER out.
func expectGoodClaimsScrubbed(_ report: ScrubReport, before: Bool = true, after: Bool = true, beforeSegment: Int = 18,
                              afterSegment: Int = 38, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    var expected: [(String, Int, EditKey)] = []
    if before {
        expected.append(("GOOD-BEFORE", beforeSegment, EditKey("SUITE-LINE", line: 1, "GOOD-BEFORE line 1: 99213 $100 x1 on 2024-01-10 for MEMBERA01")))
    }
    if after {
        expected.append(("GOOD-AFTER", afterSegment, EditKey("SUITE-LINE", line: 1, "GOOD-AFTER line 1: 99212 $80 x1 on 2024-01-12 for MEMBERC01")))
    }
    for (id, segment, edit) in expected {
        let entry = try report.entry(id, sourceLocation: sourceLocation)
        #expect(entry.edits.map(EditKey.init) == [edit], "\(id)", sourceLocation: sourceLocation)
        #expect(entry.status == "clean", "\(id)", sourceLocation: sourceLocation)
        #expect(entry.notChecked.isEmpty, "\(id): \(entry.notChecked)", sourceLocation: sourceLocation)
        #expect(entry.source?.segment == segment, "\(id)", sourceLocation: sourceLocation)
    }
}
