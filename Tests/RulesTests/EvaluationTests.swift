import ClaimModel
import Engine
import Testing
@testable import RuleGraph
@testable import Rules

@Suite("Evaluation and effective dating")
struct EvaluationTests {
    static let datedPack = """
    pack: dated
    effective: 2024-01-01
    tables:
      pairs:
        - { file: q1.csv, key: [first, second], release: 2024Q1, effective: 2024-01-01 }
        - { file: q2.csv, key: [first, second], release: 2024Q2, effective: 2024-04-01, expires: 2024-06-30 }
    rules:
      - id: PAIR
        category: code-pairing
        severity: error
        denial: CO-97
        for: line-pair
        citation: test table
        when:
          - lookup: { table: pairs, key: [a.code, b.code] }
        message: "{b.code} with {a.code} ({pairs.note})"
      - id: UNITS
        category: units
        severity: warning
        for: line
        citation: test window 1
        expires: 2024-03-31
        when:
          - line.units: { gt: 2 }
        message: "more than 2 units"
      - id: UNITS
        category: units
        severity: warning
        for: line
        citation: test window 2
        effective: 2024-04-01
        when:
          - line.units: { gt: 4 }
        message: "more than 4 units"
    """
    static let files = [
        "q1.csv": "first,second,note\n11111,22222,only in Q1\n",
        "q2.csv": "first,second,note\n11111,33333,only in Q2\n",
    ]

    static func load() throws -> RuleSet {
        let result = try loadPack(datedPack, files: files)
        #expect(!result.hasErrors, "\(result.diagnostics)")
        return try #require(result.ruleSet)
    }

    static func run(_ ruleSet: RuleSet, _ claims: [Claim], _ context: EvaluationContext = EvaluationContext()) -> [ClaimResult] {
        let graph = RuleGraph(ruleSet).evaluate(claims, context: context)
        let reference = ReferenceEvaluator.evaluate(ruleSet, claims: claims, context: context)
        #expect(graph == reference, "the compiled graph and the reference evaluator disagree")
        return graph
    }

    /// Patients are told apart by member id, name and birth date field by field: a separator inside a field
    /// cannot make two patients one (the text key `id|last|first|…` once joined these two).
    @Test func patientsWithSeparatorsInTheirNamesStayApart() throws {
        let ruleSet = try Self.load()
        var first = claim("C1", member: "M|X", lines: [("11111", [], 1, "2024-02-01")])
        first.patient.name = PersonName(last: "DOE")
        var second = claim("C2", member: "M", lines: [("22222", [], 1, "2024-02-01")])
        second.patient.name = PersonName(last: "X|DOE")
        #expect(BatchIndex.patientKey(first) != BatchIndex.patientKey(second))
        let apart = Self.run(ruleSet, [first, second])
        #expect(apart.flatMap(\.edits).filter { $0.ruleID == "PAIR" }.isEmpty)
        // The same two lines for one patient do pair.
        var same = second
        same.subscriber.memberID = "M|X"
        same.patient.name = PersonName(last: "DOE")
        let together = Self.run(ruleSet, [first, same])
        #expect(together.flatMap(\.edits).filter { $0.ruleID == "PAIR" }.map(\.claimID) == ["C2"])
    }

    /// Patients are numbered by a hash and compared in full: across 300 patients of two claims each, every
    /// second claim pairs with its own patient's first and with no one else's; a name written precomposed in one
    /// claim and decomposed in the other is one patient, as strings compare.
    @Test func patientsAreJoinedByTheirWholeIdentityAcrossABatch() throws {
        let ruleSet = try Self.load()
        var claims: [Claim] = []
        for i in 0..<300 {
            claims.append(claim("A\(i)", member: "M\(i % 150)", lines: [("11111", [], 1, "2024-02-01")]))
            claims[claims.count - 1].patient.name = PersonName(last: "DOE\(i)")
        }
        for i in 0..<300 {
            claims.append(claim("B\(i)", member: "M\(i % 150)", lines: [("22222", [], 1, "2024-02-01")]))
            claims[claims.count - 1].patient.name = PersonName(last: "DOE\(i)")
        }
        let pairs = Self.run(ruleSet, claims).flatMap(\.edits).filter { $0.ruleID == "PAIR" }
        #expect(pairs.map(\.claimID) == (0..<300).map { "B\($0)" })
        #expect(pairs.map(\.related?.claimID) == (0..<300).map { "A\($0)" })
        var precomposed = claim("C1", member: "M", lines: [("11111", [], 1, "2024-02-01")])
        precomposed.patient.name = PersonName(last: "JOS\u{C9}")
        var decomposed = claim("C2", member: "M", lines: [("22222", [], 1, "2024-02-01")])
        decomposed.patient.name = PersonName(last: "JOSE\u{301}")
        let joined = Self.run(ruleSet, [precomposed, decomposed]).flatMap(\.edits).filter { $0.ruleID == "PAIR" }
        #expect(joined.map(\.claimID) == ["C2"])
    }

    @Test func theSameClaimOnTwoDatesGetsEachWindowsEdits() throws {
        let ruleSet = try Self.load()
        let march = claim("C1", lines: [("11111", [], 3, "2024-03-10"), ("22222", [], 1, "2024-03-10"), ("33333", [], 1, "2024-03-10")])
        let may = claim("C2", lines: [("11111", [], 3, "2024-05-10"), ("22222", [], 1, "2024-05-10"), ("33333", [], 1, "2024-05-10")])
        let results = Self.run(ruleSet, [march, may])
        // March: the Q1 release pairs 11111/22222; the first UNITS version (more than 2) fires.
        #expect(results[0].edits.map { "\($0.ruleID)@\($0.line ?? 0)" } == ["UNITS@1", "PAIR@2"])
        #expect(results[0].edits[0].ruleVersion == "2024-01-01..2024-03-31")
        #expect(results[0].edits[1].message == "22222 with 11111 (only in Q1)")
        #expect(results[0].edits[1].related == Edit.Related(claimID: "C1", line: 1, inHistory: false))
        // May: the Q2 release pairs 11111/33333; 3 units is within the second version's limit of 4.
        #expect(results[1].edits.map { "\($0.ruleID)@\($0.line ?? 0)" } == ["PAIR@3"])
        #expect(results[1].edits[0].message == "33333 with 11111 (only in Q2)")
        #expect(results[1].edits.allSatisfy { !$0.stale })
    }

    @Test func asOfJudgesEveryLineByThatDate() throws {
        let ruleSet = try Self.load()
        let may = claim("C2", lines: [("11111", [], 3, "2024-05-10"), ("22222", [], 1, "2024-05-10")])
        let results = Self.run(ruleSet, [may], EvaluationContext(asOf: CalendarDate("2024-02-01")))
        #expect(results[0].edits.map(\.ruleID) == ["UNITS", "PAIR"])
        #expect(results[0].edits[0].citation == "test window 1")
    }

    @Test func aDatePastTheNewestReleaseIsStaleAndOneBeforeTheOldestIsNotChecked() throws {
        let ruleSet = try Self.load()
        let late = claim("LATE", lines: [("11111", [], 1, "2024-08-01"), ("33333", [], 1, "2024-08-01")])
        let results = Self.run(ruleSet, [late])
        #expect(results[0].edits.map(\.ruleID) == ["PAIR"])
        #expect(results[0].edits[0].stale)
        #expect(results[0].staleTables == ["pairs 2024Q2 applied to dates of service after 2024-06-30: import the current release"])

        let early = claim("EARLY", lines: [("11111", [], 1, "2023-12-01"), ("22222", [], 1, "2023-12-01")])
        let before = Self.run(ruleSet, [early])
        // The pack is not in force before 2024: nothing fires and nothing is claimed to be checked.
        #expect(before[0].edits.isEmpty)
    }

    @Test func aTableThatStartsAfterThePackIsReportedNotChecked() throws {
        let pack = """
        pack: late-table
        effective: 2024-01-01
        tables:
          pairs: { file: q2.csv, key: [first, second], release: 2024Q2, effective: 2024-04-01 }
        rules:
          - id: PAIR
            category: code-pairing
            severity: error
            for: line-pair
            citation: test
            when:
              - lookup: { table: pairs, key: [a.code, b.code] }
            message: m
        """
        let result = try loadPack(pack, files: Self.files)
        let ruleSet = try #require(result.ruleSet)
        let results = Self.run(ruleSet, [claim("C", lines: [("11111", [], 1, "2024-02-01"), ("33333", [], 1, "2024-02-01")])])
        #expect(results[0].edits.isEmpty)
        #expect(results[0].notChecked == [NotChecked(ruleID: "PAIR", table: "pairs", line: nil, reason: "no release before 2024-04-01 is loaded")])
    }

    @Test func pairsJoinAcrossClaimsAndTheHistory() throws {
        let ruleSet = try Self.load()
        let sent = claim("SENT", lines: [("11111", [], 1, "2024-03-10")])
        let now = claim("NOW", lines: [("22222", [], 1, "2024-03-10")])
        let otherPatient = claim("OTHER", member: "M2", lines: [("22222", [], 1, "2024-03-10")])
        let results = Self.run(ruleSet, [now, otherPatient], EvaluationContext(history: [sent]))
        #expect(results[0].edits.map(\.ruleID) == ["PAIR"])
        #expect(results[0].edits[0].related == Edit.Related(claimID: "SENT", line: 1, inHistory: true))
        #expect(results[1].edits.isEmpty)  // another patient's line never pairs
    }

    @Test func aLineWithoutADateIsReportedNotCheckedForEveryLineRule() throws {
        let ruleSet = try Self.load()
        var undated = claim("U", lines: [("11111", [], 3, "2024-03-10")])
        undated.lines[0].serviceDate = nil
        let results = Self.run(ruleSet, [undated])
        #expect(results[0].edits.isEmpty)
        // Both UNITS versions are line rules; the undated line cannot be paired, so PAIR has no binding.
        #expect(results[0].notChecked.map(\.ruleID) == ["UNITS"])
        #expect(results[0].notChecked.first?.reason.contains("no date of service") == true)
    }

    @Test(arguments: [RulesFixture.shippedRules, RulesFixture.starterExample])
    func theShippedPacksPassTheirOwnTestsWithFullCoverage(_ directory: String) throws {
        let (loaded, result) = Scrubber.load(rules: [directory])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let scrubber = try #require(loaded)
        let outcome = RuleTestRunner(ruleSet: scrubber.ruleSet, graph: scrubber.graph).run()
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.coveragePercent == 100)
        #expect(outcome.testsRun >= 16)
        #expect(outcome.coverage.count >= 14)
        // The reference evaluator agrees with the graph on every test claim.
        for (_, test) in scrubber.ruleSet.tests {
            let context = EvaluationContext(today: test.today, asOf: test.asOf, history: test.history)
            #expect(scrubber.graph.evaluate(test.claims, context: context)
                    == ReferenceEvaluator.evaluate(scrubber.ruleSet, claims: test.claims, context: context), "\(test.name)")
        }
    }

    @Test func identicalConditionsAreOneNode() throws {
        let pack = """
        pack: shared
        effective: 2024-01-01
        rules:
          - { id: A, category: c, severity: error, for: line, citation: t, message: m, when: [ { line.units: { gt: 2 } }, { line.code: "99213" } ] }
          - { id: B, category: c, severity: error, for: line, citation: t, message: m, when: [ { line.units: { gt: 2 } }, { line.code: "99214" } ] }
          - { id: C, category: c, severity: error, for: line, citation: t, message: m, when: [ { line.units: { gt: 2 } } ] }
        """
        let ruleSet = try #require(try loadPack(pack).ruleSet)
        let graph = RuleGraph(ruleSet)
        #expect(graph.statistics.conditionsWritten == 5)
        #expect(graph.statistics.nodes == 3)
        #expect(graph.statistics.indexedRules == 2)   // A and B are reached through the code index
        #expect(graph.statistics.genericRules == 1)
        let results = Self.run(ruleSet, [claim("X", lines: [("99213", [], 3, "2024-03-01"), ("99215", [], 3, "2024-03-01")])])
        #expect(results[0].edits.map { "\($0.ruleID)@\($0.line ?? 0)" } == ["A@1", "C@1", "C@2"])
    }

    /// The batch index counts the per-day totals a rule reads, wherever it reads them (a template, the right side
    /// of a comparison, inside `not`), and no others; with them counted or not, results are the reference's.
    @Test func theBatchIndexCountsTheTotalsTheRulesRead() throws {
        func joins(_ rules: String) throws -> BatchIndex.Joins {
            let pack = """
            pack: p
            effective: 2024-01-01
            rules:
            \(rules)
            """
            let result = try loadPack(pack)
            #expect(!result.hasErrors, "\(result.diagnostics)")
            return RuleGraph(try #require(result.ruleSet)).joins
        }
        let plain = "  - { id: A, category: c, severity: error, for: line, citation: t, message: m, when: [ { line.units: { gt: 2 } } ] }"
        #expect(try joins(plain) == [])
        #expect(try joins("  - { id: A, category: c, severity: error, for: line, citation: t, message: m, fix: 'only {line.day-units}', when: [ { line.units: { gt: 2 } } ] }") == .dayUnits)
        #expect(try joins("  - { id: A, category: c, severity: error, for: line, citation: t, message: m, when: [ { not: { line.units: { gt: line.patient-day-repeats } } } ] }") == .patientDayRepeats)
        #expect(try joins("  - { id: A, category: c, severity: error, for: line-pair, citation: t, message: m, when: [ { a.day-units: { gt: 1 } }, { b.patient-day-repeats: { gt: 0 } } ] }") == .all)
        // Two lines of one code on a day: 2 + 3 units; the rule on day units fires on both, the plain one on one.
        let claims = [claim("X", lines: [("97110", [], 2, "2024-03-01"), ("97110", [], 3, "2024-03-01")])]
        for rules in [plain, "  - { id: D, category: c, severity: error, for: line, citation: t, message: '{line.day-units}', when: [ { line.day-units: { gt: 4 } } ] }"] {
            let ruleSet = try #require(try loadPack("pack: p\neffective: 2024-01-01\nrules:\n\(rules)").ruleSet)
            let results = Self.run(ruleSet, claims)
            #expect(results[0].edits.map(\.message) == (rules == plain ? ["m"] : ["5", "5"]))
        }
    }

    /// A diagnosis's category and prefixes read by bytes are its first three (and more) characters, as `prefix(_:)`
    /// gives them: codes with combining marks, CR LF, emoji and short codes, then 3,000 generated from such pieces.
    @Test func aDiagnosisCategoryAndPrefixesAreItsFirstCharacters() {
        var codes = ["E119", "E1", "", "E11", "E11\u{301}9", "E1\u{301}19", "\u{C9}119", "E1\r\n9", "E11\r\n", "AB\rC", "\u{1F642}E11"]
        let pieces = ["E", "1", "9", "O", "\r", "\n", "\u{301}", "\u{E9}", "\u{1F642}", "\u{200D}", " "]
        var state: UInt64 = 42
        for _ in 0..<3_000 {
            var code = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for k in 0..<Int(state >> 61) { code += pieces[Int((state >> UInt64(8 + 5 * k)) % UInt64(pieces.count))] }
            codes.append(code)
        }
        for code in codes {
            #expect(FieldReader.category(of: code) == String(code.prefix(3)), "\(code.unicodeScalars.map(\.value))")
            let prefixes = code.count < 3 ? [code] : (3...code.count).map { String(code.prefix($0)) }
            #expect(FieldReader.prefixes(of: code) == prefixes, "\(code.unicodeScalars.map(\.value))")
        }
    }

    @Test func explainShowsTheConditionsThatHeld() throws {
        let ruleSet = try Self.load()
        let march = claim("C1", lines: [("11111", [], 3, "2024-03-10"), ("22222", [], 1, "2024-03-10")])
        let results = RuleGraph(ruleSet).evaluate([march], context: EvaluationContext(explain: true))
        let pair = try #require(results[0].edits.first { $0.ruleID == "PAIR" })
        #expect(pair.explanation == ["pairs 2024Q1 has row 11111 / 22222 in force on 2024-03-10"])
        let units = try #require(results[0].edits.first { $0.ruleID == "UNITS" })
        #expect(units.explanation == ["line.units = 3: gt 2"])
    }

    @Test("corrected and void claims find their original in the history: same CLM01 or REF*F8, patient, billing; not a void; the latest")
    func originalsInTheHistory() throws {
        let pack = """
        pack: corrections
        rules:
          - id: FOUND
            category: integrity
            severity: info
            for: claim
            citation: test
            when:
              - claim.original-in-history: { is: true }
            message: "{claim.id} unchanged {claim.original-unchanged}"
          - id: MISSING
            category: integrity
            severity: info
            for: claim
            citation: test
            when:
              - claim.original-in-history: { is: false }
              - claim.original-unchanged: { present: false }
            message: "{claim.id}"
        """
        let result = try loadPack(pack)
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let ruleSet = try #require(result.ruleSet)
        func billed(_ id: String, member: String = "M1", npi: String = "1234567893", frequency: String? = nil,
                    f8: String? = nil, units: Int = 1) -> Claim {
            var c = claim(id, member: member, lines: [("99213", [], units, "2024-03-10")])
            c.billingProvider = Provider(role: .billing, name: PersonName(last: "TESTCLINIC"), npi: NPI(npi))
            c.frequencyCode = frequency
            c.originalClaimNumber = f8
            return c
        }
        let history = [
            billed("A", units: 1),                                   // 0: the original of A (by CLM01)
            billed("A2", frequency: "7", f8: "ICN-B", units: 2),     // 1: an earlier replacement of payer claim ICN-B
            billed("A3", frequency: "7", f8: "ICN-B", units: 3),     // 2: a later one: the claim as the payer holds it
            billed("V", frequency: "8", f8: "ICN-V"),                // 3: a void is never an original
            billed("O", npi: "1245319599"),                          // 4: another billing provider's claim O
        ]
        let batch = [
            billed("A", frequency: "7", f8: "ICN-A", units: 1),      // same CLM01, nothing changed
            billed("B", frequency: "7", f8: "ICN-B", units: 3),      // REF*F8 of 1 and 2: the later (2), unchanged
            billed("V", frequency: "8", f8: "ICN-V"),                // only a void matches
            billed("O", frequency: "8"),                             // another billing provider
            billed("A", member: "M2", frequency: "7"),               // another patient
            billed("B2", frequency: "7", f8: "ICN-B", units: 1),     // matches 2, units corrected
        ]
        let results = Self.run(ruleSet, batch, EvaluationContext(history: history))
        #expect(results.map { $0.edits.map(\.ruleID) } == [["FOUND"], ["FOUND"], ["MISSING"], ["MISSING"], ["MISSING"], ["FOUND"]])
        #expect(results[0].edits.first?.message == "A unchanged true")
        #expect(results[1].edits.first?.message == "B unchanged true")
        #expect(results[5].edits.first?.message == "B2 unchanged false")
        #expect(HistoryMatch.originals(claims: batch, history: history) == [0, 2, nil, nil, nil, 2])
        // With no history, nothing is found.
        #expect(Self.run(ruleSet, batch).allSatisfy { $0.edits.map(\.ruleID) == ["MISSING"] })
        // A claim the history already voided is no one's original: a later replacement or void finds nothing,
        // and a claim sent again after the void still finds the new one.
        let voidedHistory = [billed("X", units: 1), billed("X", frequency: "8", f8: "ICN-X"), billed("Y", units: 1),
                             billed("Y", frequency: "8", f8: "ICN-Y"), billed("Y", units: 2)]
        let corrections = [billed("X", frequency: "7", f8: "ICN-X", units: 2), billed("Y", frequency: "7", f8: "ICN-Y2", units: 2)]
        #expect(HistoryMatch.originals(claims: corrections, history: voidedHistory) == [nil, 4])
        #expect(Self.run(ruleSet, corrections, EvaluationContext(history: voidedHistory)).map { $0.edits.map(\.ruleID) } == [["MISSING"], ["FOUND"]])
    }

    @Test func aTablesWhereLoadsOnlyTheRowsWithThoseValues() throws {
        let pack = """
        pack: filtered
        tables:
          major:
            file: pfs.csv
            key: [hcpcs]
            where: { global_days: ["090"] }
          wrong:
            file: pfs.csv
            key: [hcpcs]
            where: { glob: ["090"] }
        rules:
          - id: MAJOR
            category: global-surgery
            severity: info
            for: line
            citation: test
            when:
              - lookup: { table: major, key: [line.code], as: major }
            message: "{line.code} {major.global_days}"
        """
        let files = ["pfs.csv": "hcpcs,global_days\n27447,090\n11200,010\n99213,XXX\n"]
        let result = try loadPack(pack, files: files)
        // A where column the header lacks is TABLE004, at the file's header.
        #expect(result.diagnostics.map(\.code) == ["TABLE004"])
        #expect(result.diagnostics.first?.message.contains("'glob'") == true)
        let fixed = try loadPack(pack.replacingOccurrences(of: "where: { glob: [\"090\"] }", with: "where: { global_days: [\"010\"] }"), files: files)
        #expect(!fixed.hasErrors, "\(fixed.diagnostics)")
        let ruleSet = try #require(fixed.ruleSet)
        guard case .releases(let releases)? = ruleSet.table("major", pack: "filtered") else {
            Issue.record("no major table")
            return
        }
        #expect(releases.first?.table.rowCount == 1)
        let results = Self.run(ruleSet, [claim("C1", lines: [("27447", [], 1, "2024-07-10"), ("11200", [], 1, "2024-07-10"), ("99213", [], 1, "2024-07-10")])])
        #expect(results[0].edits.map { "\($0.ruleID)@\($0.line ?? 0) \($0.message)" } == ["MAJOR@1 27447 090"])
    }
}

extension EvaluationTests {
    /// Tests on a line's modifiers, on every shape of modifier a claim can carry: the graph keeps lines whose
    /// modifiers are at most four of one or two ASCII bytes packed in its line facts and reads the others from the
    /// line, and both must give the reference's edits, at every position of the list.
    @Test func modifierTestsAgreeWithTheReferenceOnEveryShapeOfModifier() throws {
        let result = try loadPack("""
            pack: modifiers
            version: "1"
            effective: 2024-01-01
            tables:
              bypass: { codes: ["59", XS, "5"] }
              sides: { file: sides.csv, key: [modifier] }
            rules:
              - { id: INCLUDES-25, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes: "25" } } ], message: "25" }
              - { id: INCLUDES-5, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes: "5" } } ], message: "5" }
              - { id: INCLUDES-259, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes: "259" } } ], message: "259" }
              - { id: ANY-BYPASS, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes-any: bypass } } ], message: "any" }
              - { id: NONE-BYPASS, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes-none: bypass } } ], message: "none" }
              - { id: OUTSIDE-BYPASS, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes-outside: bypass } } ], message: "outside" }
              - { id: ANY-SIDE, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes-any: sides } } ], message: "side" }
              - { id: ANY-LITERAL, category: test, severity: error, citation: "test", for: line, when: [ { line.modifiers: { includes-any: [RT, "Ü"] } } ], message: "literal" }
            """, files: ["sides.csv": "modifier\nLT\nRT\n"])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let ruleSet = try #require(result.ruleSet)
        let shapes: [[String]] = [
            [], ["25"], ["59", "25"], ["RT", "LT", "XS", "25"], ["RT", "LT", "XS", "GA", "25"], ["5"], ["25", "5"],
            ["259"], ["", "25"], ["Ü", "RT"], ["2\u{0}", "25"], ["XS"], ["GA", "GZ"],
        ]
        let claims = shapes.enumerated().map { number, modifiers in
            claim("MOD-\(number)", lines: [("20610", modifiers, 1, "2024-08-01"), ("99213", modifiers.reversed(), 1, "2024-08-01")])
        }
        let results = Self.run(ruleSet, claims)
        func fired(_ claimIndex: Int, line: Int) -> Set<String> {
            Set(results[claimIndex].edits.filter { $0.line == line }.map(\.ruleID))
        }
        #expect(fired(1, line: 1) == ["INCLUDES-25", "NONE-BYPASS", "OUTSIDE-BYPASS"])
        // The fifth modifier: not packed, read from the line.
        #expect(fired(4, line: 1) == ["INCLUDES-25", "ANY-BYPASS", "OUTSIDE-BYPASS", "ANY-SIDE", "ANY-LITERAL"])
        #expect(fired(5, line: 1) == ["INCLUDES-5", "ANY-BYPASS"])
        #expect(fired(7, line: 2) == ["INCLUDES-259", "NONE-BYPASS", "OUTSIDE-BYPASS"])
        #expect(fired(9, line: 1) == ["NONE-BYPASS", "OUTSIDE-BYPASS", "ANY-SIDE", "ANY-LITERAL"])
    }
}

extension EvaluationTests {
    /// `equals` on a bound row's text column: the graph compares the numbers of the column's distinct texts where it
    /// can (few distinct texts, no two equal as strings) and the texts otherwise; both must give the reference's
    /// edits, across two releases of the table (the literal's number is found per release).
    @Test func columnEqualsAgreesWithTheReference() throws {
        var wide = "code,note\n"
        for n in 0..<100 { wide += "\(10_000 + n),note \(n % 80)\n" }
        let result = try loadPack("""
            pack: columns
            version: "1"
            effective: 2024-01-01
            tables:
              flags:
                - { release: Q1, file: q1.csv, key: [code], effective: 2024-01-01, expires: 2024-03-31 }
                - { release: Q2, file: q2.csv, key: [code], effective: 2024-04-01 }
              wide: { file: wide.csv, key: [code] }
            rules:
              - { id: INDICATOR-1, category: test, severity: error, citation: "test", for: line, message: "indicator 1",
                  when: [ { lookup: { table: flags, key: [line.code] } }, { flags.indicator: "1" } ] }
              - { id: NAME-CAFE, category: test, severity: error, citation: "test", for: line, message: "cafe",
                  when: [ { lookup: { table: flags, key: [line.code] } }, { flags.name: "caf\\u00E9" } ] }
              - { id: WIDE-NOTE, category: test, severity: error, citation: "test", for: line, message: "wide",
                  when: [ { lookup: { table: wide, key: [line.code] } }, { wide.note: "note 7" } ] }
            """, files: [
                "q1.csv": "code,indicator,name\n20610,1,caf\u{E9}\n99213,0,cafe\u{301}\n76942,9,tea\n",
                "q2.csv": "code,indicator,name\n20610,0,tea\n99213,1,caf\u{E9}\n76942,1,tea\n",
                "wide.csv": wide,
            ])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let ruleSet = try #require(result.ruleSet)
        let claims = ["2024-02-10", "2024-05-10"].enumerated().map { number, date in
            claim("COL-\(number)", lines: [("20610", [], 1, date), ("99213", [], 1, date), ("76942", [], 1, date),
                                            ("10007", [], 1, date), ("10087", [], 1, date), ("10008", [], 1, date)])
        }
        let results = Self.run(ruleSet, claims)
        func fired(_ claimIndex: Int) -> [String] {
            results[claimIndex].edits.map { "\($0.ruleID)@\($0.line ?? 0)" }.sorted()
        }
        // Q1: 20610 has indicator 1 and "café" composed; 99213 has it decomposed (equal as strings).
        #expect(fired(0) == ["INDICATOR-1@1", "NAME-CAFE@1", "NAME-CAFE@2", "WIDE-NOTE@4", "WIDE-NOTE@5"])
        #expect(fired(1) == ["INDICATOR-1@2", "INDICATOR-1@3", "NAME-CAFE@2", "WIDE-NOTE@4", "WIDE-NOTE@5"])
    }

    /// The evaluator decides a test on a diagnosis code, and a lookup keyed by diagnoses, once per batch for each
    /// code (`memoisedHolds`, `memoisedLookup`): the release in force, a stale release and rows' own dates must still
    /// count, claim by claim, as the reference finds them (the same codes on dates in two releases, past the newest,
    /// and back in the first).
    @Test func memoisedTestsAndLookupsFollowTheReleaseAndTheRowDates() throws {
        func rule(_ id: String, _ scope: String, _ when: String) -> String {
            "  - { id: \(id), category: test, severity: error, citation: \"test\", for: \(scope), message: \"\(id) {\(scope == "diagnosis" ? "diagnosis.code" : "a.code")}\",\n      when: [ \(when) ] }\n"
        }
        let result = try loadPack("""
            pack: memo
            version: "1"
            effective: 2024-01-01
            tables:
              dx:
                - { release: Q1, file: dx1.csv, key: [code], effective: 2024-01-01, expires: 2024-03-31 }
                - { release: Q2, file: dx2.csv, key: [code], effective: 2024-04-01, expires: 2024-06-30 }
              excl: { file: excl.csv, key: [first, second], row-effective: effective_date, row-expires: deletion_date, release: X, effective: 2024-01-01 }
            rules:

            """ + rule("UNKNOWN", "diagnosis", "{ diagnosis.code: { not-in: dx } }")
                + rule("KNOWN-E11", "diagnosis", "{ diagnosis.code: { in: dx } }, { diagnosis.category: E11 }")
                + rule("EXCLUDES", "diagnosis-pair", "{ lookup: { table: excl, key: [a.prefixes, b.prefixes] } }"),
            files: [
                "dx1.csv": "code\nE119\nI10\n",
                "dx2.csv": "code\nE119\n",
                "excl.csv": "first,second,effective_date,deletion_date\nE11,E10,2024-01-01,2024-03-31\nE10,E11,2024-01-01,\n",
            ])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let ruleSet = try #require(result.ruleSet)
        let dates = ["2024-02-10", "2024-05-10", "2024-08-01", "2024-02-11"]
        let claims = dates.enumerated().map { number, date in
            claim("MEMO-\(number)", lines: [("99213", [], 1, date)], diagnoses: ["E119", "E109", "I10"])
        }
        let results = Self.run(ruleSet, claims)
        func fired(_ claimIndex: Int) -> [String] { results[claimIndex].edits.map(\.message).sorted() }
        let first = ["EXCLUDES E109", "EXCLUDES E119", "KNOWN-E11 E119", "UNKNOWN E109"]
        // Q1 knows E119 and I10; the pair E11 / E10 is in force until March 31, E10 / E11 open.
        #expect(fired(0) == first)
        // Q2 no longer knows I10, and the E11 / E10 row has expired.
        #expect(fired(1) == ["EXCLUDES E109", "KNOWN-E11 E119", "UNKNOWN E109", "UNKNOWN I10"])
        // Past Q2's window: Q2 applied, stale, which marks the edit that found E119 in it.
        #expect(fired(2) == fired(1))
        #expect(results[2].edits.filter { $0.ruleID == "KNOWN-E11" }.map(\.stale) == [true])
        #expect(results[1].edits.filter { $0.ruleID == "KNOWN-E11" }.map(\.stale) == [false])
        // Back in Q1: what the first claim found, from the memo.
        #expect(fired(3) == first)
    }

    /// A line rule on a claim field holds on every line of the claim alike, except the patient's age, the one claim
    /// field that reads the line's date of service: a birthday between two lines' dates changes it (and the next
    /// claim is judged on its own).
    @Test func claimFieldsHoldOnEveryLineAndTheAgeByTheLinesDate() throws {
        let result = try loadPack("""
            pack: ages
            version: "1"
            effective: 2024-01-01
            rules:
              - { id: UNDER-65, category: test, severity: error, citation: "test", for: line, message: "under 65",
                  when: [ { claim.patient.age: { lt: 65 } } ] }
              - { id: MEDICARE, category: test, severity: error, citation: "test", for: line, message: "MB",
                  when: [ { claim.filing-indicator: MB } ] }
            """)
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let ruleSet = try #require(result.ruleSet)
        // Born 1959-06-15: 64 until 2024-06-14, 65 from the 15th.
        var first = claim("AGE-1", filing: "MB", lines: [("99213", [], 1, "2024-06-14"), ("99214", [], 1, "2024-06-15"),
                                                          ("99215", [], 1, "2024-06-14")])
        first.patient.birthDate = DateOrRange(x12: "19590615", format: "D8")
        var second = claim("AGE-2", filing: "CI", lines: [("99213", [], 1, "2024-06-15"), ("99214", [], 1, "2024-06-14")])
        second.patient.birthDate = DateOrRange(x12: "19600101", format: "D8")
        let results = Self.run(ruleSet, [first, second])
        func fired(_ claimIndex: Int) -> [String] { results[claimIndex].edits.map { "\($0.ruleID)@\($0.line ?? 0)" } }
        #expect(fired(0) == ["MEDICARE@1", "UNDER-65@1", "MEDICARE@2", "MEDICARE@3", "UNDER-65@3"])
        #expect(fired(1) == ["UNDER-65@1", "UNDER-65@2"])
    }
}
