import Testing
@testable import ClaimModel

@Suite("Code types")
struct CodesTests {
    @Test("NPI check digit (Luhn with the 80840 prefix)", arguments: [
        ("1234567893", true),   // CMS's worked example
        ("1234567890", false),  // the placeholder most public samples use
        ("1912301953", true),
        ("9876543210", false),
        ("123456789", false),   // nine digits
        ("12345678931", false), // eleven digits
        ("12345678A3", false),
        ("", false),
    ])
    func npiCheckDigit(text: String, valid: Bool) {
        #expect(NPI(text).isValid == valid)
        #expect(NPI(text).text == text)
    }

    @Test("ICD-10-CM shape", arguments: [
        ("E119", true), ("S72001A", true), ("U071", true), ("Z23", true), ("A0", false), ("1234", false),
        ("E11.9", false), ("S72001AB", false), ("e119", false), ("0340", false),
    ])
    func icd10Shape(text: String, wellFormed: Bool) {
        #expect(ICD10CMCode(text).isWellFormed == wellFormed)
    }

    @Test func icd10Dotted() {
        #expect(ICD10CMCode("S72001A").dotted == "S72.001A")
        #expect(ICD10CMCode("Z23").dotted == "Z23")
    }

    @Test("Procedure code kinds", arguments: [
        ("99213", ProcedureCode.Kind.cptCategoryI), ("0001F", .cptCategoryII), ("0042T", .cptCategoryIII),
        ("0001U", .cptPLA), ("J1550", .hcpcsLevelII), ("E0431", .hcpcsLevelII), ("W1234", .unknown),
        ("9921", .unknown), ("992134", .unknown), ("0001X", .unknown),
    ])
    func procedureKind(text: String, kind: ProcedureCode.Kind) {
        #expect(ProcedureCode(text).kind == kind)
    }

    @Test func modifierShape() {
        #expect(Modifier("25").isWellFormed)
        #expect(Modifier("XS").isWellFormed)
        #expect(!Modifier("5").isWellFormed)
        #expect(!Modifier("xs").isWellFormed)
    }

    @Test func ndcShape() {
        #expect(NDC("00026063512").isWellFormed)
        #expect(!NDC("0026-0635-12").isWellFormed)
    }
}

@Suite("Money, quantities and dates")
struct ValuesTests {
    @Test("Money parses X12 decimals into cents", arguments: [
        ("100", Int64(10000)), ("40.5", 4050), ("12.25", 1225), ("-3.37", -337), (".5", 50), ("0", 0), ("89.930", 8993),
    ])
    func moneyParses(text: String, cents: Int64) {
        let money = Money(dollars: text)
        #expect(money.cents == cents)
        #expect(money.unparsedText == nil)
    }

    @Test("Money keeps unparseable text", arguments: ["12A", "", "1.2.3", "-", "10.001", "$5"])
    func moneyKeepsText(text: String) {
        let money = Money(dollars: text)
        #expect(money.cents == nil)
        #expect(money.unparsedText == text)
        #expect(money.description == text)
    }

    @Test func moneyDescription() {
        #expect(Money(cents: 10337).description == "103.37")
        #expect(Money(cents: -5).description == "-0.05")
    }

    @Test func quantities() {
        #expect(Quantity(text: "1.0").thousandths == 1000)
        #expect(Quantity(text: "3.00").thousandths == 3000)
        #expect(Quantity(text: ".333").thousandths == 333)
        #expect(Quantity(text: "0").thousandths == 0)
        #expect(Quantity(text: "-1").thousandths == -1000)
        #expect(Quantity(text: "two").thousandths == nil)
        #expect(Quantity(text: "1.5").description == "1.5")
    }

    @Test func calendarDates() throws {
        let date = try #require(CalendarDate("20240229"))
        #expect(date.description == "2024-02-29")
        // Zero-padded to four, two and two digits; outside years 0-9999 the longer form.
        #expect(CalendarDate(year: 999, month: 1, day: 5)?.description == "0999-01-05")
        #expect(CalendarDate.distantPast.description == "0001-01-01")
        #expect(CalendarDate(dayNumber: 3_000_000).description == "10183-09-21")
        #expect(CalendarDate("20230229") == nil)
        #expect(CalendarDate("19461301") == nil)
        #expect(CalendarDate("2024-07-01") == CalendarDate(year: 2024, month: 7, day: 1))
        #expect(CalendarDate("1970-01-02")?.dayNumber == 1)
        #expect(CalendarDate("1969-12-31")?.dayNumber == -1)
        let a = try #require(CalendarDate("20240101")), b = try #require(CalendarDate("20241231"))
        #expect(b.dayNumber - a.dayNumber == 365)
        #expect(a < b)
    }

    @Test func x12DateRanges() throws {
        let range = DateOrRange(x12: "20050321-20050325", format: "RD8")
        #expect(range.from == CalendarDate("20050321"))
        #expect(range.to == CalendarDate("20050325"))
        #expect(!range.isSingleDay)
        #expect(DateOrRange(x12: "20050321", format: "D8").isSingleDay)
        let backwards = DateOrRange(x12: "20050325-20050321", format: "RD8")
        #expect(!backwards.isValid)
        #expect(backwards.unparsedText == "20050325-20050321")
        #expect(DateOrRange(x12: "20050321", format: "RD8").isValid == false)
    }
}
