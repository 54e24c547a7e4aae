import ClaimModel
import Foundation
import Testing
import Tables

/// Paths of the fixture files copied into the test bundle (see Fixtures/README.md).
enum Fixture {
    static func path(_ name: String) throws -> String {
        let base = try #require(Bundle.module.resourcePath, "the test bundle has no resources")
        return base + "/Fixtures/" + name
    }
}

func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate { CalendarDate(year: year, month: month, day: day)! }

/// The diagnostics as `code line:column`, for compact exact comparisons.
func located(_ diagnostics: [TableDiagnostic]) -> [String] {
    diagnostics.map { "\($0.code) \($0.line):\($0.column)" }
}

/// Loads a fixture, requiring a table.
func loadFixture(
    _ name: String, keys: [String], effective: String? = nil, expires: String? = nil, headerLine: Int? = nil,
    optionalKeys: [String] = []
) throws -> (Table, [TableDiagnostic]) {
    let spec = TableSpec(
        path: try Fixture.path(name), keyColumns: keys, effectiveColumn: effective, expiresColumn: expires,
        headerLine: headerLine, optionalKeyColumns: optionalKeys)
    let (table, diagnostics) = Table.load(spec)
    let loaded = try #require(table, "\(name) did not load: \(diagnostics)")
    return (loaded, diagnostics)
}

extension Table {
    /// The row's fields, by column.
    func fields(_ row: Int32) -> [String] { (0..<columns.count).map { value(row: row, column: $0) } }
    /// The value of a named column.
    func text(_ row: Int32, _ column: String) -> String? { value(row: row, column: column) }
}
