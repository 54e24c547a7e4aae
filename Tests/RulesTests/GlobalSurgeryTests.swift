import ClaimModel
import Engine
import Foundation
import Testing
@testable import RuleGraph
@testable import Rules

/// The pfs pack's global-surgery rules (line pairs across dates, `within-days`; `prior-codes-10/-90`) on the shipped
/// pack and the imported PFS table: across two claims, within a batch, and against a history file, with the
/// compiled graph held to the reference evaluator on every run.
@Suite("Global surgery across dates")
struct GlobalSurgeryTests {
    static let pack = RulesFixture.shippedRules + "/pfs.yaml"

    static func ruleSet() throws -> RuleSet {
        let result = RuleSetLoader.load(paths: [pack])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        return try #require(result.ruleSet)
    }

    /// Both evaluators; their results must be the same.
    static func run(_ ruleSet: RuleSet, _ claims: [Claim], history: [Claim] = []) -> [ClaimResult] {
        let context = EvaluationContext(today: CalendarDate("2024-10-15"), history: history)
        let graph = RuleGraph(ruleSet).evaluate(claims, context: context)
        let reference = ReferenceEvaluator.evaluate(ruleSet, claims: claims, context: context)
        #expect(graph == reference, "the compiled graph and the reference evaluator disagree")
        return graph
    }

    /// A claim of one synthetic patient by one billing provider (the rendering provider of its lines).
    static func claim(_ id: String, member: String = "TST900", npi: String = "1234567893",
                      _ lines: [(String, [String], String)]) -> Claim {
        var claim = Claim(type: .professional, id: id, totalCharge: Money(cents: 1000),
                          billingProvider: Provider(role: .billing, name: PersonName(last: "TESTCLINIC"), npi: NPI(npi)),
                          subscriber: Subscriber(memberID: member, name: PersonName(last: "TESTPATIENT"), claimFilingIndicator: "CI"),
                          patient: Patient(name: PersonName(last: "TESTPATIENT"), isSubscriber: true), payer: nil)
        claim.diagnoses = [Diagnosis(code: "M1711", system: .icd10cm, role: .principal, qualifier: "ABK")]
        claim.lines = lines.enumerated().map { index, line in
            ServiceLine(number: index + 1, procedureCode: ProcedureCode(line.0), modifiers: line.1.map { Modifier($0) },
                        charge: Money(cents: 1000), units: Quantity(1), diagnosisPointers: [1],
                        serviceDate: CalendarDate(line.2).map { DateOrRange($0) })
        }
        return claim
    }

    static func global(_ results: [ClaimResult]) -> [String] {
        results.flatMap { result in
            result.edits.filter { $0.category == "global-surgery" }.map { "\(result.claimID)@\($0.line ?? 0) \($0.ruleID)" }
        }
    }

    @Test("an E/M on a second claim in the surgery's 90-day period, and the boundaries of that period")
    func acrossTwoClaims() throws {
        let ruleSet = try Self.ruleSet()
        let surgery = Self.claim("S1", [("27447", [], "2024-07-10")])
        let visits = Self.claim("V1", [
            ("99214", [], "2024-07-08"),   // two days before: outside the preoperative day
            ("99214", [], "2024-07-09"),   // the day before: preoperative
            ("99213", [], "2024-10-08"),   // day 90: the last day of the period
            ("99213", [], "2024-10-09"),   // day 91: after it
        ])
        let results = Self.run(ruleSet, [surgery, visits])
        #expect(Self.global(results) == ["V1@2 PFS-GLOBAL-PREOP-EM", "V1@3 PFS-GLOBAL-POSTOP-EM"])
        let postop = try #require(results[1].edits.first { $0.ruleID == "PFS-GLOBAL-POSTOP-EM" })
        #expect(postop.related == Edit.Related(claimID: "S1", line: 1, inHistory: false))
        #expect(postop.carc == "CO-97")
        #expect(postop.message.contains("090-day postoperative period of 27447 (2024-07-10)"))
        #expect(postop.stale, "2024-10-08 is after the July 2024 release's window")

        // --explain names the table in the date expression, not the graph's canonical alias.
        let explained = RuleGraph(ruleSet).evaluate([surgery, visits], context: EvaluationContext(explain: true))
        let because = try #require(explained[1].edits.first { $0.ruleID == "PFS-GLOBAL-POSTOP-EM" }?.explanation)
        #expect(because.contains("b.date = 2024-10-08: on-or-before (a.date + pfs.global_days)"), "\(because)")
    }

    @Test("within one batch: a minor surgery's 10 days, modifiers 24 and 25, another provider, another patient")
    func withinABatch() throws {
        let ruleSet = try Self.ruleSet()
        let batch = [
            Self.claim("M1", [("11200", [], "2024-07-15"), ("99213", ["25"], "2024-07-15")]),
            Self.claim("M2", [("99212", [], "2024-07-25"), ("99212", [], "2024-07-26"), ("99213", ["24"], "2024-07-20")]),
            Self.claim("M3", npi: "1679576722", [("99213", [], "2024-07-16")]),
            Self.claim("M4", member: "TST901", [("99213", [], "2024-07-16")]),
        ]
        let results = Self.run(ruleSet, batch)
        // Day 10 is in the 010 period, day 11 is not; 24 and 25 are the policy's exceptions; M3 is another
        // rendering provider and M4 another patient.
        #expect(Self.global(results) == ["M2@1 PFS-GLOBAL-POSTOP-EM"])
    }

    @Test("against a history file: the surgery was sent before; 58/78/79 look for it in the history")
    func againstAHistoryFile() throws {
        let ruleSet = try Self.ruleSet()
        let history = ClaimInput.read([try RulesFixture.path("global-surgery/history.json")])
        let batch = ClaimInput.read([try RulesFixture.path("global-surgery/batch.json")])
        #expect(history.inputErrors.isEmpty && batch.inputErrors.isEmpty)
        #expect(history.claims.map(\.id) == ["GS-H1"])
        let results = Self.run(ruleSet, batch.claims, history: history.claims)
        #expect(Self.global(results) == ["GS-B1@1 PFS-GLOBAL-POSTOP-EM"])
        let edit = try #require(results[0].edits.first { $0.ruleID == "PFS-GLOBAL-POSTOP-EM" })
        #expect(edit.related == Edit.Related(claimID: "GS-H1", line: 1, inHistory: true))

        // Without the history, the visit has no surgery to fall under and the 78 on 27447 points at none; the
        // 79 on 20610 has one: the 27447 on its own date (prior codes include the line's date, for a same-day 78).
        let alone = Self.run(ruleSet, batch.claims)
        #expect(Self.global(alone) == ["GS-B2@1 PFS-GLOBAL-MODIFIER-NO-SURGERY"])
    }

    @Test("through the scrub job: the history file's surgery makes the visit an error")
    func throughTheScrubber() throws {
        let (scrubber, result) = Scrubber.load(rules: [Self.pack])
        let loaded = try #require(scrubber, "\(result.diagnostics)")
        let history = ClaimInput.read([try RulesFixture.path("global-surgery/history.json")]).claims
        let batch = ClaimInput.read([try RulesFixture.path("global-surgery/batch.json")])
        let report = loaded.scrub(batch, context: EvaluationContext(today: CalendarDate("2024-10-15"), history: history))
        let first = try #require(report.claims.first)
        #expect(first.claimId == "GS-B1")
        #expect(first.status == "error")
        #expect(first.edits.map(\.ruleID).contains("PFS-GLOBAL-POSTOP-EM"))
    }

    @Test("prior-codes-10/-90 are the codes of the same patient and provider on the line's date or up to N days before")
    func priorCodes() throws {
        let claims = [
            Self.claim("P1", [("11200", [], "2024-07-01"), ("27447", [], "2024-05-01"), ("20610", [], "2024-07-20")]),
            Self.claim("P2", npi: "1679576722", [("17110", [], "2024-07-19")]),
        ]
        let history = [Self.claim("P0", [("10060", [], "2024-07-10"), ("99213", [], "2024-07-21")])]
        let index = BatchIndex(claims: claims, history: history)
        let line = index.linePosition(LineAddress(claim: 0, line: 2))  // 20610 on 2024-07-20
        // 11200 (19 days before) and 10060 (10 days) are within 90 days; 27447 (80 days) too; 99213 is after;
        // 17110 is another provider's. Batch lines come before history lines.
        #expect(index.priorCodes(line, days: 90) == ["11200", "27447", "10060"])
        #expect(index.priorCodes(line, days: 10) == ["10060"])
        #expect(index.priorCodes(line, days: 0).isEmpty)
    }
}
