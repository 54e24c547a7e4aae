import Testing
import YAML

/// Syntax errors, duplicate keys, aliases and limits: each with its code and location.
@Suite struct DiagnosticTests {
    // MARK: Syntax (YAML001)

    @Test func unclosedFlowSequence() throws {
        let result = load("a: [1, 2\nb: c")
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.count == 1)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.code == "YAML001")
        #expect(diagnostic.location == at(2, 2))
        #expect(diagnostic.message.contains("did not find expected ',' or ']'"))
        #expect(diagnostic.message.contains("1:4"))  // where the flow sequence started
        #expect(diagnostic.description.hasPrefix("rules/test.yaml:2:2: error[YAML001]: did not find expected ',' or ']'"))
    }

    @Test(arguments: [
        ("rule:\n  id: R1\n\tseverity: error\n", 3, "found a tab character that violates indentation"),
        ("rule:\n\tid: R1\n", 2, "found character that cannot start any token"),
    ])
    func tabIndentationIsLocated(text: String, line: Int, problem: String) throws {
        let result = load(text)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.count == 1)
        #expect(result.documents.isEmpty)
        #expect(diagnostic.code == "YAML001")
        #expect(diagnostic.location == at(line, 1))
        #expect(diagnostic.message.contains(problem))
    }

    @Test func documentsBeforeTheErrorAreKept() throws {
        let result = load("a: 1\n---\nb: 2\n---\nc: [\n")
        #expect(result.documents.count == 2)
        #expect(result.documents[1]["b"]?.scalar == "2")
        #expect(result.diagnostics.map(\.code) == ["YAML001"])
        #expect(result.diagnostics.first?.location.line == 6)
    }

    @Test func badIndentation() throws {
        let result = load("a:\n  b: 1\n c: 2\n")
        #expect(result.documents.isEmpty)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.code == "YAML001")
        #expect(diagnostic.location == at(3, 2))
    }

    @Test func controlCharacterIsLocated() throws {
        let result = load("a: b\nc: d\u{1}\n")
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.code == "YAML001")
        #expect(diagnostic.message.contains("control characters are not allowed"))
        #expect(diagnostic.location == at(2, 5))
    }

    // MARK: Duplicate keys (YAML002)

    @Test func duplicateKeyAtTheSecondKeyNamingTheFirst() throws {
        let result = load("id: R1\nseverity: error\nid: R2\n")
        #expect(result.diagnostics.count == 1)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.code == "YAML002")
        #expect(diagnostic.location == at(3, 1))
        #expect(diagnostic.message.contains("'id'"))
        #expect(diagnostic.message.contains("1:1"))
        // Loading went on and both pairs stay, in order.
        let root = try #require(result.documents.first)
        #expect(root.keys == ["id", "severity", "id"])
        #expect(root.mapping?.map(\.value.scalar) == ["R1", "error", "R2"])
    }

    @Test func duplicateKeysInABigMapping() throws {
        // Past the linear-scan size, duplicates are found through an index.
        var lines = (1...40).map { "k\($0): \($0)" }
        lines.append("k3: again")
        lines.append("k40: again")
        lines.append("k41: new")
        lines.append("k3: third")
        let result = load(lines.joined(separator: "\n"))
        #expect(result.diagnostics.map(\.code) == ["YAML002", "YAML002", "YAML002"])
        #expect(result.diagnostics.map(\.location) == [at(41, 1), at(42, 1), at(44, 1)])
        #expect(result.diagnostics[0].message.contains("3:1"))
        #expect(result.diagnostics[1].message.contains("40:1"))
        #expect(result.diagnostics[2].message.contains("3:1"))  // the first one, not the second
        #expect(result.documents.first?.mapping?.count == 44)
    }

    @Test func duplicateKeysComparedByTextInEachMappingOnly() throws {
        let result = load("a: {x: 1, 'x': 2}\nb: {x: 1}\nc: [{y: 1}, {y: 2}]\n")
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.code == "YAML002")
        #expect(result.diagnostics.first?.location == at(1, 11))
        #expect(result.diagnostics.first?.message.contains("1:5") == true)
    }

    @Test func duplicateKeyInFlowAndNestedMappings() throws {
        let result = load("rules:\n  - when: {a: 1}\n    then: x\n    when: y\n")
        #expect(result.diagnostics.map(\.code) == ["YAML002"])
        #expect(result.diagnostics.first?.location == at(4, 5))
        #expect(result.diagnostics.first?.message.contains("2:5") == true)
    }

    // MARK: Anchors and aliases (YAML004, YAML007)

    @Test func aliasesAreExpandedByValue() throws {
        let root = try single("""
            base: &base {severity: error, codes: [A, B]}
            name: &n ACME
            copy: *base
            who: *n
            list: [*n, *base]
            """)
        let base = try #require(root["base"])
        #expect(base["codes"]?.sequence?.map(\.scalar) == ["A", "B"])
        #expect(root["copy"] == base)
        #expect(root["who"]?.scalar == "ACME")
        #expect(root["who"] == root["name"])
        #expect(root["list"]?[0]?.scalar == "ACME")
        #expect(root["list"]?[1] == base)
        #expect(root["copy"]?.location == at(1, 7))  // a copy keeps the anchored node's location
    }

    @Test func anchorsCanBeRedefined() throws {
        let root = try single("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
        #expect(root["b"]?.scalar == "1")
        #expect(root["d"]?.scalar == "2")
    }

    @Test func anchorsDoNotCrossDocuments() throws {
        let result = load("a: &x 1\n---\nb: *x\n")
        #expect(result.documents.count == 2)
        #expect(result.diagnostics.map(\.code) == ["YAML007"])
        #expect(result.diagnostics.first?.location == at(3, 4))
    }

    @Test func unknownAnchorIsReportedAndLoadingGoesOn() throws {
        let result = load("a: *nowhere\nb: 2\nb: 3\n")
        #expect(result.diagnostics.map(\.code) == ["YAML007", "YAML002"])
        #expect(result.diagnostics.first?.location == at(1, 4))
        #expect(result.diagnostics.first?.message.contains("nowhere") == true)
        let root = try #require(result.documents.first)
        #expect(root["a"]?.isNull == true)
        #expect(root.keys == ["a", "b", "b"])
    }

    @Test func aliasToItsOwnAncestorIsALoop() throws {
        let result = load("a: &x\n  b: [1, *x]\n")
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.map(\.code) == ["YAML004"])
        #expect(result.diagnostics.first?.location == at(2, 10))
        #expect(result.diagnostics.first?.message.contains("loop") == true)
    }

    @Test func redefiningAnAnchorWhileInsideItIsALoop() throws {
        // The second &x is open when *x is read: the alias means that one, not the complete first.
        let result = load("a: &x 1\nb: &x [*x]\n")
        #expect(result.diagnostics.map(\.code) == ["YAML004"])
        #expect(result.diagnostics.first?.location == at(2, 8))
    }

    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """

    @Test func billionLaughsIsRefusedQuickly() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = load(Self.billionLaughs)
        let elapsed = clock.now - start
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.map(\.code) == ["YAML004"])
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.message.contains("5000000"))
        // 9^7 nodes pass 5,000,000 within the line of g.
        #expect(diagnostic.location.line == 7)
        #expect(elapsed < .seconds(2))
    }

    @Test func nodeLimitCountsExpandedAliases() throws {
        let text = "a: &a [x, x, x]\nb: [*a, *a]\n"   // 1 + 1 + 4 + 1 + 1 + 4 + 4 = 16 nodes
        #expect(load(text, limits: YAMLLimits(maxNodes: 16)).diagnostics == [])
        let refused = load(text, limits: YAMLLimits(maxNodes: 15))
        #expect(refused.diagnostics.map(\.code) == ["YAML004"])
        #expect(refused.diagnostics.first?.location == at(2, 9))
    }

    // MARK: Limits (YAML003, YAML005, YAML006)

    @Test func depthOverTheLimitStopsAtTheNodeThatExceedsIt() throws {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let result = load(text, limits: YAMLLimits(maxDepth: 64))
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.map(\.code) == ["YAML003"])
        #expect(result.diagnostics.first?.location == at(1, 65))
        // 64 levels are allowed.
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(load(deepest, limits: YAMLLimits(maxDepth: 64)).diagnostics == [])
    }

    @Test func blockNestingCountsToo() throws {
        let text = (0..<5).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x\n"
        #expect(load(text, limits: YAMLLimits(maxDepth: 5)).diagnostics == [])
        let result = load(text, limits: YAMLLimits(maxDepth: 4))
        #expect(result.diagnostics.map(\.code) == ["YAML003"])
        #expect(result.diagnostics.first?.location == at(5, 9))
    }

    @Test func aliasCopiesCountTowardDepth() throws {
        let text = "a: &deep [[[x]]]\nb: [[*deep]]\n"   // *deep sits 3 deep and is 3 deep itself
        #expect(load(text, limits: YAMLLimits(maxDepth: 6)).diagnostics == [])
        let result = load(text, limits: YAMLLimits(maxDepth: 5))
        #expect(result.diagnostics.map(\.code) == ["YAML003"])
        #expect(result.diagnostics.first?.location == at(2, 6))
    }

    @Test func scalarOverTheLimit() throws {
        let limits = YAMLLimits(maxScalarBytes: 10)
        #expect(load("a: '0123456789'", limits: limits).diagnostics == [])
        let result = load("a: ok\nb: \"0123456789X\"\n", limits: limits)
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.map(\.code) == ["YAML005"])
        #expect(result.diagnostics.first?.location == at(2, 4))
        #expect(result.diagnostics.first?.message.contains("11 bytes") == true)
    }

    @Test func fileOverTheLimit() throws {
        let text = "a: 1\n" + String(repeating: "# pad\n", count: 10)
        let limits = YAMLLimits(maxFileBytes: 20)
        let result = load(text, limits: limits)
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.map(\.code) == ["YAML006"])
        #expect(result.diagnostics.first?.location == at(1, 1))

        let path = "/tmp/yamltests-big-\(Int.random(in: 0..<1_000_000_000)).yaml"
        #expect(writeFile(path, text))
        defer { removeFile(path) }
        let fromFile = YAMLLoader.load(path: path, limits: limits)
        #expect(fromFile.diagnostics.map(\.code) == ["YAML006"])
        #expect(fromFile.diagnostics.first?.location == YAML.SourceLocation(file: path, line: 1, column: 1))
        #expect(YAMLLoader.load(path: path).documents.count == 1)
    }

    @Test(arguments: [
        ("lone continuation byte", [0x80] as [UInt8]),
        ("invalid byte", [0xFF]),
        ("truncated sequence", [0xC3]),
        ("overlong", [0xC0, 0x80]),
        ("surrogate", [0xED, 0xA0, 0x80]),
        ("past U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ("Latin-1 e-acute", [0xE9, 0x74, 0xE9]),
    ])
    func invalidUTF8IsLocated(name: String, bad: [UInt8]) throws {
        let bytes = Array("id: R1\nnote: ok é ".utf8) + bad + Array(" rest\n".utf8)
        let result = YAMLLoader.load(bytes: bytes, file: testFile)
        #expect(result.documents.isEmpty, "\(name)")
        #expect(result.diagnostics.map(\.code) == ["YAML006"], "\(name)")
        #expect(result.diagnostics.first?.location == at(2, 12), "\(name)")
        #expect(result.diagnostics.first?.message.contains("UTF-8") == true, "\(name)")
    }

    @Test func validMultibyteBytesLoad() throws {
        let bytes = Array("note: é € 𝄞 \u{10FFFD}\n".utf8)
        let result = YAMLLoader.load(bytes: bytes, file: testFile)
        #expect(result.diagnostics == [])
        #expect(result.documents.first?["note"]?.scalar == "é € 𝄞 \u{10FFFD}")
    }

    @Test func utf16IsRefused() throws {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x61, 0x00, 0x3A, 0x00, 0x20, 0x00, 0x62, 0x00]
        let result = YAMLLoader.load(bytes: bytes, file: testFile)
        #expect(result.diagnostics.map(\.code) == ["YAML006"])
        #expect(result.diagnostics.first?.location == at(1, 1))
        #expect(result.diagnostics.first?.message.contains("UTF-16") == true)
    }

    @Test func unreadableFile() throws {
        let path = "/nonexistent/dir/rules.yaml"
        let result = YAMLLoader.load(path: path)
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.code == "YAML006")
        #expect(result.diagnostics.first?.location == YAML.SourceLocation(file: path, line: 1, column: 1))
        #expect(result.diagnostics.first?.message.contains("No such file") == true)
    }

    @Test func directoryIsUnreadable() throws {
        let result = YAMLLoader.load(path: "/tmp")
        #expect(result.diagnostics.map(\.code) == ["YAML006"])
        #expect(result.diagnostics.first?.location == YAML.SourceLocation(file: "/tmp", line: 1, column: 1))
    }
}
