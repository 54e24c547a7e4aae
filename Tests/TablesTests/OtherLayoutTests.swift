import ClaimModel
import Testing
import Tables

/// CMS's MUE CSV, AOC file and PFS relative value file in their release layouts.
@Suite struct OtherLayoutTests {
    @Test func mueHeaderAfterAQuotedNoticeOverSevenLines() throws {
        // Line 1–7: the AMA notice, one quoted cell with bare line feeds; line 8–9: the header, whose
        // first cell is "HCPCS/␊CPT Code". Latin-1, CRLF records.
        let (table, diagnostics) = try loadFixture(
            "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv", keys: ["HCPCS/CPT Code"])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(table.columns == [
            "HCPCS/\nCPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator", "MUE Rationale",
        ])
        #expect(table.columnIndex("HCPCS/\nCPT Code") == 0)
        #expect(table.columnIndex("HCPCS/ CPT Code") == 0, "names match ignoring whitespace")
        #expect(table.columnIndex("MUE Values") == nil)
        #expect(table.rowCount == 44)
        let row = try #require(table.rows(key: "0002M").first)
        #expect(table.line(row: row) == 11)
        #expect(table.text(row, "Practitioner Services MUE Values") == "1")
        #expect(table.text(row, "MUE Adjudication Indicator") == "3 Date of Service Edit: Clinical")
        #expect(table.contains(key: "0001U"))
        #expect(!table.contains(key: "HCPCS/\nCPT Code"))
        #expect(table.row(key: "0002M", on: date(2026, 7, 1)) == row, "no date columns: always in force")
    }

    static let aocKeys = ["Add-On_Code", "Primary_Code"]

    @Test(arguments: ["AOC_V2026Q2-MCR.excerpt.csv", "AOC_V2026Q2-MCR.excerpt.mdy.csv"])
    func aocWindowsInJulianAndMonthDayYearDates(file: String) throws {
        // The same rows with CMS's Julian dates (2023001) and written M/D/YYYY (1/1/2023, CRLF).
        let (table, diagnostics) = try loadFixture(
            file, keys: Self.aocKeys, effective: "AOC_Edit_EffDT", expires: "AOC_Edit_DelDT")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(table.rowCount == 11)
        // 0767T with 0766T: 2023-01-01…2023-12-31 (line 6), then from 2024-01-01, open (line 5).
        let rows = table.rows(key1: "0767T", key2: "0766T")
        #expect(rows.map { table.line(row: $0) } == [5, 6], "rows of a key keep their file order")
        let later = try #require(table.row(key1: "0767T", key2: "0766T", on: date(2024, 1, 1)))
        #expect(table.line(row: later) == 5)
        #expect(table.effective(row: later) == date(2024, 1, 1))
        #expect(table.expires(row: later) == nil)
        let earlier = try #require(table.row(key1: "0767T", key2: "0766T", on: date(2023, 12, 31)))
        #expect(table.line(row: earlier) == 6)
        #expect(table.effective(row: earlier) == date(2023, 1, 1))
        #expect(table.expires(row: earlier) == date(2023, 12, 31))
        #expect(table.row(key1: "0767T", key2: "0766T", on: date(2023, 1, 1)) == earlier)
        #expect(table.row(key1: "0767T", key2: "0766T", on: date(2022, 12, 31)) == nil)
        // 20701 with 11010: type 1 in 2020–2022, type 3 from 2023.
        let old = try #require(table.row(key1: "20701", key2: "11010", on: date(2022, 12, 31)))
        #expect(table.text(old, "AOC_Edit_Type") == "1")
        let new = try #require(table.row(key1: "20701", key2: "11010", on: date(2023, 1, 1)))
        #expect(table.text(new, "AOC_Edit_Type") == "3")
        // 4/1/2013 = 2013091.
        let addOn = try #require(table.row(key1: "99292", key2: "99291", on: date(2013, 4, 1)))
        #expect(table.effective(row: addOn) == date(2013, 4, 1))
        #expect(table.row(key1: "99292", key2: "99291", on: date(2013, 3, 31)) == nil)
    }

    @Test func unsortedKeysAreSortedStablyAndKeepTheirLines() throws {
        // Keyed by primary code first, the AOC file is not in key order.
        let (table, diagnostics) = try loadFixture(
            "AOC_V2026Q2-MCR.excerpt.csv", keys: ["Primary_Code", "Add-On_Code"], effective: "AOC_Edit_EffDT",
            expires: "AOC_Edit_DelDT")
        #expect(diagnostics.isEmpty)
        #expect(!table.wasSortedByKey)
        #expect(table.rows(key1: "CCCCC", key2: "0055T").map { table.line(row: $0) } == [3])
        #expect(table.rows(key1: "0766T", key2: "0767T").map { table.line(row: $0) } == [5, 6])
        #expect(table.rows(key1: "11011", key2: "20701").map { table.line(row: $0) } == [9, 10])
        let row = try #require(table.row(key1: "22551", key2: "22552", on: date(2026, 4, 1)))
        #expect(table.fields(row) == ["1", "22552", "", "22551", "", "2013091", "", ""])
        let lines = (0..<Int32(table.rowCount)).map { table.line(row: $0) }.sorted()
        #expect(lines == Array(2...12))
    }

    @Test func pfsBannerCaptionsAndAnEmptyOptionalKey() throws {
        // Nine banner and caption records before the header on line 10; MOD is empty on base-code rows.
        let (table, diagnostics) = try loadFixture(
            "PPRRVU2026_Jul_nonQPP.excerpt.redacted.csv", keys: ["HCPCS", "MOD"], optionalKeys: ["MOD"])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(table.columns.count == 32)
        #expect(table.columns.prefix(3) == ["HCPCS", "MOD", "DESCRIPTION"])
        #expect(table.rowCount == 6)
        let row = try #require(table.rows(key1: "00100", key2: "").first)
        #expect(table.line(row: row) == 13)
        #expect(table.text(row, "CODE") == "J")
        #expect(table.columnIndex("INDICATOR") == 7, "a repeated name finds its first column")
        #expect(table.value(row: row, column: 25) == "33.4009")
    }

    @Test func emptyKeyIsAnErrorUnlessTheSpecAllowsIt() throws {
        let spec = TableSpec(
            path: try Fixture.path("PPRRVU2026_Jul_nonQPP.excerpt.redacted.csv"), keyColumns: ["HCPCS", "MOD"])
        let (table, diagnostics) = Table.load(spec)
        #expect(table?.rowCount == 0)
        #expect(located(diagnostics) == (11...16).map { "TABLE007 \($0):7" })
    }

    @Test func diagnosticsStopBeingListedAfterAThousand() throws {
        let (table, diagnostics) = try loadFixture("many-bad-rows.csv", keys: ["hcpcs_code"])
        #expect(diagnostics.count == Table.maxListedDiagnostics + 1)
        #expect(diagnostics.prefix(Table.maxListedDiagnostics).allSatisfy { $0.code == "TABLE007" })
        #expect(located([diagnostics[0]]) == ["TABLE007 2:1"])
        let last = try #require(diagnostics.last)
        #expect(located([last]) == ["TABLE009 1002:1"])
        #expect(last.message.hasPrefix("2 more problems"))
        #expect(table.rowCount == 1)
        #expect(table.rows(key: "99213").first.map { table.line(row: $0) } == 1004)
    }

    @Test func aWrappedHeaderContinuesForFiveLinesAtMost() throws {
        let (table, diagnostics) = try loadFixture("wrapped-header-limit.csv", keys: ["code"])
        #expect(located(diagnostics) == ["TABLE007 8:1"])
        #expect(table.rowCount == 1)
        #expect(table.rows(key: "99213").first.map { table.line(row: $0) } == 9)
    }

    @Test func tabFilesHaveNoQuoting() throws {
        let (table, diagnostics) = try loadFixture("quotes-in-tab-file.tsv", keys: ["code"])
        #expect(diagnostics.isEmpty)
        #expect(table.rowCount == 3)
        #expect(table.rows(key: "A0021").first.map { table.value(row: $0, column: 1) } == "\"quoted\" as written")
        #expect(table.rows(key: "A0022").first.map { table.value(row: $0, column: 1) } == "\"")
        #expect(table.rows(key: "A0023").first.map { table.line(row: $0) } == 4)
    }

    @Test func byteOrderMarkIsNotPartOfTheFirstName() throws {
        let (table, diagnostics) = try loadFixture("bom-crlf.csv", keys: ["code"])
        #expect(diagnostics.isEmpty)
        #expect(table.columns == ["code", "units"])
        #expect(table.rows(key: "99214").first.map { table.value(row: $0, column: 1) } == "3")
    }

    @Test func explicitHeaderLine() throws {
        let (table, diagnostics) = try loadFixture(
            "ccipra-v322r0-f1.excerpt.txt", keys: ["Column 1", "Column 2"], headerLine: 3)
        #expect(diagnostics.isEmpty)
        #expect(table.rowCount == 19)
        let missing = Table.load(TableSpec(
            path: try Fixture.path("ccipra-v322r0-f1.excerpt.txt"), keyColumns: ["Column 1"], headerLine: 2))
        #expect(missing.table == nil)
        #expect(located(missing.diagnostics) == ["TABLE004 2:1"])
        let past = Table.load(TableSpec(
            path: try Fixture.path("ccipra-v322r0-f1.excerpt.txt"), keyColumns: ["Column 1"], headerLine: 99))
        #expect(past.table == nil)
        #expect(located(past.diagnostics) == ["TABLE004 99:1"])
    }
}

/// Gzip input, read through zlib.
@Suite struct GzipTests {
    static let keys = ["column_1", "column_2"]

    func snapshot(_ table: Table) -> [[String]] {
        (0..<Int32(table.rowCount)).map { table.fields($0) + [String(table.line(row: $0))] }
    }

    @Test func gzipAndPlainLoadTheSameRows() throws {
        let (plain, plainDiagnostics) = try loadFixture(
            "ncci-ptp-practitioner-2024q3.excerpt.csv", keys: Self.keys, expires: "deletion_date")
        let (gzip, gzipDiagnostics) = try loadFixture(
            "ncci-ptp-practitioner-2024q3.excerpt.csv.gz", keys: Self.keys, expires: "deletion_date")
        let (members, memberDiagnostics) = try loadFixture("two-members.csv.gz", keys: Self.keys, expires: "deletion_date")
        #expect(plainDiagnostics.isEmpty && gzipDiagnostics.isEmpty && memberDiagnostics.isEmpty)
        #expect(plain.rowCount == 12)
        #expect(snapshot(gzip) == snapshot(plain))
        #expect(snapshot(members) == snapshot(plain), "concatenated gzip members are read to the end")
    }

    @Test func knownPairsOfTheQuarter() throws {
        let (table, _) = try loadFixture(
            "ncci-ptp-practitioner-2024q3.excerpt.csv.gz", keys: Self.keys, expires: "deletion_date")
        let dayInQ3 = date(2024, 8, 15)
        func indicator(_ first: String, _ second: String) -> String? {
            table.row(key1: first, key2: second, on: dayInQ3).map { table.value(row: $0, column: 3) }
        }
        #expect(indicator("43239", "43235") == "0")
        #expect(indicator("93000", "93010") == "1")
        #expect(indicator("99214", "99211") == "1")
        #expect(indicator("99213", "36591") == "0")
        #expect(indicator("99211", "99214") == nil)
        // Two rows for 99214/99211: deleted 2019-12-31, and open (99991231).
        let rows = table.rows(key1: "99214", key2: "99211")
        #expect(rows.count == 2)
        #expect(rows.map { table.expires(row: $0) } == [date(2019, 12, 31), date(9999, 12, 31)])
        let in2019 = try #require(table.row(key1: "99214", key2: "99211", on: date(2019, 12, 31)))
        #expect(table.value(row: in2019, column: 2) == "20191231")
        let in2020 = try #require(table.row(key1: "99214", key2: "99211", on: date(2020, 1, 1)))
        #expect(table.value(row: in2020, column: 2) == "99991231")
        #expect(table.distinctValues(column: 4)?.contains("CPT Separate procedure definition") == true)
        #expect(table.distinctValues(column: 0) == nil, "key columns are not interned")
    }
}
