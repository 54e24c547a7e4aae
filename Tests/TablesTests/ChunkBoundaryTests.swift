import ClaimModel
import Testing
@testable import Tables

/// Records cut at every byte by tiny read chunks load exactly as from one read.
@Suite struct ChunkBoundaryTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var keys: [String]
        var effective: String?
        var expires: String?
        var optional: [String] = []
        var description: String { file }
    }

    static let cases = [
        Case(file: "ccipra-v322r0-f1.excerpt.txt", keys: ["Column 1", "Column 2"], effective: "Effective", expires: "Deletion"),
        Case(file: "ccipra-malformed.txt", keys: ["Column 1", "Column 2"], effective: "Effective", expires: "Deletion"),
        Case(file: "quoting-and-bad-quotes.csv", keys: ["hcpcs_code", "hcpcs_desc_type"]),
        Case(file: "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv", keys: ["HCPCS/CPT Code"]),
        Case(file: "AOC_V2026Q2-MCR.excerpt.mdy.csv", keys: ["Add-On_Code", "Primary_Code"],
             effective: "AOC_Edit_EffDT", expires: "AOC_Edit_DelDT"),
        Case(file: "ncci-ptp-practitioner-2024q3.excerpt.csv.gz", keys: ["column_1", "column_2"], expires: "deletion_date"),
        Case(file: "PPRRVU2026_Jul_nonQPP.excerpt.redacted.csv", keys: ["HCPCS", "MOD"], optional: ["MOD"]),
        Case(file: "bom-crlf.csv", keys: ["code"]),
    ]

    func snapshot(_ result: (table: Table?, diagnostics: [TableDiagnostic])) -> [String] {
        var lines = result.diagnostics.map(\.description)
        if let table = result.table {
            lines.append(table.columns.joined(separator: "|"))
            for row in 0..<Int32(table.rowCount) {
                let dates = "\(table.effective(row: row).map(String.init(describing:)) ?? "-") "
                    + "\(table.expires(row: row).map(String.init(describing:)) ?? "-")"
                lines.append("\(table.line(row: row)): " + table.fields(row).joined(separator: "|") + " " + dates)
            }
        }
        return lines
    }

    @Test(arguments: cases)
    func tinyChunksGiveTheSameTable(_ example: Case) throws {
        let spec = TableSpec(
            path: try Fixture.path(example.file), keyColumns: example.keys, effectiveColumn: example.effective,
            expiresColumn: example.expires, optionalKeyColumns: example.optional)
        let whole = snapshot(Table.load(spec))
        #expect(whole.count >= 3)
        for chunk in [1, 2, 3, 5, 8, 13, 64] {
            #expect(snapshot(Table.load(spec, chunkSize: chunk)) == whole, "chunk \(chunk)")
        }
    }
}
