import Testing
import YAML

/// Broken and hostile input: never a crash, always a located diagnostic or a tree.
@Suite struct RobustnessTests {
    static let knownCodes: Set<String> = ["YAML001", "YAML002", "YAML003", "YAML004", "YAML005", "YAML006", "YAML007"]

    static let seed = """
        pack: acme-commercial
        version: 3
        defaults: &defaults {severity: error, carc: CO-16}
        rules:
          - id: R001
            <<: *defaults
            title: "Modifier 25 needs an E/M code"
            when:
              all: [{field: line.modifiers, has: "25"}, {field: line.cpt, in: ['99202', '99215']}]
            message: >
              The claim line carries modifier 25
              without an E/M code.
          - id: R002
            note: |
              literal
                text
            tags: [a, b, ~, null, "", 'x']
        ...
        ---
        second: document
        """

    /// A small deterministic generator (SplitMix64), so a failure reproduces.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let interesting: [[UInt8]] = [
        Array("\t".utf8), Array("&a ".utf8), Array("*a".utf8), Array("[".utf8), Array("]".utf8), Array("{".utf8),
        Array("}".utf8), Array("- ".utf8), Array(": ".utf8), Array("? ".utf8), Array("|".utf8), Array(">".utf8),
        Array("'".utf8), Array("\"".utf8), Array("\n".utf8), Array("\r".utf8), Array("---\n".utf8), Array("%TAG ! !x\n".utf8),
        Array("!!str ".utf8), Array("\\".utf8), Array("#".utf8), Array("é".utf8), [0x00], [0xFF], [0xC3], [0xED, 0xA0, 0x80],
    ]

    @Test func mutatedInputNeverCrashesAndIsAlwaysLocated() {
        let original = Array(Self.seed.utf8)
        let lineCount = original.filter { $0 == 0x0A }.count + 1
        var random = SplitMix(state: 0x5EED)
        var outcomes: [String: Int] = [:]
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0...random.below(4) {
                let position = random.below(bytes.count + 1)
                switch random.below(4) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1: bytes.insert(contentsOf: Self.interesting[random.below(Self.interesting.count)], at: position)
                case 2 where position < bytes.count: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                default: bytes.removeSubrange(min(position, bytes.count)...)
                }
            }
            let result = YAMLLoader.load(bytes: bytes, file: testFile, limits: YAMLLimits(maxDepth: 8, maxNodes: 500))
            for diagnostic in result.diagnostics {
                #expect(Self.knownCodes.contains(diagnostic.code))
                #expect(diagnostic.location.file == testFile)
                #expect(diagnostic.location.line >= 1 && diagnostic.location.line <= lineCount + 40)
                #expect(diagnostic.location.column >= 1)
                #expect(!diagnostic.message.isEmpty)
            }
            outcomes[result.diagnostics.first?.code ?? "ok", default: 0] += 1
        }
        // The mutations reach more than one path: clean loads and several kinds of diagnostic.
        #expect(outcomes["ok", default: 0] > 0)
        #expect(outcomes["YAML001", default: 0] > 0)
        #expect(outcomes["YAML006", default: 0] > 0)
        #expect(outcomes.count >= 4, "\(outcomes)")
    }

    @Test func seedLoadsCleanly() throws {
        let result = load(Self.seed)
        #expect(result.diagnostics == [])
        #expect(result.documents.count == 2)
        let rule = try #require(result.documents.first?["rules"]?[0])
        // `<<` is an ordinary key: its value is a copy of the anchored mapping.
        #expect(rule.keys == ["id", "<<", "title", "when", "message"])
        #expect(rule["<<"] == result.documents.first?["defaults"])
        #expect(rule["message"]?.scalar == "The claim line carries modifier 25 without an E/M code.\n")
        #expect(result.documents.first?["rules"]?[1]?["note"]?.scalar == "literal\n  text\n")
        #expect(result.documents.first?["rules"]?[1]?["tags"]?.sequence?.map(\.isNull) == [false, false, true, true, false, false])
        #expect(result.documents[1].location == at(20, 1))
    }

    @Test func deepNestingWithoutALimitDoesNotOverflowTheLoader() {
        // The loader itself keeps no recursion: 100,000 levels only cost the limit check.
        let text = String(repeating: "[", count: 100_000)
        let result = load(text)
        #expect(result.diagnostics.map(\.code) == ["YAML003"])
        #expect(result.diagnostics.first?.location == at(1, 65))
    }

    @Test func loadsFromManyTasksAtOnce() async {
        let texts = (0..<16).map { "task: \($0)\nitems: [\(Array(repeating: "x", count: $0 + 1).joined(separator: ", "))]\n" }
        let counts = await withTaskGroup(of: (Int, Int?).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, YAMLLoader.load(text: text, file: "t\(index).yaml").documents.first?["items"]?.sequence?.count) }
            }
            var counts: [Int: Int?] = [:]
            for await (index, count) in group { counts[index] = count }
            return counts
        }
        #expect(counts.count == 16)
        for index in 0..<16 { #expect(counts[index] == index + 1) }
    }

    @Test func manyRulesKeepTheirLines() throws {
        let rules = (0..<2_000).map { "  - id: R\($0)\n    codes: [A\($0), B]\n" }.joined()
        let root = try single("rules:\n" + rules)
        let list = try #require(root["rules"]?.sequence)
        #expect(list.count == 2_000)
        #expect(list[1_999]["id"]?.scalar == "R1999")
        #expect(list[1_999]["id"]?.location == at(2 + 2 * 1_999, 9))
        #expect(list[1_999]["codes"]?[1]?.location == at(3 + 2 * 1_999, 20))
    }
}
