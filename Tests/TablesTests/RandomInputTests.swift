import Foundation
import Testing
@testable import Tables

/// Random text (fixed seeds) never crashes the loader, and loads the same at every chunk size.
@Suite struct RandomInputTests {
    /// splitmix64: a small deterministic generator, so that every run tests the same inputs.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet: [UInt8] = Array("ab12,,,\"\"\n\n\r\t* 0-/".utf8) + [0xAE, 0xC3]

    func snapshot(_ result: (table: Table?, diagnostics: [TableDiagnostic])) -> [String] {
        var lines = result.diagnostics.map(\.description)
        if let table = result.table {
            for row in 0..<Int32(table.rowCount) {
                lines.append("\(table.line(row: row)) \(table.fields(row)) \(String(describing: table.expires(row: row)))")
            }
        }
        return lines
    }

    @Test(arguments: 0..<8)
    func randomFiles(seed: Int) throws {
        var random = Generator(state: UInt64(seed))
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("TablesTests-random-\(ProcessInfo.processInfo.processIdentifier)-\(seed)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for index in 0..<40 {
            var bytes = Array("k,v,d\n".utf8)
            let length = Int.random(in: 0..<300, using: &random)
            for _ in 0..<length { bytes.append(Self.alphabet.randomElement(using: &random)!) }
            let tab = index % 4 == 3
            let path = directory.appendingPathComponent("t\(index).\(tab ? "tsv" : "csv")").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let spec = TableSpec(
                path: path, keyColumns: tab ? ["k,v,d"] : ["k"], expiresColumn: tab ? nil : "d",
                optionalKeyColumns: index % 2 == 0 ? [] : ["k"])
            let whole = snapshot(Table.load(spec))
            for chunk in [1, 2, 7] {
                #expect(snapshot(Table.load(spec, chunkSize: chunk)) == whole, "seed \(seed) file \(index) chunk \(chunk)")
            }
            let (table, diagnostics) = Table.load(spec)
            let loaded = try #require(table)
            // Every row's line is in the file, and in order within each key.
            let lineCount = bytes.filter { $0 == 0x0A }.count + 1
            for row in 0..<Int32(loaded.rowCount) { #expect((2...lineCount).contains(loaded.line(row: row))) }
            for diagnostic in diagnostics {
                #expect((1...lineCount).contains(diagnostic.line))
                #expect(diagnostic.column >= 1)
            }
        }
    }
}
