import Testing
import YAML

/// The file name every test loads under.
let testFile = "rules/test.yaml"

/// Loads `text` as `rules/test.yaml`.
func load(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLLoader.Loaded {
    YAMLLoader.load(text: text, file: testFile, limits: limits)
}

/// A location in `rules/test.yaml`.
func at(_ line: Int, _ column: Int) -> YAML.SourceLocation {
    YAML.SourceLocation(file: testFile, line: line, column: column)
}

extension YAMLNode {
    /// The value of the first pair whose key is the scalar `key`.
    subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar == key }?.value
    }

    /// The item at `index` of a sequence.
    subscript(index: Int) -> YAMLNode? {
        guard let items = sequence, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The keys of a mapping, as text.
    var keys: [String?] { mapping?.map(\.key.scalar) ?? [] }
}

/// The single document of a load that must succeed without diagnostics.
func single(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> YAMLNode {
    let result = load(text)
    #expect(result.diagnostics == [], sourceLocation: sourceLocation)
    #expect(result.documents.count == 1, sourceLocation: sourceLocation)
    return try #require(result.documents.first, sourceLocation: sourceLocation)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to `path`; true when it worked.
func writeFile(_ path: String, _ text: String) -> Bool {
    writeFile(path, Array(text.utf8))
}

/// Writes `bytes` to `path`; true when it worked.
func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
    guard let handle = fopen(path, "wb") else { return false }
    defer { fclose(handle) }
    return bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, handle) } == bytes.count
}

func removeFile(_ path: String) {
    _ = unlink(path)
}
