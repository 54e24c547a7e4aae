import Foundation
import Testing
@testable import Rules
import YAML

/// The bad-input suite, rule-file part: hostile or broken rule files, each with the exact `file:line:column` and
/// code of every diagnostic, and for the limits, the limit's name in the message.
@Suite("Bad input: rule files")
struct BadInputRuleFileTests {
    /// Writes `bytes` as `pack.yaml` in a fresh folder and loads it as `rules check` does.
    private func load(_ bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) throws -> (result: RuleSetLoader.Result, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-bad-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("pack.yaml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (RuleSetLoader.load(paths: [path], limits: limits), path)
    }

    private func load(_ text: String) throws -> (result: RuleSetLoader.Result, path: String) { try load(Array(text.utf8)) }

    /// Every diagnostic as (line, column, code), after checking that each names the file.
    private func located(_ loaded: (result: RuleSetLoader.Result, path: String),
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Where] {
        #expect(loaded.result.hasErrors, sourceLocation: sourceLocation)
        #expect(loaded.result.diagnostics.allSatisfy { $0.location.file == loaded.path }, sourceLocation: sourceLocation)
        return loaded.result.diagnostics.map { Where($0.location.line, $0.location.column, $0.code) }
    }

    struct Where: Equatable, CustomStringConvertible {
        var line: Int, column: Int, code: String
        init(_ line: Int, _ column: Int, _ code: String) { self.line = line; self.column = column; self.code = code }
        var description: String { "\(line):\(column) \(code)" }
    }

    static func rule(_ id: String, _ extra: String = "") -> String {
        """
          - id: \(id)
            category: c
            severity: error
            for: line
            citation: test
        \(extra)    when:
              - line.code: "99213"
            message: m

        """
    }

    // MARK: Syntax

    @Test func aTabInTheIndentation() throws {
        let loaded = try load("pack: t\nrules:\n  - id: R1\n\tseverity: error\n")
        #expect(located(loaded) == [Where(4, 1, "YAML001")])
        #expect(loaded.result.diagnostics.first?.message == "found a tab character that violates indentation (while scanning a plain scalar started at 3:9)")
    }

    @Test func aFileThatIsNotUTF8() throws {
        let loaded = try load(Array("pack: t\ndescription: M".utf8) + [0xDC] + Array("LLER\n".utf8))
        #expect(located(loaded) == [Where(2, 15, "YAML006")])
        #expect(loaded.result.diagnostics.first?.message == "invalid UTF-8: byte 0xDC at byte offset 22; YAML here must be UTF-8")
    }

    @Test func aFileInUTF16() throws {
        let loaded = try load([0xFF, 0xFE] + Array("pack: t\n".utf8).flatMap { [$0, 0] })
        #expect(located(loaded) == [Where(1, 1, "YAML006")])
        #expect(loaded.result.diagnostics.first?.message.hasPrefix("the input is UTF-16") == true)
    }

    /// A zero-byte rule file. (FuzzRules' first finding: reading it through `FileManager.contents(atPath:)` leaked a
    /// 4 KiB buffer; the loader now reads sources through a FileHandle, and the file still shows as empty text.)
    @Test func anEmptyFile() throws {
        let loaded = try load([])
        #expect(located(loaded) == [Where(1, 1, "RULE003")])
        #expect(loaded.result.diagnostics.first?.message == "the file is empty: a pack needs at least 'pack:'")
        #expect(loaded.result.sources[loaded.path] == "")
    }

    /// The crashing input FuzzRules saved, kept in Fixtures/fuzz/FuzzRules (it seeds every fuzz run).
    @Test func theFuzzRegressionInputsLoadWithDiagnostics() throws {
        let folder = try RulesFixture.path("fuzz/FuzzRules")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["empty-file.yaml"])
        let result = RuleSetLoader.load(paths: [folder + "/empty-file.yaml"])
        #expect(result.diagnostics.map(\.code) == ["RULE003"])
    }

    @Test func twoDocumentsInOneFile() throws {
        #expect(located(try load("pack: t\n---\npack: u\n")) == [Where(3, 1, "RULE002")])
    }

    // MARK: Anchors and aliases

    @Test func anAliasInsideTheNodeItNames() throws {
        let loaded = try load("pack: t\nrules: &r\n  - *r\n")
        #expect(located(loaded) == [Where(3, 5, "YAML004")])
        #expect(loaded.result.diagnostics.first?.message == "alias '*r' is inside the node it refers to ('&r' at 2:8): an alias loop")
    }

    /// Billion laughs: nine levels of ten aliases each. Loading stops at the alias that passes maxNodes.
    @Test func aliasesThatExpandPastMaxNodes() throws {
        var lines = ["pack: t", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
        let levels = Array("abcdefghi").map(String.init)
        for (previous, current) in zip(levels, levels.dropFirst()) {
            lines.append("\(current): &\(current) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
        }
        let loaded = try load(lines.joined(separator: "\n") + "\n")
        #expect(located(loaded) == [Where(8, 20, "YAML004")])
        #expect(loaded.result.diagnostics.first?.message == "alias '*f' expands the stream past 5000000 nodes (maxNodes)")
    }

    @Test func anAliasToNoAnchor() throws {
        let loaded = try load("pack: t\nrules:\n  - *nothing\n")
        #expect(located(loaded) == [Where(3, 5, "YAML007")])
        #expect(loaded.result.diagnostics.first?.message == "unknown anchor 'nothing': no '&nothing' before this alias in the document")
    }

    // MARK: Keys

    @Test func aDuplicateKeyInARule() throws {
        let text = "pack: t\nrules:\n" + Self.rule("R1").replacingOccurrences(of: "    severity: error\n", with: "    severity: error\n    severity: warning\n")
        let loaded = try load(text)
        #expect(located(loaded) == [Where(6, 5, "YAML002")])
        #expect(loaded.result.diagnostics.first?.message == "duplicate key 'severity' (first defined at 5:5)")
    }

    @Test func aDuplicatePackKey() throws {
        let loaded = try load("pack: t\ndescription: one\npack: u\n")
        #expect(located(loaded) == [Where(3, 1, "YAML002")])
    }

    // MARK: Limits

    /// A 50 MB scalar, over maxScalarBytes (16 MiB).
    @Test func aFiftyMegabyteScalar() throws {
        let bytes = Array("pack: t\ndescription: ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 50 << 20) + [0x0A]
        let loaded = try load(bytes)
        #expect(located(loaded) == [Where(2, 14, "YAML005")])
        #expect(loaded.result.diagnostics.first?.message == "a scalar of 52428800 bytes is over the limit of 16777216 bytes (maxScalarBytes)")
    }

    @Test func nestingDeeperThanMaxDepth() throws {
        let loaded = try load("pack: t\ndescription: " + String(repeating: "[", count: 70) + "\n")
        #expect(located(loaded) == [Where(2, 77, "YAML003")])
        #expect(loaded.result.diagnostics.first?.message == "a list nested deeper than 64 levels (maxDepth)")
    }

    @Test func aFileOverMaxFileBytes() throws {
        let loaded = try load(Array(("pack: t\ndescription: " + String(repeating: "x", count: 2_000) + "\n").utf8),
                              limits: YAMLLimits(maxFileBytes: 1_024))
        #expect(located(loaded) == [Where(1, 1, "YAML006")])
        #expect(loaded.result.diagnostics.first?.message == "the input is 2022 bytes or more, over the limit of 1024 bytes (maxFileBytes)")
    }

    // MARK: Rules

    @Test func anUnknownTable() throws {
        let text = "pack: t\ntables:\n  em-codes:\n    codes: [99213]\nrules:\n"
            + Self.rule("R1").replacingOccurrences(of: "      - line.code: \"99213\"", with: "      - line.code: { in: em-code }")
        let loaded = try load(text)
        #expect(located(loaded) == [Where(12, 26, "RULE005")])
        #expect(loaded.result.diagnostics.first?.message == "unknown table 'em-code'; did you mean 'em-codes'?")
    }

    @Test func aCycleOfSuppressions() throws {
        let text = "pack: t\nrules:\n" + Self.rule("R1", "    suppresses: [R2]\n") + Self.rule("R2", "    suppresses: [R3]\n")
            + Self.rule("R3", "    suppresses: [R1]\n")
        let loaded = try load(text)
        #expect(located(loaded) == [Where(3, 9, "RULE010")])
        #expect(loaded.result.diagnostics.first?.message == "suppression cycle: t/R1 → t/R2 → t/R3 → t/R1")
    }

    @Test func aRuleThatSuppressesItself() throws {
        let loaded = try load("pack: t\nrules:\n" + Self.rule("R1", "    suppresses: [R1]\n"))
        #expect(located(loaded) == [Where(3, 9, "RULE010")])
        #expect(loaded.result.diagnostics.first?.message == "suppression cycle: t/R1 → t/R1")
    }
}
