import ClaimModel
import Testing
import Tables

/// Tables built from rows in memory, and the date formats.
@Suite struct InlineTableTests {
    static let columns = ["code", "modifier", "starts", "ends", "units"]

    func table(_ rows: [[String]]) throws(TableDiagnostic) -> Table {
        try Table(
            file: "inline", columns: Self.columns, keyColumns: ["code"], rows: rows, effectiveColumn: "starts",
            expiresColumn: "ends")
    }

    @Test func windowsOfOneKeyInFileOrder() throws {
        let table = try table([
            ["99213", "", "2024-01-01", "2024-06-30", "2"],
            ["99213", "", "2024-07-01", "", "3"],
            ["99214", "25", "", "*", "1"],
            ["99213", "", "2024-06-01", "2024-12-31", "4"],  // overlaps both: the first in force wins
        ])
        #expect(table.rowCount == 4)
        #expect(table.rows(key: "99213").map { table.value(row: $0, column: 4) } == ["2", "3", "4"])
        #expect(table.rows(key: "99213").map { table.line(row: $0) } == [2, 3, 5])
        func units(on day: CalendarDate) -> String? {
            table.row(key: "99213", on: day).map { table.value(row: $0, column: 4) }
        }
        #expect(units(on: date(2023, 12, 31)) == nil)
        #expect(units(on: date(2024, 1, 1)) == "2")
        #expect(units(on: date(2024, 6, 30)) == "2")
        #expect(units(on: date(2024, 7, 1)) == "3")
        #expect(units(on: date(2030, 1, 1)) == "3")
        #expect(table.row(keyParts: ["99213"], on: date(2024, 6, 15)).map { table.value(row: $0, column: 4) } == "2")
        // No dates at all: in force on every day.
        let open = try #require(table.rows(key: "99214").first)
        #expect(table.effective(row: open) == nil && table.expires(row: open) == nil)
        #expect(table.row(key: "99214", on: date(1900, 1, 1)) == open)
        #expect(table.contains(key: "99214"))
        #expect(!table.contains(key: "99215"))
        #expect(table.value(row: open, column: "modifier") == "25")
        #expect(table.value(row: open, column: "nope") == nil)
    }

    /// The lookups by stored key codes that the evaluator uses give the rows the text lookups give, and columns
    /// read as numbers are the texts' `Double` values.
    @Test func lookupsByKeyCodeAgreeWithLookupsByText() throws {
        let table = try table([
            ["99213", "", "2024-01-01", "2024-06-30", "2"],
            ["99213", "", "2024-07-01", "", "3.5"],
            ["A-LONGER-CODE", "", "", "", "n/a"],
        ])
        for code in ["99213", "A-LONGER-CODE", "99999", ""] {
            for day in [date(2023, 12, 31), date(2024, 3, 1), date(2024, 7, 1)] {
                let byText = table.row(key: code, on: day)
                let byCode = table.keyCode(code, part: 0).flatMap { table.row(code: $0, day: Int32(day.dayNumber)) }
                #expect(byCode == byText, "\(code) on \(day)")
                let byPosition = table.keyCode(code, part: 0).flatMap(table.firstKeyPosition)
                    .flatMap { table.row(at: $0, day: Int32(day.dayNumber)) }
                #expect(byPosition == byText, "\(code) on \(day), by directory position")
            }
        }
        #expect(table.keyCode("99213", part: 1) == nil)  // one key column
        #expect(table.keyCode("99999", part: 0).flatMap(table.firstKeyPosition) == nil)  // no row starts with it
        let row = try #require(table.row(key: "99213", on: date(2024, 8, 1)))
        #expect(table.number(row: row, column: 4) == 3.5)
        #expect(table.number(row: row, column: 0) == 99213)
        let text = try #require(table.row(key: "A-LONGER-CODE", on: date(2024, 8, 1)))
        #expect(table.number(row: text, column: 4) == nil)
        // Text ids: rows with equal texts share one, and a text's id is found by string equality.
        let first = try #require(table.row(key: "99213", on: date(2024, 3, 1)))
        #expect(table.textID(row: row, column: 4) == table.textID(of: "3.5", column: 4))
        #expect(table.textID(row: first, column: 4) == table.textID(of: "2", column: 4))
        #expect(table.textID(row: first, column: 4) != table.textID(row: row, column: 4))
        #expect(table.textID(of: "4", column: 4) == -1)
        #expect(table.textID(row: row, column: 0) == nil && table.textID(of: "99213", column: 0) == nil)  // a key column
        let accents = try Table(file: "accents", columns: ["code", "name"], keyColumns: ["code"],
                                rows: [["A", "caf\u{E9}"], ["B", "cafe\u{301}"], ["C", "tea"]])
        #expect(accents.textID(of: "caf\u{E9}", column: 1) == nil)  // two byte strings, one string: no single id
        #expect(accents.textID(of: "tea", column: 1) == accents.textID(row: 2, column: 1))

        let pairs = try Table(file: "pairs", columns: ["c1", "c2", "ends"], keyColumns: ["c1", "c2"],
                              rows: [["11042", "97597", "20231231"], ["11042", "97598", ""], ["J1100", "96372", ""]],
                              expiresColumn: "ends")
        for (one, two) in [("11042", "97597"), ("11042", "97598"), ("J1100", "96372"), ("11042", "96372"), ("X", "Y")] {
            for day in [date(2023, 6, 1), date(2024, 6, 1)] {
                let byText = pairs.row(key1: one, key2: two, on: day)
                var byCode: Int32?
                if let a = pairs.keyCode(one, part: 0), let b = pairs.keyCode(two, part: 1) {
                    byCode = pairs.row(code1: a, code2: b, day: Int32(day.dayNumber))
                }
                #expect(byCode == byText, "\(one)/\(two) on \(day)")
                var byPosition: Int32?
                if let a = pairs.keyCode(one, part: 0), let position = pairs.firstKeyPosition(a), let b = pairs.keyCode(two, part: 1) {
                    byPosition = pairs.row(at: position, code2: b, day: Int32(day.dayNumber))
                }
                #expect(byPosition == byText, "\(one)/\(two) on \(day), by directory position")
            }
        }
    }

    @Test(arguments: [
        ("20240229", date(2024, 2, 29)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2/29/2024", date(2024, 2, 29)),
        ("12/31/2023", date(2023, 12, 31)),
        ("7/4/2024", date(2024, 7, 4)),
        ("07/04/2024", date(2024, 7, 4)),
        ("2013091", date(2013, 4, 1)),
        ("2024366", date(2024, 12, 31)),
        ("99991231", date(9999, 12, 31)),
    ])
    func dateFormats(text: String, expected: CalendarDate) throws {
        let table = try table([["A0021", "", text, "", "1"]])
        #expect(table.effective(row: 0) == expected)
    }

    @Test(arguments: [
        "20230229", "2023-02-29", "2/29/2023", "2023366", "20241301", "2024-1-01", "1/1/24", "13/1/2024",
        "2024/01/01", " 20240101", "2024000", "Date", "**",
    ])
    func badDatesAreRejectedWithTheirColumn(text: String) throws {
        #expect(throws: TableDiagnostic.self) { try table([["A0021", "", "20240101", "", "1"], ["A0022", "", text, "", "1"]]) }
        do {
            _ = try table([["A0021", "", "20240101", "", "1"], ["A0022", "", text, "", "1"]])
        } catch {
            #expect(error.code == "TABLE003")
            #expect(error.line == 3)
            #expect(error.column == 3)
            #expect(error.message.contains("'\(text)'"))
        }
    }

    @Test func rowProblemsThrowWithLocation() throws {
        func problem(_ rows: [[String]], key: [String] = ["code"]) -> TableDiagnostic? {
            do {
                _ = try Table(file: "inline", columns: Self.columns, keyColumns: key, rows: rows)
                return nil
            } catch {
                return error
            }
        }
        let short = problem([["99213", "", "", "", "1"], ["99214", ""]])
        #expect(short.map { "\($0.code) \($0.line):\($0.column)" } == "TABLE002 3:3")
        let empty = problem([["", "", "", "", "1"]])
        #expect(empty.map { "\($0.code) \($0.line):\($0.column)" } == "TABLE007 2:1")
        let missing = problem([], key: ["hcpcs"])
        #expect(missing.map { "\($0.code) \($0.line):\($0.column)" } == "TABLE004 1:1")
        let duplicate = try? Table(file: "inline", columns: ["a", "a"], keyColumns: ["a"], rows: [])
        #expect(duplicate == nil)
        do {
            _ = try Table(file: "inline", columns: ["a", "b"], keyColumns: ["b", "a", "b"], rows: [])
            Issue.record("a key column named twice was accepted")
        } catch {
            #expect("\(error.code) \(error.line):\(error.column)" == "TABLE006 1:2")
        }
        do {
            _ = try Table(file: "inline", columns: ["a", "b", "a"], keyColumns: ["a"], rows: [])
        } catch {
            #expect("\(error.code) \(error.line):\(error.column)" == "TABLE006 1:3")
        }
    }

    @Test func longAndNonASCIIKeysUseThePool() throws {
        let table = try Table(
            file: "inline", columns: ["name", "value"], keyColumns: ["name", "value"],
            rows: [["a-very-long-key-name", "1"], ["café", "2"], ["12345678", "3"], ["123456789", "4"]])
        #expect(table.contains(key1: "a-very-long-key-name", key2: "1"))
        #expect(table.contains(key1: "café", key2: "2"))
        #expect(table.contains(key1: "12345678", key2: "3"))
        #expect(table.contains(key1: "123456789", key2: "4"))
        #expect(!table.contains(key1: "1234567", key2: "3"))
        #expect(!table.contains(key1: "a-very-long-key-nam", key2: "1"))
        let row = try #require(table.rows(key1: "123456789", key2: "4").first)
        #expect(table.fields(row) == ["123456789", "4"])
    }

    @Test func threeColumnKeys() throws {
        let rows = [
            ["99213", "25", "11", "first"], ["99213", "", "11", "base"], ["99213", "25", "22", "office"],
            ["99212", "25", "11", "lower"], ["99213", "25", "11", "again"],
        ]
        let table = try Table(
            file: "inline", columns: ["code", "modifier", "pos", "note"], keyColumns: ["code", "modifier", "pos"],
            rows: rows, optionalKeyColumns: ["modifier"])
        #expect(!table.wasSortedByKey)
        #expect(table.rows(keyParts: ["99213", "25", "11"]).map { table.value(row: $0, column: 3) } == ["first", "again"])
        #expect(table.rows(keyParts: ["99213", "", "11"]).map { table.value(row: $0, column: 3) } == ["base"])
        #expect(table.rows(keyParts: ["99213", "25", "22"]).map { table.line(row: $0) } == [4])
        #expect(table.rows(keyParts: ["99213", "25", "33"]).isEmpty)
        #expect(table.rows(keyParts: ["99213", "25"]).isEmpty)
        #expect(table.row(keyParts: ["99212", "25", "11"], on: date(2024, 1, 1)).map { table.line(row: $0) } == 5)
        #expect(table.rows(key1: "99213", key2: "25").isEmpty, "a two-part lookup on a three-column key")
    }

    @Test func manyRowsAndWideIDs() throws {
        // 70,000 distinct values in a non-key column: ids wider than 2 bytes; a shuffled key order.
        let count = 70_000
        let rows = (0..<count).map { index -> [String] in
            let code = (index * 7_919) % count
            return ["C\(code)", "value \(code)"]
        }
        let table = try Table(file: "inline", columns: ["code", "text"], keyColumns: ["code"], rows: rows)
        #expect(table.rowCount == count)
        #expect(!table.wasSortedByKey)
        for code in [0, 1, 255, 256, 65_535, 65_536, 69_999] {
            let row = try #require(table.rows(key: "C\(code)").first)
            #expect(table.value(row: row, column: 1) == "value \(code)")
            #expect(table.line(row: row) == ((0..<count).first { ($0 * 7_919) % count == code }! + 2))
        }
        #expect(!table.contains(key: "C70000"))
    }
}
