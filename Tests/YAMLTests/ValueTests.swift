import Testing
import YAML

/// The small value types: ordering, printing, defaults.
@Suite struct ValueTests {
    @Test func locationsSortByFileThenLineThenColumn() {
        let locations = [
            YAML.SourceLocation(file: "b.yaml", line: 1, column: 1),
            YAML.SourceLocation(file: "a.yaml", line: 2, column: 1),
            YAML.SourceLocation(file: "a.yaml", line: 1, column: 9),
            YAML.SourceLocation(file: "a.yaml", line: 1, column: 2),
        ]
        #expect(locations.sorted().map(\.description) == ["a.yaml:1:2", "a.yaml:1:9", "a.yaml:2:1", "b.yaml:1:1"])
        #expect(YAML.SourceLocation(file: "a", line: 10, column: 1) > YAML.SourceLocation(file: "a", line: 9, column: 80))
    }

    @Test func diagnosticDescription() {
        let diagnostic = YAMLDiagnostic(code: "YAML002", message: "duplicate key 'id'", location: at(3, 5))
        #expect(diagnostic.description == "rules/test.yaml:3:5: error[YAML002]: duplicate key 'id'")
    }

    @Test func limitDefaults() {
        let limits = YAMLLimits()
        #expect(limits.maxDepth == 64)
        #expect(limits.maxNodes == 5_000_000)
        #expect(limits.maxScalarBytes == 16 << 20)
        #expect(limits.maxFileBytes == 512 << 20)
        let some = YAMLLimits(maxNodes: 10)
        #expect(some.maxDepth == 64)
        #expect(some.maxNodes == 10)
    }

    @Test func conveniencesMatchTheKind() {
        let scalar = YAMLNode(.scalar("x"), location: at(1, 1))
        let list = YAMLNode(.sequence([scalar]), location: at(1, 1))
        let map = YAMLNode(.mapping([YAMLPair(key: scalar, value: list)]), location: at(1, 1))
        #expect(scalar.scalar == "x" && scalar.sequence == nil && scalar.mapping == nil)
        #expect(list.sequence == [scalar] && list.scalar == nil && list.mapping == nil)
        #expect(map.mapping?.first?.value == list && map.scalar == nil && map.sequence == nil)
        #expect([scalar.typeName, list.typeName, map.typeName] == ["a scalar", "a list", "a mapping"])
        #expect(YAMLNode(.scalar("null"), location: at(1, 1), style: .doubleQuoted).isNull == false)
        #expect(YAMLNode(.scalar("null"), location: at(1, 1)).isNull)
        #expect(YAMLNode(.scalar("null"), location: at(1, 1), tag: "!!str").isNull == false)
    }

    @Test func tagsTakePartInEquality() {
        let plain = YAMLNode(.scalar("7"), location: at(1, 1))
        var tagged = plain
        tagged.tag = "!!int"
        #expect(tagged.tag == "!!int")
        #expect(tagged != plain)
        #expect(tagged == YAMLNode(.scalar("7"), location: at(1, 1), tag: "!!int"))
        #expect(Set([tagged, plain, YAMLNode(.scalar("7"), location: at(1, 1), tag: "!!int")]).count == 2)
        tagged.tag = nil
        #expect(tagged == plain)
    }
}
