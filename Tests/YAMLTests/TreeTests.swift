import Testing
import YAML

/// The shape of the tree and where each node starts.
@Suite struct TreeTests {
    static let rule = """
        rule: R001
        when:
          all:
            - field: claim.pos
              in: [11, 22]
            - field: line.units
              max: 4
        """

    @Test func nestedMappingsAndListsKnowTheirLineAndColumn() throws {
        let root = try single(Self.rule)
        #expect(root.location == at(1, 1))
        #expect(root.keys == ["rule", "when"])
        let pairs = try #require(root.mapping)
        #expect(pairs[0].key.location == at(1, 1))
        #expect(pairs[0].value.location == at(1, 7))
        #expect(pairs[0].value.scalar == "R001")
        #expect(pairs[1].key.location == at(2, 1))

        let when = try #require(root["when"])
        #expect(when.typeName == "a mapping")
        #expect(when.location == at(3, 3))
        let all = try #require(when["all"])
        #expect(all.typeName == "a list")
        #expect(all.location == at(4, 5))
        #expect(all.sequence?.count == 2)

        let first = try #require(all[0])
        #expect(first.location == at(4, 7))
        #expect(first.mapping?[0].key.location == at(4, 7))
        #expect(first["field"]?.scalar == "claim.pos")
        #expect(first["field"]?.location == at(4, 14))
        let codes = try #require(first["in"])
        #expect(codes.location == at(5, 11))
        #expect(codes.sequence?.map(\.scalar) == ["11", "22"])
        #expect(codes[0]?.location == at(5, 12))
        #expect(codes[1]?.location == at(5, 16))

        let second = try #require(all[1])
        #expect(second.location == at(6, 7))
        #expect(second.mapping?[1].key.location == at(7, 7))
        #expect(second["max"]?.location == at(7, 12))
        #expect(second["max"]?.scalar == "4")
        #expect(second["max"]?.typeName == "a scalar")
    }

    @Test func everyLocationNamesTheFile() throws {
        let result = YAMLLoader.load(text: "a: [b]\n", file: "payers/acme.yaml")
        let root = try #require(result.documents.first)
        #expect(root.location.description == "payers/acme.yaml:1:1")
        #expect(root["a"]?[0]?.location.description == "payers/acme.yaml:1:5")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let root = try single("é€: 𝄞x\n")
        #expect(root.mapping?[0].key.scalar == "é€")
        #expect(root.mapping?[0].value.location == at(1, 5))
        #expect(root.mapping?[0].value.scalar == "𝄞x")
    }

    @Test func flowSequence() throws {
        let root = try single("[1, 2]")
        #expect(root.sequence?.map(\.scalar) == ["1", "2"])
        #expect(root.location == at(1, 1))
        #expect(root[1]?.location == at(1, 5))
        #expect(root.style == .plain)
    }

    @Test func flowMapping() throws {
        let root = try single("{a: 1}")
        #expect(root.keys == ["a"])
        #expect(root["a"]?.scalar == "1")
        #expect(root["a"]?.location == at(1, 5))
    }

    @Test func nestedFlowInBlock() throws {
        let root = try single("edit:\n  codes: {cpt: [\"99213\", '99214'], pos: [11]}\n")
        let codes = try #require(root["edit"]?["codes"])
        #expect(codes.location == at(2, 10))
        #expect(codes["cpt"]?.sequence?.map(\.scalar) == ["99213", "99214"])
        #expect(codes["cpt"]?[0]?.style == .doubleQuoted)
        #expect(codes["cpt"]?[1]?.style == .singleQuoted)
        #expect(codes["cpt"]?[1]?.location == at(2, 26))
        #expect(codes["pos"]?[0]?.location == at(2, 42))
    }

    @Test func literalBlockScalarKeepsNewlines() throws {
        let root = try single("note: |\n  first line\n  second line\nnext: x\n")
        let note = try #require(root["note"])
        #expect(note.scalar == "first line\nsecond line\n")
        #expect(note.style == .literal)
        #expect(note.location == at(1, 7))
        #expect(root.mapping?[1].key.location == at(4, 1))
    }

    @Test func foldedBlockScalarJoinsLines() throws {
        let root = try single("note: >\n  first line\n  second line\n\n  new paragraph\n")
        let note = try #require(root["note"])
        #expect(note.scalar == "first line second line\nnew paragraph\n")
        #expect(note.style == .folded)
    }

    @Test func blockScalarChomping() throws {
        let root = try single("strip: |-\n  a\n\nkeep: |+\n  b\n\n")
        #expect(root["strip"]?.scalar == "a")
        #expect(root["keep"]?.scalar == "b\n\n")
    }

    @Test(arguments: [
        ("plain", "v: text", "text", ScalarStyle.plain),
        ("single", "v: 'it''s'", "it's", .singleQuoted),
        ("double", #"v: "tab\there\n""#, "tab\there\n", .doubleQuoted),
        ("double unicode", #"v: "\u00e9""#, "é", .doubleQuoted),
        ("literal", "v: |\n  x\n", "x\n", .literal),
        ("folded", "v: >\n  x\n  y\n", "x y\n", .folded),
    ])
    func scalarStylesAreKept(name: String, text: String, value: String, style: ScalarStyle) throws {
        let node = try #require(try single(text)["v"])
        #expect(node.scalar == value, "\(name)")
        #expect(node.style == style, "\(name)")
    }

    @Test(arguments: ["v:", "v: ~", "v: null", "v: Null", "v: NULL", "v: !!null null"])
    func nullForms(text: String) throws {
        let node = try #require(try single(text)["v"])
        #expect(node.isNull, "\(text)")
    }

    @Test(arguments: ["v: 'null'", "v: ''", "v: \"\"", "v: \"~\"", "v: nul", "v: NuLL", "v: !!str null", "v: [null]", "v: {}"])
    func notNull(text: String) throws {
        let node = try #require(try single(text)["v"])
        #expect(!node.isNull, "\(text)")
    }

    @Test func emptyValueIsAnEmptyPlainScalar() throws {
        let root = try single("a:\nb: 1\n")
        let a = try #require(root["a"])
        #expect(a.scalar == "")
        #expect(a.style == .plain)
        #expect(a.isNull)
        #expect(root["b"]?.isNull == false)
    }

    @Test func explicitTagsAreKeptShort() throws {
        let root = try single("a: !!str 123\nb: !payer acme\nc: 7\nd: !!map {x: 1}\n")
        #expect(root["a"]?.tag == "!!str")
        #expect(root["a"]?.scalar == "123")
        #expect(root["a"]?.location == at(1, 4))
        #expect(root["b"]?.tag == "!payer")
        #expect(root["c"]?.tag == nil)
        #expect(root["d"]?.tag == "!!map")
        #expect(root["d"]?["x"]?.scalar == "1")
    }

    @Test func multipleDocuments() throws {
        let result = load("a: 1\n---\nb: 2\n...\n---\n- x\n")
        #expect(result.diagnostics == [])
        #expect(result.documents.count == 3)
        #expect(result.documents.map(\.typeName) == ["a mapping", "a mapping", "a list"])
        #expect(result.documents[0]["a"]?.scalar == "1")
        #expect(result.documents[1].location == at(3, 1))
        #expect(result.documents[1]["b"]?.location == at(3, 4))
        #expect(result.documents[2][0]?.scalar == "x")
        #expect(result.documents[2].location == at(6, 1))
    }

    /// Documented in YAMLLoader: no content means no documents; a bare `---` is one null document.
    @Test(arguments: ["", "\n\n", "# only a comment\n", "   \n# two\n# comments"])
    func emptyInputHasNoDocuments(text: String) {
        let result = load(text)
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.isEmpty)
        let bytes = YAMLLoader.load(bytes: Array(text.utf8), file: testFile)
        #expect(bytes.documents.isEmpty)
        #expect(bytes.diagnostics.isEmpty)
    }

    @Test func bareDocumentMarkerIsOneNullDocument() throws {
        let result = load("---\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.documents.count == 1)
        #expect(result.documents.first?.isNull == true)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let result = YAMLLoader.load(bytes: [0xEF, 0xBB, 0xBF] + Array("a: b\n".utf8), file: testFile)
        #expect(result.diagnostics == [])
        let root = try #require(result.documents.first)
        #expect(root.keys == ["a"])
        #expect(root["a"]?.location == at(1, 4))
    }

    @Test func crlfLineEnds() throws {
        let root = try single("a: 1\r\nb:\r\n  - c\r\n")
        #expect(root["b"]?[0]?.scalar == "c")
        #expect(root["b"]?[0]?.location == at(3, 5))
    }

    @Test func mappingKeysNeedNotBeScalars() throws {
        let root = try single("? [a, b]\n: pair\n")
        let pair = try #require(root.mapping?.first)
        #expect(pair.key.sequence?.map(\.scalar) == ["a", "b"])
        #expect(pair.value.scalar == "pair")
    }

    @Test func scalarsAreNotTyped() throws {
        let root = try single("n: 010\nb: yes\nf: 1.50\n")
        #expect(root["n"]?.scalar == "010")
        #expect(root["b"]?.scalar == "yes")
        #expect(root["f"]?.scalar == "1.50")
    }

    @Test func loadFromPath() throws {
        let path = "/tmp/yamltests-\(Int.random(in: 0..<1_000_000_000)).yaml"
        let text = "pack: acme\nrules:\n  - id: R1\n"
        #expect(writeFile(path, text))
        defer { removeFile(path) }
        let result = YAMLLoader.load(path: path)
        #expect(result.diagnostics == [])
        let root = try #require(result.documents.first)
        #expect(root["rules"]?[0]?["id"]?.scalar == "R1")
        #expect(root["rules"]?[0]?["id"]?.location == YAML.SourceLocation(file: path, line: 3, column: 9))
    }
}
