import Testing
@testable import Rules

/// Broken rule files, each with the exact file:line:column and code of every problem in it.
@Suite("Rule file diagnostics")
struct DiagnosticsTests {
    typealias Expected = [(String, Int, Int, String)]

    static func check(_ file: String, _ expected: Expected) throws {
        let found = try diagnostics(file)
        #expect(found.count == expected.count, "\(file): \(found)")
        for (actual, wanted) in zip(found, expected) {
            #expect(actual == wanted, "\(file): got \(actual), expected \(wanted)")
        }
    }

    @Test func unknownKeyIsAnErrorNotIgnored() throws {
        try Self.check("broken/unknown-key.yaml", [("unknown-key.yaml", 12, 5, "RULE001")])
    }

    @Test func wrongTypesAndValues() throws {
        try Self.check("broken/wrong-types.yaml", [
            ("wrong-types.yaml", 2, 12, "RULE011"),   // effective: July 2024
            ("wrong-types.yaml", 6, 15, "RULE012"),   // severity: fatal
            ("wrong-types.yaml", 7, 10, "RULE012"),   // for: lines
            ("wrong-types.yaml", 17, 13, "RULE012"),  // denial: 97
            ("wrong-types.yaml", 19, 22, "RULE014"),  // gt on a text field
            ("wrong-types.yaml", 20, 27, "RULE014"),  // equals on a list
            ("wrong-types.yaml", 21, 29, "RULE014"),  // a date compared with a number expression
        ])
    }

    @Test func unknownFieldsTablesOperatorsAndTemplates() throws {
        try Self.check("broken/unknown-names.yaml", [
            ("unknown-names.yaml", 12, 9, "RULE004"),
            ("unknown-names.yaml", 13, 22, "RULE013"),
            ("unknown-names.yaml", 14, 26, "RULE005"),
            ("unknown-names.yaml", 15, 26, "RULE005"),
            ("unknown-names.yaml", 16, 16, "RULE015"),
        ])
        let result = RuleSetLoader.load(paths: [try RulesFixture.path("broken/unknown-names.yaml")])
        #expect(result.diagnostics[0].message.contains("did you mean 'line.units'"))
        #expect(result.diagnostics[2].message.contains("did you mean 'em'"))
    }

    @Test func badRangesAndDates() throws {
        try Self.check("broken/ranges-dates.yaml", [
            ("ranges-dates.yaml", 3, 10, "RULE011"),  // pack expires before it starts
            ("ranges-dates.yaml", 5, 30, "RULE006"),  // 99215-99211, the second entry
            ("ranges-dates.yaml", 12, 16, "RULE011"), // month 13
            ("ranges-dates.yaml", 14, 27, "RULE006"), // A0021-B0999
        ])
    }

    @Test func badLinePairDayWindows() throws {
        try Self.check("broken/day-windows.yaml", [
            ("day-windows.yaml", 8, 18, "RULE022"),   // from 90 after to -1
            ("day-windows.yaml", 17, 26, "RULE022"),  // -1.5: not a whole number of days
            ("day-windows.yaml", 26, 33, "RULE022"),  // 400 days: wider than 366
            ("day-windows.yaml", 35, 18, "RULE022"),  // on a line rule
            ("day-windows.yaml", 44, 29, "RULE001"),  // until: not from/to
            ("day-windows.yaml", 53, 18, "RULE003"),  // no from
        ])
        let result = RuleSetLoader.load(paths: [try RulesFixture.path("broken/day-windows.yaml")])
        #expect(result.diagnostics[0].message.contains("is after to"))
        #expect(result.diagnostics[3].message.contains("belongs on a 'line-pair' rule"))
    }

    @Test func duplicateIdsAndOverlappingWindows() throws {
        try Self.check("broken/duplicates.yaml", [
            ("duplicates.yaml", 11, 9, "RULE007"),
            ("duplicates.yaml", 26, 9, "RULE008"),
        ])
    }

    @Test func unreachableConditionsCyclesAndUnknownRules() throws {
        try Self.check("broken/unreachable-cycle.yaml", [
            ("unreachable-cycle.yaml", 4, 9, "RULE010"),
            ("unreachable-cycle.yaml", 12, 9, "RULE009"),
            ("unreachable-cycle.yaml", 23, 9, "RULE016"),
        ])
    }

    @Test func yamlSyntaxAndTabsAreLocated() throws {
        try Self.check("broken/syntax.yaml", [("syntax.yaml", 5, 12, "YAML001")])
        try Self.check("broken/tab.yaml", [("tab.yaml", 3, 1, "YAML001")])
    }

    @Test func overlayOfAnUnknownPack() throws {
        try Self.check("broken/overlay.yaml", [("overlay.yaml", 2, 10, "RULE017")])
    }

    @Test func testsThatCannotRunOrCannotFail() throws {
        try Self.check("broken/tests.yaml", [
            ("tests.yaml", 12, 5, "RULE003"),
            ("tests.yaml", 16, 14, "RULE018"),
            ("tests.yaml", 18, 144, "RULE018"),
        ])
    }

    @Test func everyFileIsCheckedAndSortedTogether() throws {
        let result = RuleSetLoader.load(paths: [try RulesFixture.path("broken")])
        let files = Set(result.diagnostics.map { $0.location.file.split(separator: "/").last.map(String.init) ?? "" })
        #expect(files.count == 11)
        #expect(result.diagnostics == result.diagnostics.sorted())
        #expect(result.hasErrors)
    }

    @Test func rendererShowsTheLineAndACaret() throws {
        let result = RuleSetLoader.load(paths: [try RulesFixture.path("broken/unknown-key.yaml")])
        let text = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasSuffix("unknown-key.yaml:12:5: error[RULE001]: unknown key 'colour' in a rule (allowed: id, category, severity, denial, rarc, for, citation, when, message, fix, effective, expires, payers, claim-types, suppresses, description, within-days)"))
        #expect(lines[2] == "12 |     colour: red")
        #expect(lines[3] == "   |     ^")
    }
}
