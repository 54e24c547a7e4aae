import ClaimModel
import Testing
import Tables

/// Malformed rows are reported at file:line:column with a code, skipped, and the good rows still load.
@Suite struct MalformedRowTests {
    @Test func malformedPTPRowsAreLocatedAndSkipped() throws {
        let (table, diagnostics) = try loadFixture(
            "ccipra-malformed.txt", keys: ["Column 1", "Column 2"], effective: "Effective", expires: "Deletion")
        #expect(located(diagnostics) == [
            "TABLE002 8:33",  // six fields: the seventh is missing where the line ends
            "TABLE003 9:14",  // effective date 20221301
            "TABLE007 10:7",  // column 2 empty
            "TABLE003 12:23",  // deletion date 2023-02-30
            "TABLE002 13:78",  // an eighth field
            "TABLE007 15:1",  // column 1 empty …
            "TABLE003 15:9",  // … and a bad date on the same row: both reported
        ])
        let file = try Fixture.path("ccipra-malformed.txt")
        #expect(diagnostics.allSatisfy { $0.file == file })
        #expect(diagnostics[1].message.contains("'20221301'"))
        #expect(diagnostics[1].message.contains("'Effective'"))
        #expect(diagnostics[0].message.contains("expected 7 fields"))
        #expect(diagnostics[0].message.contains("found 6"))
        #expect(diagnostics[0].description == "\(file):8:33: error[TABLE002]: \(diagnostics[0].message)")

        // Good rows on lines 7, 11, 14 and 17 (line 16 is blank): nothing of the bad rows is kept.
        #expect(table.rowCount == 4)
        #expect((0..<Int32(table.rowCount)).map { table.line(row: $0) } == [7, 11, 14, 17])
        #expect(table.contains(key1: "0001A", key2: "0591T"))
        #expect(!table.contains(key1: "0001A", key2: "0592T"))
        #expect(!table.contains(key1: "0001A", key2: "0593T"))
        #expect(!table.contains(key1: "0001A", key2: "90473"))
        #expect(!table.contains(key1: "", key2: "0034U"))
        #expect(table.row(key1: "0001U", key2: "0046U", on: date(2026, 7, 1)) != nil)
    }

    @Test func quotingEscapesAndBadQuotes() throws {
        let (table, diagnostics) = try loadFixture(
            "quoting-and-bad-quotes.csv", keys: ["hcpcs_code", "hcpcs_desc_type"])
        #expect(located(diagnostics) == ["TABLE008 6:20", "TABLE005 9:12"])
        #expect(diagnostics[1].message.contains("not closed"))
        #expect(table.rowCount == 6)

        func description(_ code: String, _ type: String) -> String? {
            table.rows(key1: code, key2: type).first.map { table.value(row: $0, column: 2) }
        }
        #expect(description("A4407", "Short") == "Ext wear ost skn barr <=4sq\"")
        #expect(description("A4719", "Long") == "\"y set\" tubing for peritoneal dialysis")
        // A quoted field over two lines keeps its comma and line feed; the row starts on line 4.
        #expect(description("X0001", "Long") == "first line, with a comma\nsecond line")
        #expect(table.rows(key1: "X0001", key2: "Long").first.map { table.line(row: $0) } == 4)
        #expect(description("X0002", "Long") == nil, "text after a closing quote: skipped")
        #expect(description("A4408", "Short") == "Ext wear ost skn barr >4sq\"")
        // Not UTF-8: read as Latin-1 (CMS's MUE files are), so 0xAE is ®.
        #expect(description("X0004", "Long") == "Registered mark ® in Latin-1")
        #expect(description("X0003", "Long") == nil)
        // Reading resumes on the line after the unclosed quote.
        #expect(description("A4450", "Short") == "Non-waterproof tape")
        #expect(table.rows(key1: "A4450", key2: "Short").first.map { table.line(row: $0) } == 10)
    }

    @Test func missingSpecColumnFailsTheLoad() throws {
        let spec = TableSpec(
            path: try Fixture.path("ccipra-v322r0-f1.excerpt.txt"), keyColumns: ["Column 1", "Column 2"],
            expiresColumn: "Deletion Date")
        let (table, diagnostics) = Table.load(spec)
        #expect(table == nil)
        #expect(located(diagnostics) == ["TABLE004 3:1"])
        #expect(diagnostics.first?.message.contains("'Deletion Date'") == true)
    }

    @Test func noLineNamesTheKeyColumns() throws {
        let spec = TableSpec(path: try Fixture.path("ccipra-v322r0-f1.excerpt.txt"), keyColumns: ["column_1"])
        let (table, diagnostics) = Table.load(spec)
        #expect(table == nil)
        #expect(located(diagnostics) == ["TABLE004 1:1"])
        #expect(diagnostics.first?.message.contains("'column_1'") == true)
    }

    @Test func duplicateColumnNamedInTheSpecIsReported() throws {
        // PPRRVU's header row repeats INDICATOR (columns 8, 10, 29): fine until a spec names it.
        let spec = TableSpec(
            path: try Fixture.path("PPRRVU2026_Jul_nonQPP.excerpt.redacted.csv"), keyColumns: ["HCPCS", "MOD"],
            expiresColumn: "INDICATOR", optionalKeyColumns: ["MOD"])
        let (table, diagnostics) = Table.load(spec)
        #expect(table == nil)
        #expect(located(diagnostics) == ["TABLE006 10:64"])
        #expect(diagnostics.first?.message.contains("3 times") == true)
    }

    @Test func unreadableFiles() throws {
        let missing = Table.load(TableSpec(path: "/nonexistent/table.csv", keyColumns: ["a"]))
        #expect(missing.table == nil)
        #expect(located(missing.diagnostics) == ["TABLE001 1:1"])
        #expect(missing.diagnostics.first?.file == "/nonexistent/table.csv")

        let truncated = Table.load(TableSpec(path: try Fixture.path("truncated.csv.gz"), keyColumns: ["column_1"]))
        #expect(truncated.table == nil)
        #expect(truncated.diagnostics.map(\.code) == ["TABLE001"])
        #expect(truncated.diagnostics.first?.message.contains("gzip") == true)

        let directory = Table.load(TableSpec(path: try Fixture.path(""), keyColumns: ["a"]))
        #expect(directory.table == nil)
        #expect(directory.diagnostics.map(\.code) == ["TABLE001"])
    }
}
