import ClaimModel
import Testing
import Tables

/// CMS's practitioner PTP release file (tab-delimited, CRLF, banner and a header wrapped over four lines).
@Suite struct PTPLayoutTests {
    static let name = "ccipra-v322r0-f1.excerpt.txt"

    func load() throws -> Table {
        let (table, diagnostics) = try loadFixture(
            Self.name, keys: ["Column 1", "Column 2"], effective: "Effective", expires: "Deletion")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return table
    }

    @Test func headerIsFoundPastTheBannerAndItsWrappedLinesAreSkipped() throws {
        let table = try load()
        #expect(table.columns == [
            "Column 1", "Column 2", "*=in existence", "Effective", "Deletion", "Modifier", "PTP Edit Rationale",
        ])
        #expect(table.keyColumnIndices == [0, 1])
        #expect(table.effectiveColumnIndex == 3)
        #expect(table.expiresColumnIndex == 4)
        // 25 lines: 6 banner and header lines, 19 data rows (the last without a line end, as CMS writes it).
        #expect(table.rowCount == 19)
        #expect(table.wasSortedByKey)
        let first = try #require(table.rows(key1: "0001A", key2: "0591T").first)
        #expect(table.line(row: first) == 7)
        let last = try #require(table.rows(key1: "0001U", key2: "0070U").first)
        #expect(table.line(row: last) == 25)
        #expect(table.text(last, "PTP Edit Rationale") == "Misuse of Column Two code with Column One code")
    }

    @Test func fieldsKeepTheirTextWithoutTheCarriageReturn() throws {
        let table = try load()
        let row = try #require(table.rows(key1: "0001A", key2: "36591").first)
        #expect(table.fields(row) == [
            "0001A", "36591", "", "20220101", "20231231", "0", "CPT Manual or CMS manual coding instruction",
        ])
    }

    @Test func starDeletionDateIsOpenEnded() throws {
        let table = try load()
        let open = try #require(table.rows(key1: "0001U", key2: "0030U").first)
        #expect(table.value(row: open, column: 4) == "*")
        #expect(table.expires(row: open) == nil)
        #expect(table.effective(row: open) == date(2018, 7, 1))
        #expect(table.row(key1: "0001U", key2: "0030U", on: date(9999, 12, 31)) == open)
        let closed = try #require(table.rows(key1: "0001U", key2: "0028U").first)
        #expect(table.expires(row: closed) == date(2018, 9, 30))
    }

    @Test(arguments: [
        (date(2018, 6, 30), false),  // the day before the edit took effect
        (date(2018, 7, 1), true),  // its effective date
        (date(2018, 9, 30), true),  // its deletion date: still in force
        (date(2018, 10, 1), false),  // the day after
    ])
    func rowInForceAtWindowEdges(day: CalendarDate, inForce: Bool) throws {
        let table = try load()
        let found = table.row(key1: "0001U", key2: "0028U", on: day)
        #expect((found != nil) == inForce)
        if let found {
            #expect(table.line(row: found) == 18)
            #expect(table.isInForce(row: found, on: day))
        }
    }

    @Test func sameDayEffectiveAndDeletionIsInForceThatDayOnly() throws {
        // Indicator-9 rows: withdrawn retroactively, deletion date equal to the effective date.
        let table = try load()
        #expect(table.row(key1: "0001A", key2: "90473", on: date(2022, 1, 1)) != nil)
        #expect(table.row(key1: "0001A", key2: "90473", on: date(2022, 1, 2)) == nil)
        #expect(table.row(key1: "0001A", key2: "90473", on: date(2021, 12, 31)) == nil)
    }

    @Test func twoColumnKeyLookups() throws {
        let table = try load()
        #expect(table.rows(key1: "0001A", key2: "0592T").count == 1)
        #expect(table.contains(key1: "0001M", key2: "80050"))
        // The order of the key parts matters: column 1 first.
        #expect(!table.contains(key1: "80050", key2: "0001M"))
        #expect(table.rows(key1: "0001A", key2: "99999").isEmpty)
        #expect(table.rows(key1: "ZZZZZ", key2: "0591T").isEmpty)
        #expect(table.rows(keyParts: ["0001T", "34800"]).count == 1)
        #expect(table.rows(keyParts: ["0001T"]).isEmpty, "a one-part key on a two-column table matches nothing")
        #expect(table.rows(key: "0001T").isEmpty)
        let row = try #require(table.row(keyParts: ["0001T", "0002T"], on: date(2004, 3, 31)))
        #expect(table.text(row, "Modifier") == "1")
        #expect(table.row(keyParts: ["0001T", "0002T"], on: date(2004, 4, 1)) == nil)
    }
}
