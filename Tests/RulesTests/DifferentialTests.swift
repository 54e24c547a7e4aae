import ClaimModel
import Foundation
import PropertyBased
import Synchronization
import Testing
@testable import RuleGraph
@testable import Rules

/// The compiled graph must give exactly the reference evaluator's results (docs/rules.md, "How it runs"): on
/// generated rule packs (written as YAML with CSV tables and loaded by the real parser) and generated batches of
/// claims, `RuleGraph.evaluate` and `ReferenceEvaluator.evaluate` must return equal `ClaimResult`s.
///
/// Cases are deterministic: case `i` of a test is built from bytes drawn from a SplitMix64 stream seeded with the
/// test's seed and `i` (the random number generator PropertyBased passes in is not used), so CI runs the same
/// cases every time. On a failure PropertyBased shrinks the case (dropping rules and claims, shortening and
/// zeroing their bytes: every decision maps 0 to its simplest outcome) and prints the shrunk case: its pack
/// files, tables, claims as JSON, and contexts. `DIFFERENTIAL_SEED=N` explores other cases locally; the
/// `.fixedSeed` hint PropertyBased prints does not apply to these generators.
/// Shrinks a failing case before printing it (`DIFFERENTIAL_SHRINK=0` prints the first failing case as is).
private let differentialShrink = ProcessInfo.processInfo.environment["DIFFERENTIAL_SHRINK"] != "0"

@Suite(.shrinking(differentialShrink)) struct DifferentialTests {
    /// The base seed (fixed for CI; `DIFFERENTIAL_SEED` overrides it).
    static let seed: UInt64 = ProcessInfo.processInfo.environment["DIFFERENTIAL_SEED"].flatMap { UInt64($0) } ?? 20_240_701
    /// Scales the number of cases (`DIFFERENTIAL_SCALE=10` for a long local run).
    static let scale: Int = ProcessInfo.processInfo.environment["DIFFERENTIAL_SCALE"].flatMap { Int($0) } ?? 1

    /// Random packs of every construct, each run on several batches with a history, judged by date of service
    /// and as of a date: both evaluators, and the single-claim entry point for the first claim alone.
    @Test func theGraphGivesTheReferenceResults() async throws {
        let tally = DiffTally()
        let generator = DiffGen.cases(seed: Self.seed, rules: 1...10, batches: 3, claims: 1...6)
        await propertyCheck(count: 250 * Self.scale, input: generator) { generated in
            let checked = DiffRun.check(generated, tally) { ruleSet, graph, claims, context in
                var problems: [String] = []
                let expected = ReferenceEvaluator.evaluate(ruleSet, claims: claims, context: context)
                tally.add(expected, claims: claims.count)
                let actual = graph.evaluate(claims, context: context)
                if let difference = DiffRun.difference(expected, actual) { problems.append(difference) }
                if let first = claims.first {
                    let alone = ReferenceEvaluator.evaluate(ruleSet, claims: [first], context: context)
                    if let difference = DiffRun.difference(alone, [graph.evaluate(first, context: context)]) {
                        problems.append("single-claim entry point: " + difference)
                    }
                }
                return problems
            }
            for problem in checked { Issue.record(Comment(rawValue: problem)) }
        }
        print(tally.summary("graph = reference"))
    }

    /// With `explain`, both evaluators give the same edits apart from the explanations' wording (the graph names
    /// shared lookups by their table), and every edit of each carries a non-empty explanation.
    @Test func explanationsAreGivenForEveryEdit() async throws {
        let tally = DiffTally()
        let generator = DiffGen.cases(seed: Self.seed ^ 0xE4_91A1, rules: 1...8, batches: 2, claims: 1...5)
        await propertyCheck(count: 80 * Self.scale, input: generator) { generated in
            let checked = DiffRun.check(generated, tally) { ruleSet, graph, claims, context in
                var explained = context
                explained.explain = true
                let expected = ReferenceEvaluator.evaluate(ruleSet, claims: claims, context: explained)
                tally.add(expected, claims: claims.count)
                let actual = graph.evaluate(claims, context: explained)
                var problems: [String] = []
                if let difference = DiffRun.difference(DiffRun.withoutExplanations(expected), DiffRun.withoutExplanations(actual)) {
                    problems.append(difference)
                }
                for (who, results) in [("reference", expected), ("graph", actual)] {
                    for edit in results.flatMap(\.edits) where (edit.explanation ?? []).isEmpty {
                        problems.append("\(who): edit \(edit.ruleID) on claim \(edit.claimIndex) line \(edit.line.map(String.init) ?? "-") has no explanation")
                    }
                }
                // Explaining does not change what is found.
                if let difference = DiffRun.difference(DiffRun.withoutExplanations(actual), graph.evaluate(claims, context: context)) {
                    problems.append("explain changed the graph's findings: " + difference)
                }
                return problems
            }
            for problem in checked { Issue.record(Comment(rawValue: problem)) }
        }
        print(tally.summary("explanations"))
    }

    /// Batches large enough to be split between the cores (the workers share one batch index and one graph).
    @Test func batchesSplitAcrossCoresGiveTheReferenceResults() async throws {
        let tally = DiffTally()
        let generator = DiffGen.cases(seed: Self.seed ^ 0xC0_2E5, rules: 4...12, batches: 1, claims: 130...200)
        await propertyCheck(count: 4 * Self.scale, input: generator) { generated in
            let checked = DiffRun.check(generated, tally) { ruleSet, graph, claims, context in
                let expected = ReferenceEvaluator.evaluate(ruleSet, claims: claims, context: context)
                tally.add(expected, claims: claims.count)
                return DiffRun.difference(expected, graph.evaluate(claims, context: context)).map { [$0] } ?? []
            }
            for problem in checked { Issue.record(Comment(rawValue: problem)) }
        }
        print(tally.summary("split batches"))
    }
}

extension DifferentialTests {
    /// The cases that found each bug the differential tests have found, kept as fixed examples.
    @Test(arguments: DiffRegression.all) func regression(_ regression: DiffRegression) throws {
        let claims = try ClaimJSON.decode(Data(regression.claims.utf8))
        let context = EvaluationContext(today: CalendarDate("2024-11-01"))
        var generated = DiffCase(input: DiffInput(global: [], rules: [], overlayRules: [], batches: []))
        generated.files = regression.files
        generated.batches = [DiffCase.Batch(claims: claims, history: [], contexts: [context])]
        let problems = DiffRun.check(generated, DiffTally()) { ruleSet, graph, claims, context in
            let expected = ReferenceEvaluator.evaluate(ruleSet, claims: claims, context: context)
            return DiffRun.difference(expected, graph.evaluate(claims, context: context)).map { [$0] } ?? []
        }
        #expect(problems.isEmpty, "\(regression.name): \(problems.joined(separator: "\n"))")
    }
}

/// A pack, its tables and claims (JSON) on which the graph once disagreed with the reference.
struct DiffRegression: Sendable, CustomTestStringConvertible {
    var name: String
    var files: [(path: String, text: String)]
    var claims: String
    var testDescription: String { name }

    static let header = "pack: base\ntables:\n"
    static let ptp = "  ptp: { file: ptp.csv, key: [c1, c2], release: P, effective: 2024-01-01, expires: 2024-09-30 }\n"
    static let mue = "  mue: { file: mue.csv, key: [code], release: M, effective: 2024-01-01, expires: 2024-09-30 }\n"
    static let dx = "  dx: { file: dx.csv, key: [code] }\n"
    static func rule(_ id: String, _ scope: String, _ conditions: [String]) -> String {
        "  - id: \(id)\n    category: x\n    severity: error\n    for: \(scope)\n    citation: x\n    when:\n"
            + conditions.map { "      - \($0)\n" }.joined() + "    message: \"\(id)\"\n"
    }
    static func claim(lines: String, diagnoses: String = "[]") -> String {
        """
        [{"id": "C0", "type": "professional", "totalCharge": 1000, "subscriber": {"memberID": "M1", "name": {"last": "X"}},
          "patient": {"isSubscriber": true, "name": {"last": "X"}}, "diagnoses": \(diagnoses), "lines": \(lines)}]
        """
    }
    static let tables: [(path: String, text: String)] = [
        ("ptp.csv", "c1,c2\n99213,99213\n"), ("mue.csv", "code,units\n11111,1\n"), ("dx.csv", "code,group\nJ069,A\n"),
    ]

    static let all: [DiffRegression] = [
        DiffRegression(
            name: "rules of two scopes whose first condition is the same lookup are each tried in their own scope",
            files: tables + [("base.yaml", header + dx + "rules:\n"
                                + rule("R0", "claim", ["{ lookup: { table: dx, key: [claim.principal-diagnosis] } }"])
                                + rule("R1", "line", ["{ lookup: { table: dx, key: [claim.principal-diagnosis] } }"]))],
            claims: claim(lines: #"[{"number": 1, "procedureCode": "99213", "charge": 1000, "serviceDate": "2024-07-20"}]"#,
                          diagnoses: #"[{"code": "J069", "system": "ICD-10-CM", "role": "principal", "qualifier": "ABK"}]"#)),
        DiffRegression(
            name: "a code condition after a lookup does not keep a date the table does not cover from being reported",
            files: tables + [("base.yaml", header + ptp + "rules:\n"
                                + rule("R0", "line", ["{ lookup: { table: ptp, key: [line.code, line.code] } }", "{ line.code: \"99213\" }"]))],
            claims: claim(lines: #"[{"number": 1, "procedureCode": "20610", "charge": 1000, "serviceDate": "2023-11-20"}]"#)),
        DiffRegression(
            name: "membership in a table that does not cover the date is reported under the table's name",
            files: tables + [("base.yaml", header + mue + "rules:\n" + rule("R0", "line", ["{ line.code: { in: mue } }"]))],
            claims: claim(lines: #"[{"number": 1, "procedureCode": "99213", "charge": 1000, "serviceDate": "2023-11-20"}]"#)),
        DiffRegression(
            name: "a stale release is noted only for the tables in which a row was found",
            files: tables + [("base.yaml", header + ptp + mue + "rules:\n"
                                + rule("R0", "line", ["{ lookup: { table: ptp, key: [line.code, line.code] } }", "{ line.code: { not-in: mue } }"]))],
            claims: claim(lines: #"[{"number": 1, "procedureCode": "99213", "charge": 1000, "serviceDate": "2024-10-05"}]"#)),
    ]
}

/// What a test compared, for its closing line.
final class DiffTally: Sendable {
    struct Counts {
        var ruleSets = 0, rules = 0, evaluations = 0, claims = 0, edits = 0, staleEdits = 0, related = 0
        var notChecked = 0, staleNotices = 0
    }
    private let counts = Mutex(Counts())

    func add(ruleSet generated: DiffCase) {
        counts.withLock { $0.ruleSets += 1; $0.rules += generated.ruleCount }
    }

    func add(_ results: [ClaimResult], claims: Int) {
        counts.withLock { counts in
            counts.evaluations += 1
            counts.claims += claims
            for result in results {
                counts.edits += result.edits.count
                counts.staleEdits += result.edits.filter(\.stale).count
                counts.related += result.edits.filter { $0.related != nil }.count
                counts.notChecked += result.notChecked.count
                counts.staleNotices += result.staleTables.count
            }
        }
    }

    func summary(_ name: String) -> String {
        let c = counts.withLock { $0 }
        return "differential (\(name)): \(c.ruleSets) rule sets (\(c.rules) rules), \(c.evaluations) batch evaluations of \(c.claims) claims; "
            + "the reference found \(c.edits) edits (\(c.related) on line pairs, \(c.staleEdits) stale), \(c.notChecked) not-checked findings, "
            + "\(c.staleNotices) stale-release notices; the graph agreed unless an issue is reported above"
    }
}

// MARK: - Running a case

enum DiffRun {
    /// Writes the case's files to a fresh directory, loads them through `RuleSetLoader`, compiles the graph and
    /// runs `compare` for each context; returns every problem found (a pack that does not load is one).
    static func check(_ generated: DiffCase, _ tally: DiffTally,
                      _ compare: (RuleSet, RuleGraph, [Claim], EvaluationContext) -> [String]) -> [String] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("claimscrub-differential-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            for file in generated.files {
                let url = directory.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.text.write(to: url, atomically: false, encoding: .utf8)
            }
        } catch {
            return ["cannot write the case: \(error)"]
        }
        if let dump = ProcessInfo.processInfo.environment["DIFFERENTIAL_DUMP"] {
            let text = generated.testDescription
            try? text.write(toFile: dump + "/case-\(UUID().uuidString).txt", atomically: false, encoding: .utf8)
        }
        let loaded = RuleSetLoader.load(paths: [directory.path])
        guard !loaded.hasErrors, let ruleSet = loaded.ruleSet else {
            let listed = loaded.diagnostics.filter { $0.severity == .error }.prefix(5).map {
                "\(($0.location.file as NSString).lastPathComponent):\($0.location.line):\($0.location.column) \($0.code) \($0.message)"
            }
            return ["the generated pack does not load (a generator bug):\n" + listed.joined(separator: "\n")]
        }
        let graph = RuleGraph(ruleSet)
        tally.add(ruleSet: generated)
        var problems: [String] = []
        for (number, batch) in generated.batches.enumerated() {
            for (index, context) in batch.contexts.enumerated() {
                problems += compare(ruleSet, graph, batch.claims, context).map { "batch \(number + 1), context \(index + 1): \($0)" }
            }
        }
        return problems
    }

    static func withoutExplanations(_ results: [ClaimResult]) -> [ClaimResult] {
        results.map { result in
            var copy = result
            copy.edits = copy.edits.map { edit in
                var bare = edit
                bare.explanation = nil
                return bare
            }
            return copy
        }
    }

    /// The first difference between the reference's results and the graph's, in words; nil when equal.
    static func difference(_ expected: [ClaimResult], _ actual: [ClaimResult]) -> String? {
        guard expected != actual else { return nil }
        guard expected.count == actual.count else {
            return "the reference gives \(expected.count) results, the graph \(actual.count)"
        }
        for (reference, graph) in zip(expected, actual) where reference != graph {
            return "claim \(reference.claimIndex) (\(reference.claimID)) differs:\n  reference: \(describe(reference))\n  graph:     \(describe(graph))"
        }
        return "the results differ"
    }

    static func describe(_ result: ClaimResult) -> String {
        let edits = result.edits.map { edit in
            var text = "\(edit.pack)/\(edit.ruleID)@\(edit.ruleVersion) line \(edit.line.map(String.init) ?? "-")"
            if let related = edit.related { text += " with \(related.claimID):\(related.line)\(related.inHistory ? " (history)" : "")" }
            if edit.stale { text += " stale" }
            text += " \"\(edit.message)\""
            if let fix = edit.fix { text += " fix \"\(fix)\"" }
            return text
        }
        let notChecked = result.notChecked.map { "\($0.ruleID ?? "-")/\($0.table ?? "-"): \($0.reason)" }
        return "edits [\(edits.joined(separator: "; "))] not checked [\(notChecked.joined(separator: "; "))] stale [\(result.staleTables.joined(separator: "; "))]"
    }
}

// MARK: - Generators

/// The bytes a case is built from: one block for the tables and packs, one per rule and per overlay rule, and
/// for each batch of claims one per claim, per history claim and one for its contexts. Removing a block removes
/// that rule, claim or batch.
struct DiffInput: Sendable, Hashable {
    struct Batch: Sendable, Hashable {
        var claims: [[UInt8]]
        var history: [[UInt8]]
        var context: [UInt8]
    }
    var global: [UInt8]
    var rules: [[UInt8]]
    var overlayRules: [[UInt8]]
    var batches: [Batch]
}

/// Counts the cases a generator has built, so each gets its own deterministic bytes.
final class DiffCounter: Sendable {
    private let value = Mutex<UInt64>(0)
    func next() -> UInt64 { value.withLock { count in defer { count += 1 }; return count } }
}

/// SplitMix64: the deterministic byte source of the cases.
struct DiffRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

enum DiffGen {
    /// Cases of `rules` base rules (and up to 4 overlay rules), each with `batches` batches of `claims` claims.
    static func cases(seed: UInt64, rules: ClosedRange<Int>, batches: Int, claims: ClosedRange<Int>) -> Generator<DiffCase, [DiffInput]> {
        let counter = DiffCounter()
        return Generator(
            run: { _ in
                var random = DiffRandom(state: seed &* 0x2545_F491_4F6C_DD1D &+ counter.next() &* 0x9E37_79B9)
                _ = random.next()
                return DiffInput(
                    global: random.bytes(160),
                    rules: (0..<random.int(rules)).map { _ in random.bytes(72) },
                    overlayRules: (0..<random.int(0...4)).map { _ in random.bytes(72) },
                    batches: (0..<batches).map { _ in
                        DiffInput.Batch(claims: (0..<random.int(claims)).map { _ in random.bytes(96) },
                                        history: (0..<random.int(0...3)).map { _ in random.bytes(96) },
                                        context: random.bytes(4))
                    })
            },
            shrink: { shrink($0) }
        ).map { DiffCase(input: $0) }
    }

    /// Simpler inputs, most shrunk first: without a block, then a block cut short, then bytes set to 0.
    static func shrink(_ input: DiffInput) -> [DiffInput] {
        var candidates: [DiffInput] = []
        if input.batches.count > 1 {
            for index in input.batches.indices {
                var smaller = input
                smaller.batches.remove(at: index)
                candidates.append(smaller)
            }
        }
        var lists: [(path: WritableKeyPath<DiffInput, [[UInt8]]>, minimum: Int)] = [(\.rules, 0), (\.overlayRules, 0)]
        for index in input.batches.indices {
            lists.append((\DiffInput.batches[index].claims, 1))
            lists.append((\DiffInput.batches[index].history, 0))
        }
        for (list, minimum) in lists {
            let blocks = input[keyPath: list]
            guard blocks.count > minimum else { continue }
            for index in blocks.indices {
                var smaller = input
                smaller[keyPath: list].remove(at: index)
                candidates.append(smaller)
            }
        }
        var blockPaths: [WritableKeyPath<DiffInput, [UInt8]>] = [\.global]
        for index in input.batches.indices { blockPaths.append(\DiffInput.batches[index].context) }
        for (list, _) in lists {
            for index in input[keyPath: list].indices { blockPaths.append(list.appending(path: \[[UInt8]][index])) }
        }
        for path in blockPaths {
            let block = input[keyPath: path]
            guard let last = block.lastIndex(where: { $0 != 0 }) else { continue }
            if block.count > last + 1 {
                var trimmed = input
                trimmed[keyPath: path] = Array(block[...last])
                candidates.append(trimmed)
            }
            for length in [block.count / 4, block.count / 2] where length < block.count {
                var cut = input
                cut[keyPath: path] = Array(block.prefix(length))
                candidates.append(cut)
            }
        }
        for path in blockPaths {
            let block = input[keyPath: path]
            for index in block.indices where block[index] != 0 {
                var zeroed = input
                zeroed[keyPath: path][index] = 0
                candidates.append(zeroed)
                if block[index] > 1 {
                    var halved = input
                    halved[keyPath: path][index] = block[index] / 2
                    candidates.append(halved)
                }
            }
        }
        return candidates
    }
}

/// Decisions read from bytes; 0 (and bytes past the end) always gives the simplest outcome.
struct DiffChoices {
    private let bytes: [UInt8]
    private var position = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func byte() -> Int {
        defer { position += 1 }
        return position < bytes.count ? Int(bytes[position]) : 0
    }
    /// 0 … upper.
    mutating func upTo(_ upper: Int) -> Int { byte() % (upper + 1) }
    /// True about `percent` times in 100; false for 0.
    mutating func chance(_ percent: Int) -> Bool { (255 - byte()) * 100 / 256 < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[byte() % items.count] }
    /// Some of the items (at least `minimum`), in order.
    mutating func some<T>(_ items: [T], minimum: Int = 1) -> [T] {
        var chosen: [T] = []
        for item in items where chance(35) { chosen.append(item) }
        if chosen.count < minimum { chosen = Array(items.prefix(minimum)) }
        return chosen
    }
}

// MARK: - The world the cases are drawn from

/// Small value pools, so conditions, table rows and claims meet often.
enum DiffWorld {
    static let procedures = ["99213", "20610", "76942", "29881", "29877", "J1100", "99214", "0001F"]
    static let procedureRanges = ["99211-99215", "20600-20615", "J1000-J1200", "29870-29880"]
    static let modifiers = ["25", "59", "XS", "GA", "GZ", "RT"]
    /// Modifier texts claims carry though they are not modifiers (never in a rule).
    static let oddModifiers = ["5", "", "259", "Ü", "2\u{0}"]
    static let diagnoses = ["E119", "E109", "O24410", "M1711", "Z23", "J069"]
    static let diagnosisRanges = ["E100-E119", "M1700-M1799"]
    static let npis = ["1234567893", "1234567890", "1679576722"]
    static let payers = ["P1", "P2"]
    static let filings = ["MB", "CI", "MC"]
    /// Dates of service: before every release, inside them, past the newest's end, in the next year.
    static let serviceDates = ["2024-07-20", "2024-10-05", "2024-02-10", "2024-05-20", "2023-11-20", "2024-10-05", "2025-02-01", "2024-04-01"]
    static let dates = ["2024-07-01", "2024-04-01", "2024-10-01", "2023-12-31", "2025-01-01", "1980-05-05"]

    static func values(_ field: LineField) -> [String] {
        switch field {
        case .code: return procedures
        case .codeKind: return ["cptCategoryI", "hcpcsLevelII", "cptCategoryII", "unknown"]
        case .modifiers: return modifiers
        case .units, .number, .drugQuantity, .dayUnits, .patientDayRepeats: return ["1", "2", "3", "0", "4"]
        case .charge: return ["10", "50", "1500", "0"]
        case .placeOfService: return ["11", "22"]
        case .date, .dateTo: return dates
        case .revenueCode: return ["0300", "0450"]
        case .unitBasis: return ["UN", "MJ"]
        case .ndc: return ["00002143380"]
        case .drugUnit: return ["UN", "ML"]
        case .diagnoses: return diagnoses
        case .pointers, .unresolvedPointers: return ["1", "2", "3"]
        case .renderingNPI, .referringNPI, .orderingNPI: return npis
        case .renderingNPIValid, .referringNPIValid, .orderingNPIValid: return ["true", "false"]
        case .description: return ["UNLISTED PROCEDURE"]
        case .notes: return ["SEE NOTES"]
        case .attachments: return ["OZ", "09"]
        case .priorAuthorization: return ["PA1", "PA2"]
        case .dayCodes, .priorCodes10, .priorCodes90: return procedures
        case .inHistory: return ["true", "false"]
        case .claimID: return ["C0", "C1", "H0"]
        case .claimFrequency: return ["1", "7", "8"]
        }
    }

    static func values(_ field: ClaimField) -> [String] {
        switch field {
        case .id: return ["C1", "C2"]
        case .type: return ["professional", "institutional"]
        case .charge, .lineChargeTotal: return ["10", "50", "1500", "0"]
        case .frequency: return ["1", "7"]
        case .placeOfService: return ["11", "22"]
        case .facilityType: return ["13", "11"]
        case .billType: return ["131", "137"]
        case .payerID: return payers
        case .payerName: return ["PAYER ONE"]
        case .filingIndicator: return filings
        case .priorAuthorization: return ["PA1"]
        case .referral: return ["RF1"]
        case .originalClaim: return ["OC1"]
        case .memberID: return ["M1", "M2"]
        case .patientSex: return ["F", "M", "U"]
        case .patientAge: return ["40", "18", "65", "0"]
        case .patientBirthDate: return ["1980-05-05", "2010-10-10"]
        case .patientRelationship: return ["18", "19"]
        case .billingNPI, .renderingNPI, .referringNPI: return npis
        case .billingNPIValid, .renderingNPIValid, .referringNPIValid: return ["true", "false"]
        case .billingTaxID: return ["123456789"]
        case .billingTaxonomy: return ["207Q00000X"]
        case .diagnoses, .principalDiagnosis: return diagnoses
        case .diagnosisCount, .lineCount: return ["1", "2", "3", "0"]
        case .codes: return procedures
        case .notes: return ["SEE NOTES"]
        case .attachments: return ["OZ", "09"]
        case .date, .lastDate, .today: return dates
        case .daysSinceService: return ["30", "365", "0"]
        case .originalInHistory, .originalUnchanged: return ["true", "false"]
        }
    }

    static func values(_ field: DiagnosisField) -> [String] {
        switch field {
        case .code: return diagnoses
        case .role: return ["principal", "other", "admitting"]
        case .system: return ["ICD-10-CM", "ICD-9-CM"]
        case .position: return ["1", "2", "3"]
        case .poa: return ["Y", "N"]
        case .category: return ["E11", "E10", "O24", "M17"]
        case .prefixes: return diagnoses
        }
    }

    /// Columns of the CSV tables, with the values they hold.
    static let columns: [String: [(name: String, values: [String], domain: DiffField.Domain)]] = [
        "ptp": [("column_1", procedures, .procedure), ("column_2", procedures, .procedure),
                ("modifier_indicator", ["0", "1", "9"], .numeric), ("units", ["1", "2", "3"], .numeric),
                ("effective", ["20240201"], .other), ("deletion_date", ["99991231"], .other)],
        "mue": [("hcpcs_code", procedures, .procedure), ("mue_units", ["1", "2", "3"], .numeric), ("mue_mai", ["1", "2", "3"], .numeric)],
        "dxtab": [("code", diagnoses, .diagnosis), ("group", ["A", "B"], .other)],
    ]
    /// The key domains of each CSV table.
    static let keys: [String: [DiffField.Domain]] = ["ptp": [.procedure, .procedure], "mue": [.procedure], "dxtab": [.diagnosis]]
}

/// A field a generated condition can test.
struct DiffField {
    enum Domain { case procedure, modifier, diagnosis, numeric, other }
    var path: String
    var type: FieldType
    var values: [String]
    var domain: Domain
    var isColumn = false

    static func domain(of values: [String]) -> Domain {
        if values == DiffWorld.procedures { return .procedure }
        if values == DiffWorld.modifiers { return .modifier }
        if values == DiffWorld.diagnoses { return .diagnosis }
        return .other
    }

    static func line(_ root: String) -> [DiffField] {
        LineField.allCases.map { DiffField(path: "\(root).\($0.rawValue)", type: $0.type, values: DiffWorld.values($0), domain: domain(of: DiffWorld.values($0))) }
    }
    static var claim: [DiffField] {
        ClaimField.allCases.map { DiffField(path: "claim.\($0.rawValue)", type: $0.type, values: DiffWorld.values($0), domain: domain(of: DiffWorld.values($0))) }
    }
    static func diagnosis(_ root: String) -> [DiffField] {
        DiagnosisField.allCases.map { DiffField(path: "\(root).\($0.rawValue)", type: $0.type, values: DiffWorld.values($0), domain: domain(of: DiffWorld.values($0))) }
    }

    static func fields(of scope: Scope) -> [DiffField] {
        switch scope {
        case .claim: return claim
        case .line: return line("line") + claim
        case .linePair: return line("a") + line("b") + claim
        case .diagnosis: return diagnosis("diagnosis") + claim
        case .lineDiagnosis: return line("line") + diagnosis("diagnosis") + claim
        case .diagnosisPair: return diagnosis("a") + diagnosis("b") + claim
        }
    }

    /// The field rules of the scope are dispatched on (RuleGraph's index key).
    static func dispatchField(of scope: Scope) -> DiffField {
        let all = fields(of: scope)
        let path: String
        switch scope {
        case .claim: path = "claim.payer-id"
        case .line, .lineDiagnosis: path = "line.code"
        case .linePair: path = "b.code"
        case .diagnosis: path = "diagnosis.code"
        case .diagnosisPair: path = "b.code"
        }
        return all.first { $0.path == path }!
    }
}

/// What a pack's rules can see: its tables by kind, shared conditions, rules it may suppress.
struct DiffPackContext {
    var name: String
    /// Code-list tables and one-column CSV tables usable with `in:`, by the domain of their codes.
    var sets: [DiffField.Domain: [String]]
    /// CSV tables usable in lookups.
    var lookupTables: [String]
    /// Conditions on claim fields shared by rules of every pack and scope: (YAML, field path or nil).
    var shared: [(text: String, path: String?)]
    /// Rule ids the next rule may suppress.
    var suppressible: [String]
}

/// Builds one case's YAML, CSV and claims from its bytes.
struct DiffCase: CustomTestStringConvertible {
    struct Batch {
        var claims: [Claim]
        var history: [Claim]
        /// By each line's date of service, and as of a date.
        var contexts: [EvaluationContext]
    }
    var files: [(path: String, text: String)] = []
    var batches: [Batch] = []
    var ruleCount = 0

    init(input: DiffInput) {
        var global = DiffChoices(input.global)
        // Tables.
        var tables: [String] = []
        var releaseCount = 1 + global.upTo(2)
        let ptpStarts = ["2024-01-01", "2024-04-01", "2024-07-01"]
        var ptpReleases: [String] = []
        let rowEffective = global.chance(50)
        for index in 0..<releaseCount {
            let path = "tables/ptp-\(index).csv"
            files.append((path, Self.ptpCSV(&global)))
            var release = "      - { file: \(q(path)), key: [column_1, column_2], row-expires: deletion_date, release: \(q("PTP-\(index)")), effective: \(q(ptpStarts[index]))"
            if rowEffective { release += ", row-effective: effective" }
            if index == releaseCount - 1 && global.chance(75) { release += ", expires: \(q("2024-09-30"))" }
            if index < releaseCount - 1 && global.chance(15) { release += ", expires: \(q("2024-05-31"))" }
            ptpReleases.append(release + " }")
        }
        tables.append("  ptp:\n" + ptpReleases.joined(separator: "\n"))
        releaseCount = 1 + global.upTo(1)
        var mueReleases: [String] = []
        for index in 0..<releaseCount {
            let path = "tables/mue-\(index).csv"
            files.append((path, Self.mueCSV(&global)))
            var release = "      - { file: \(q(path)), key: [hcpcs_code], release: \(q("MUE-\(index)")), effective: \(q(["2024-01-01", "2024-07-01"][index]))"
            if index == releaseCount - 1 && global.chance(65) { release += ", expires: \(q("2024-09-30"))" }
            mueReleases.append(release + " }")
        }
        tables.append("  mue:\n" + mueReleases.joined(separator: "\n"))
        files.append(("tables/dx.csv", Self.dxCSV(&global)))
        tables.append("  dxtab: { file: \(q("tables/dx.csv")), key: [code] }")
        let em = global.some(["99211-99215", "20610", "J1100", "0001F"])
        tables.append("  em: { codes: [\(em.map(q).joined(separator: ", "))] }")
        let bypass = global.some(["59", "XS", "XE", "25"])
        tables.append("  bypass: { codes: [\(bypass.map(q).joined(separator: ", "))] }")
        let dxcodes = global.some(["E100-E119", "O24410", "Z23"])
        tables.append("  dxcodes: { codes: [\(dxcodes.map(q).joined(separator: ", "))] }")

        // Conditions shared between rules: on claim fields, so every scope can use them.
        var sharedBuilder = DiffRuleBuilder(fields: DiffField.claim, pack: DiffPackContext(
            name: "base", sets: [.procedure: ["em", "mue"], .modifier: ["bypass"], .diagnosis: ["dxtab", "dxcodes"]],
            lookupTables: [], shared: [], suppressible: []))
        var shared: [(String, String?)] = []
        for _ in 0..<(1 + global.upTo(3)) {
            var unused = Set<String>()
            let (text, path) = sharedBuilder.condition(&global, depth: 1, top: false, used: &unused)
            shared.append((text, path))
        }

        // The base pack.
        var base = DiffPackContext(name: "base", sets: [.procedure: ["em", "mue"], .modifier: ["bypass"], .diagnosis: ["dxtab", "dxcodes"]],
                                   lookupTables: ["ptp", "mue", "dxtab"], shared: shared, suppressible: [])
        var baseText = "pack: base\nversion: \(q("generated"))\n"
        if global.chance(30) { baseText += "effective: \(q("2024-01-01"))\n" }
        baseText += "tables:\n" + tables.joined(separator: "\n") + "\n"
        var ruleTexts: [String] = []
        var baseIDs: [String] = []
        for (index, bytes) in input.rules.enumerated() {
            var choices = DiffChoices(bytes)
            let id = "R\(index)"
            ruleTexts.append(DiffRuleBuilder.rule(id: id, &choices, pack: base))
            baseIDs.append(id)
            base.suppressible.append(id)
        }
        baseText += ruleTexts.isEmpty ? "rules: []\n" : "rules:\n" + ruleTexts.joined()
        files.append(("base.yaml", baseText))

        // Overlays: 0, 1 or 2, for a payer id or a filing indicator.
        let overlayCount = global.chance(60) ? (global.chance(30) ? 2 : 1) : 0
        var overlays: [(text: String, context: DiffPackContext, overrides: Set<String>, own: [String], disables: [String])] = []
        for number in 0..<overlayCount {
            let name = "ov\(number)"
            var header = "pack: \(name)\nextends: base\n"
            header += global.chance(50) ? "payers: { ids: [\(q(global.pick(DiffWorld.payers)))] }\n"
                : "payers: { filing-indicators: [\(q(global.pick(DiffWorld.filings)))] }\n"
            let sets: [DiffField.Domain: [String]] = [.procedure: ["em", "mue", "ovcodes"], .modifier: ["bypass"], .diagnosis: ["dxtab", "dxcodes"]]
            var overlayTables = ["  ovcodes: { codes: [\(global.some(["99213", "29877", "76942-76942"]).map(q).joined(separator: ", "))] }"]
            if global.chance(40) {
                // Shadows the base pack's table of the same name, for this overlay's rules only.
                overlayTables.append("  em: { codes: [\(global.some(["99214", "20610"]).map(q).joined(separator: ", "))] }")
            }
            header += "tables:\n" + overlayTables.joined(separator: "\n") + "\n"
            let context = DiffPackContext(name: name, sets: sets, lookupTables: ["ptp", "mue", "dxtab"], shared: shared,
                                          suppressible: baseIDs.map { "base/\($0)" })
            overlays.append((header, context, [], [], []))
        }
        var overlayRules: [[String]] = Array(repeating: [], count: overlays.count)
        var overlayOverrides: [[String]] = Array(repeating: [], count: overlays.count)
        if !overlays.isEmpty {
            for (index, bytes) in input.overlayRules.enumerated() {
                var choices = DiffChoices(bytes)
                let which = choices.upTo(overlays.count - 1)
                let kind = choices.upTo(3)
                if kind == 1, !baseIDs.isEmpty {
                    let target = choices.pick(baseIDs)
                    if !overlays[which].overrides.contains(target) {
                        overlays[which].overrides.insert(target)
                        overlayOverrides[which].append(DiffRuleBuilder.rule(id: target, &choices, pack: overlays[which].context, versions: false))
                        continue
                    }
                }
                if kind == 2, !baseIDs.isEmpty {
                    overlays[which].disables.append(choices.pick(baseIDs))
                    continue
                }
                let id = "O\(which)-\(index)"
                overlayRules[which].append(DiffRuleBuilder.rule(id: id, &choices, pack: overlays[which].context))
                overlays[which].context.suppressible.append(id)
            }
        }
        for (number, overlay) in overlays.enumerated() {
            var text = overlay.text
            if !overlayRules[number].isEmpty { text += "rules:\n" + overlayRules[number].joined() }
            if !overlayOverrides[number].isEmpty { text += "override:\n" + overlayOverrides[number].joined() }
            if !overlay.disables.isEmpty { text += "disable: [\(overlay.disables.map(q).joined(separator: ", "))]\n" }
            files.append(("\(overlay.context.name).yaml", text))
        }

        ruleCount = input.rules.count + input.overlayRules.count
        // Batches of claims, each with its history and contexts.
        for batch in input.batches {
            var claims: [Claim] = []
            var history: [Claim] = []
            for (index, bytes) in batch.claims.enumerated() {
                var choices = DiffChoices(bytes)
                claims.append(DiffClaims.claim(&choices, index: index, prefix: "C"))
            }
            for (index, bytes) in batch.history.enumerated() {
                var choices = DiffChoices(bytes)
                history.append(DiffClaims.claim(&choices, index: index, prefix: "H"))
            }
            var choices = DiffChoices(batch.context)
            let todays: [CalendarDate?] = [CalendarDate("2024-11-01"), nil, CalendarDate("2025-08-01")]
            let today = choices.pick(todays)
            let asOf = CalendarDate(choices.pick(DiffWorld.serviceDates))
            // Sometimes a replacement that repeats a history claim (`claim.original-unchanged`), by CLM01.
            if !claims.isEmpty, !history.isEmpty, choices.chance(30) {
                var copy = choices.pick(history)
                copy.frequencyCode = "7"
                if choices.chance(50) { copy.lines = copy.lines.map { var line = $0; line.units = Quantity(9); return line } }
                claims[0] = copy
            }
            let contexts = [EvaluationContext(today: today, history: history),
                            EvaluationContext(today: today, asOf: asOf, history: choices.chance(50) ? history : [])]
            batches.append(Batch(claims: claims, history: history, contexts: contexts))
        }
    }

    static func ptpCSV(_ c: inout DiffChoices) -> String {
        var rows = ["column_1,column_2,effective,deletion_date,modifier_indicator,units"]
        let count = c.upTo(40)
        for _ in 0..<count {
            let first = c.pick(DiffWorld.procedures), second = c.pick(DiffWorld.procedures)
            let effective = c.pick(["", "20240201", "2024-05-01", "*"])
            let deletion = c.pick(["99991231", "*", "", "99991231", "20240515", "20231231"])
            rows.append("\(first),\(second),\(effective),\(deletion),\(c.pick(["1", "0", "9"])),\(c.pick(["1", "2", "3", ""]))")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    static func mueCSV(_ c: inout DiffChoices) -> String {
        var rows = ["hcpcs_code,mue_units,mue_mai"]
        for code in DiffWorld.procedures where c.chance(70) {
            rows.append("\(code),\(c.pick(["1", "2", "3", "0"])),\(c.pick(["1", "2", "3"]))")
            if c.chance(10) { rows.append("\(code),\(c.pick(["4", "5"])),\(c.pick(["1", "2", "3"]))") }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    static func dxCSV(_ c: inout DiffChoices) -> String {
        var rows = ["code,group"]
        for code in DiffWorld.diagnoses where c.chance(60) { rows.append("\(code),\(c.pick(["A", "B"]))") }
        return rows.joined(separator: "\n") + "\n"
    }

    var testDescription: String {
        var out = "\n"
        for file in files { out += "--- \(file.path)\n\(file.text)" }
        func json(_ claims: [Claim]) -> String {
            (try? ClaimJSON.encode(claims, pretty: false)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        }
        for (number, batch) in batches.enumerated() {
            out += "--- batch \(number + 1): claims (JSON)\n\(json(batch.claims))\n"
            if !batch.history.isEmpty { out += "--- batch \(number + 1): history (JSON)\n\(json(batch.history))\n" }
            for (index, context) in batch.contexts.enumerated() {
                out += "--- batch \(number + 1), context \(index + 1): today \(context.today?.description ?? "-"), as of \(context.asOf?.description ?? "-"), history \(context.history.count) claims\n"
            }
        }
        return out
    }
}

/// A YAML double-quoted scalar (the generated texts have no quotes or backslashes).
fileprivate func q(_ text: String) -> String { "\"\(text)\"" }

/// Generates one rule (or two versions of it) of a pack.
struct DiffRuleBuilder {
    var fields: [DiffField]
    var pack: DiffPackContext
    /// The non-key columns of the last lookup's alias (`lookup`), for a condition on the row it binds.
    var lastLookupColumns: [DiffField] = []

    static func rule(id: String, _ c: inout DiffChoices, pack: DiffPackContext, versions: Bool = true) -> String {
        let scope = Scope.allCases[c.upTo(Scope.allCases.count - 1)]
        if versions && c.chance(15) {
            // Two versions of the rule with windows that meet.
            let first = one(id: id, scope: scope, &c, pack: pack, window: "    expires: \(q("2024-06-30"))\n")
            let second = one(id: id, scope: scope, &c, pack: pack, window: "    effective: \(q("2024-07-01"))\n")
            return first + second
        }
        let windows = ["", "    effective: \(q("2024-04-01"))\n", "    expires: \(q("2024-09-30"))\n",
                       "    effective: \(q("2024-03-01"))\n    expires: \(q("2024-12-31"))\n"]
        return one(id: id, scope: scope, &c, pack: pack, window: c.chance(30) ? c.pick(windows) : "")
    }

    static func one(id: String, scope: Scope, _ c: inout DiffChoices, pack: DiffPackContext, window: String) -> String {
        var builder = DiffRuleBuilder(fields: DiffField.fields(of: scope), pack: pack)
        var used = Set<String>()
        var items: [String] = []
        let lookups = c.byte() % 100
        let lookupCount = lookups < 45 ? 0 : lookups < 85 ? 1 : 2
        let lookupFirst = !c.chance(20)
        let conditionCount = c.upTo(2) + (lookupCount == 0 ? 1 : 0)
        if !lookupFirst && conditionCount > 0 {
            items.append(builder.condition(&c, depth: 0, top: true, used: &used).text)
        }
        var aliases: [String: String] = [:]
        for _ in 0..<lookupCount {
            if let lookup = builder.lookup(&c, aliases: &aliases) {
                items.append(lookup)
                // Often a test on the row just bound (random conditions seldom pick a bound column, and then
                // rarely with a value the row holds).
                if c.chance(50), let column = builder.columnCondition(&c) {
                    items.append(builder.guarded(column.text, column.path, top: true, used: &used).text)
                }
            }
        }
        for _ in 0..<max(0, lookupFirst ? conditionCount : conditionCount - 1) {
            items.append(builder.condition(&c, depth: 0, top: true, used: &used).text)
        }
        // Often a test on a line's modifiers (random conditions seldom pick one among the many fields): every list
        // test, with the modifiers claims carry.
        let modifierFields = builder.fields.filter { $0.path.hasSuffix(".modifiers") }
        if !modifierFields.isEmpty && c.chance(30) {
            let field = c.pick(modifierFields)
            let one = c.pick(DiffWorld.modifiers), two = c.pick(DiffWorld.modifiers)
            let test = c.pick(["{ includes: \(q(one)) }", "{ includes-any: [\(q(one)), \(q(two))] }",
                               "{ includes-none: [\(q(one))] }", "{ includes-outside: [\(q(one)), \(q(two))] }"])
            items.append(builder.guarded("{ \(q(field.path)): \(test) }", field.path, top: true, used: &used).text)
        }
        if c.chance(15), let negated = builder.negatedLookup(&c) {
            items.append(negated)  // after the lookups whose columns its key may read
        }
        if c.chance(45) {
            // A condition the graph indexes the rule by (equals, or a literal list).
            let key = DiffField.dispatchField(of: scope)
            let value = c.pick(key.values)
            let text: String
            switch c.upTo(3) {
            case 0: text = "{ \(q(key.path)): \(q(value)) }"
            case 1: text = "{ \(q(key.path)): { equals: \(q(value)) } }"
            case 2: text = "{ \(q(key.path)): { in: [\(q(value)), \(q(c.pick(key.values)))] } }"
            default: text = "{ \(q(key.path)): [\(q(value))] }"
            }
            let wrapped = used.contains(key.path) ? "{ any: [\(text)] }" : text
            items.insert(wrapped, at: c.chance(50) ? c.upTo(items.count) : 0)
        }
        if items.isEmpty { items.append(builder.condition(&c, depth: 0, top: true, used: &used).text) }

        var text = "  - id: \(q(id))\n    category: \(q("generated"))\n"
        text += "    severity: \(q(c.pick(["error", "warning", "info"])))\n"
        if c.chance(80) { text += "    denial: \(q(c.pick(["CO-97", "CO-151", "PR-204"])))\n" }
        if c.chance(10) { text += "    rarc: [\(q("N362"))]\n" }
        text += "    for: \(q(scope.rawValue))\n    citation: \(q("generated case"))\n"
        if scope == .linePair && c.chance(40) {
            // Line pairs across dates: windows that reach the generated dates' gaps (1, 10, 77, 90, 91 days …).
            let (from, to) = c.pick([(-1, 90), (0, 10), (1, 90), (-90, -1), (-366, 366), (0, 0), (77, 77), (-10, 0)])
            text += "    within-days: { from: \(from), to: \(to) }\n"
        }
        text += window
        if c.chance(20) {
            text += c.chance(50) ? "    payers: { ids: [\(q(c.pick(DiffWorld.payers)))] }\n"
                : "    payers: { filing-indicators: [\(q(c.pick(DiffWorld.filings)))] }\n"
        }
        if c.chance(15) { text += "    claim-types: [\(q(c.pick(["professional", "institutional"])))]\n" }
        let suppressible = pack.suppressible.filter { $0 != id && $0 != "base/\(id)" }
        if !suppressible.isEmpty && c.chance(20) {
            text += "    suppresses: [\(q(c.pick(suppressible)))]\n"
        }
        text += "    when:\n" + items.map { "      - \($0)\n" }.joined()
        let shown = builder.fields
        var message = "\(id):"
        for _ in 0...c.upTo(2) { message += " {\(c.pick(shown).path)}" }
        if c.chance(10) { message += " {{literal}}" }
        text += "    message: \(q(message))\n"
        if c.chance(30) { text += "    fix: \(q("Check {\(c.pick(shown).path)}"))\n" }
        return text
    }

    /// A lookup on a CSV table whose key the rule's fields (or an earlier lookup's columns) can give.
    mutating func lookup(_ c: inout DiffChoices, aliases: inout [String: String]) -> String? {
        let table = c.pick(pack.lookupTables)
        guard let domains = DiffWorld.keys[table] else { return nil }
        var key: [String] = []
        for domain in domains {
            let candidates = fields.filter { $0.domain == domain && $0.type == .text }
            guard !candidates.isEmpty else { return nil }
            key.append(c.pick(candidates).path)
        }
        let alias = c.pick([table, "p", "q", "x\(table)"])
        aliases[alias] = table
        fields.removeAll { $0.isColumn && $0.path.hasPrefix(alias + ".") }
        lastLookupColumns = []
        let keyDomains = Set(domains.map { "\($0)" })
        for column in DiffWorld.columns[table] ?? [] {
            let field = DiffField(path: "\(alias).\(column.name)", type: .text, values: column.values, domain: column.domain, isColumn: true)
            fields.append(field)
            if !keyDomains.contains("\(column.domain)") && !["effective", "deletion_date"].contains(column.name) {
                lastLookupColumns.append(field)
            }
        }
        var text = "{ lookup: { table: \(q(table)), key: [\(key.map(q).joined(separator: ", "))]"
        if alias != table || c.chance(20) { text += ", as: \(q(alias))" }
        return text + " } }"
    }

    /// `equals`, `not-equals` or a literal `in` on a non-key column of the last lookup, with values the column holds.
    func columnCondition(_ c: inout DiffChoices) -> (text: String, path: String)? {
        guard !lastLookupColumns.isEmpty else { return nil }
        let column = c.pick(lastLookupColumns)
        let value = c.pick(column.values)
        let test: String
        switch c.upTo(3) {
        case 0: test = q(value)
        case 1: test = "{ equals: \(q(value)) }"
        case 2: test = "{ not-equals: \(q(value)) }"
        default: test = "{ in: [\(q(value)), \(q(c.pick(column.values)))] }"
        }
        return ("{ \(q(column.path)): \(test) }", column.path)
    }

    /// `not: { lookup: … }` (no row of that key in force); a procedure-code part may be a list field
    /// (`line.day-codes`: any of its codes). Binds no alias.
    mutating func negatedLookup(_ c: inout DiffChoices) -> String? {
        let table = c.pick(pack.lookupTables)
        guard let domains = DiffWorld.keys[table] else { return nil }
        var key: [String] = []
        for domain in domains {
            let candidates = fields.filter { $0.domain == domain && ($0.type == .text || $0.path.hasSuffix(".day-codes") || $0.path.contains(".prior-codes-")) }
            guard !candidates.isEmpty else { return nil }
            key.append(c.pick(candidates).path)
        }
        return "{ not: { lookup: { table: \(q(table)), key: [\(key.map(q).joined(separator: ", "))] } } }"
    }

    /// A condition as YAML flow text, with the field it tests when it is a plain comparison. At the top of
    /// `when` (and inside a top-level `all`) each field is tested once, so that no generated rule is
    /// contradictory (RULE009); a repeated field goes inside an `any`.
    mutating func condition(_ c: inout DiffChoices, depth: Int, top: Bool, used: inout Set<String>) -> (text: String, path: String?) {
        var kind = depth >= 2 ? 0 : c.upTo(11)
        if kind >= 10 && pack.shared.isEmpty { kind = 0 }
        switch kind {
        case 7:
            let count = 1 + c.upTo(2)
            let parts = (0..<count).map { _ in condition(&c, depth: depth + 1, top: top, used: &used).text }
            return ("{ all: [\(parts.joined(separator: ", "))] }", nil)
        case 8:
            var unused = Set<String>()
            let count = 1 + c.upTo(2)
            let parts = (0..<count).map { _ in condition(&c, depth: depth + 1, top: false, used: &unused).text }
            return ("{ any: [\(parts.joined(separator: ", "))] }", nil)
        case 9:
            var unused = Set<String>()
            if c.chance(50) {
                return ("{ not: \(condition(&c, depth: depth + 1, top: false, used: &unused).text) }", nil)
            }
            let parts = (0..<2).map { _ in condition(&c, depth: depth + 1, top: false, used: &unused).text }
            return ("{ not: [\(parts.joined(separator: ", "))] }", nil)
        case 10, 11:
            let (text, path) = c.pick(pack.shared)
            return guarded(text, path, top: top, used: &used)
        default:
            let field = pickField(&c)
            let text = "{ \(q(field.path)): \(comparison(field, &c)) }"
            return guarded(text, field.path, top: top, used: &used)
        }
    }

    /// A field, most often one the rule packs test (codes, modifiers, units, dates, diagnoses, table columns).
    func pickField(_ c: inout DiffChoices) -> DiffField {
        let hot = fields.filter { field in
            field.isColumn || field.domain != .other
                || ["units", "day-units", "date", "charge", "pointers", "position", "payer-id", "filing-indicator", "patient.sex"]
                    .contains { field.path.hasSuffix("." + $0) }
        }
        return !hot.isEmpty && c.chance(65) ? c.pick(hot) : c.pick(fields)
    }

    func guarded(_ text: String, _ path: String?, top: Bool, used: inout Set<String>) -> (text: String, path: String?) {
        // A shared `all` would be flattened into the top of `when`, where its fields are not tracked.
        if top && text.hasPrefix("{ all:") { return ("{ any: [\(text)] }", nil) }
        guard top, let path else { return (text, path) }
        if used.contains(path) { return ("{ any: [\(text)] }", nil) }
        used.insert(path)
        return (text, path)
    }

    func value(_ field: DiffField, _ c: inout DiffChoices) -> String {
        c.chance(8) ? "ZZ9" : c.pick(field.values)
    }

    func literalList(_ field: DiffField, _ c: inout DiffChoices) -> String {
        // A '-' in a code list is a range: values with one (dates, ICD-10-CM) are left out.
        var items = (0...c.upTo(2)).map { _ in value(field, &c) }.filter { !$0.contains("-") }
        if items.isEmpty { items = ["ZZ9"] }
        if field.domain == .procedure && c.chance(40) { items.append(c.pick(DiffWorld.procedureRanges)) }
        if field.domain == .diagnosis && c.chance(40) { items.append(c.pick(DiffWorld.diagnosisRanges)) }
        return "[\(Array(Set(items)).sorted().map(q).joined(separator: ", "))]"
    }

    /// A table name (for the field's domain) or a literal list.
    func set(_ field: DiffField, _ c: inout DiffChoices) -> String {
        if let tables = pack.sets[field.domain], c.chance(60) { return q(c.pick(tables)) }
        return literalList(field, &c)
    }

    /// Another field `same-as`/`differs-from` may compare with: of the same type, or a table column.
    func other(_ field: DiffField, _ c: inout DiffChoices) -> String? {
        let candidates = fields.filter { other in
            guard other.path != field.path else { return false }
            if field.type == .list || other.type == .list { return field.type == other.type }
            return other.type == field.type || other.isColumn || field.isColumn
        }
        return candidates.isEmpty ? nil : c.pick(candidates).path
    }

    func numberExpression(_ c: inout DiffChoices) -> String {
        func atom(_ c: inout DiffChoices) -> String {
            switch c.upTo(2) {
            case 1:
                let numbers = fields.filter { $0.type == .number }
                if !numbers.isEmpty { return c.pick(numbers).path }
            case 2:
                let columns = fields.filter { $0.isColumn && $0.domain == .numeric }
                if !columns.isEmpty { return c.pick(columns).path }
            default: break
            }
            return c.pick(["1", "2", "0", "3", "1.5"])
        }
        switch c.upTo(5) {
        case 3: return "\(atom(&c)) + \(atom(&c))"
        case 4: return "\(atom(&c)) * 2"
        case 5: return "(\(atom(&c)) - 1) / \(atom(&c))"
        default: return atom(&c)
        }
    }

    func dateExpression(_ c: inout DiffChoices) -> String {
        let dates = fields.filter { $0.type == .date }
        let days = c.pick(["1", "30", "365"])
        switch c.upTo(4) {
        case 1 where !dates.isEmpty: return c.pick(dates).path
        case 2 where !dates.isEmpty: return "\(c.pick(dates).path) + \(days)"
        case 3 where !dates.isEmpty: return "\(c.pick(dates).path) - \(days)"
        case 4: return "2024-07-01 + \(days)"
        default: return c.pick(DiffWorld.dates)
        }
    }

    /// The value side of a comparison on `field`, as YAML flow text.
    func comparison(_ field: DiffField, _ c: inout DiffChoices) -> String {
        let flag = c.chance(50) ? "true" : "false"
        if field.isColumn {
            switch c.upTo(7) {
            case 1: return "{ in: \(literalList(field, &c)) }"
            case 2: return "{ not-in: \(set(field, &c)) }"
            case 3: return "{ \(c.pick(["gt", "ge", "lt", "le"])): \(q(numberExpression(&c))) }"
            case 4: return "{ present: \(flag) }"
            case 5: return "{ starts-with: \(q(String(value(field, &c).prefix(1)))) }"
            case 6: if let other = other(field, &c) { return "{ same-as: \(q(other)) }" }
            case 7: return "{ not-equals: \(q(value(field, &c))) }"
            default: break
            }
            return q(value(field, &c))
        }
        switch field.type {
        case .text:
            switch c.upTo(10) {
            case 1: return "{ equals: \(q(value(field, &c))) }"
            case 2: return "{ not-equals: \(q(value(field, &c))) }"
            case 3: return "{ in: \(literalList(field, &c)) }"
            case 4: return literalList(field, &c)
            case 5: return "{ in: \(set(field, &c)) }"
            case 6: return "{ not-in: \(set(field, &c)) }"
            case 7:
                let prefixes = (0...c.upTo(1)).map { _ in String(value(field, &c).prefix(1 + c.upTo(1))) }
                return prefixes.count == 1 ? "{ starts-with: \(q(prefixes[0])) }" : "{ starts-with: [\(prefixes.map(q).joined(separator: ", "))] }"
            case 8: return "{ present: \(flag) }"
            case 9, 10:
                if let other = other(field, &c) { return "{ \(c.chance(50) ? "same-as" : "differs-from"): \(q(other)) }" }
            default: break
            }
            return q(value(field, &c))
        case .number:
            switch c.upTo(10) {
            case 0, 1, 2, 3: return "{ \(["gt", "ge", "lt", "le"][c.upTo(3)]): \(q(numberExpression(&c))) }"
            case 4: return "{ equals: \(q(value(field, &c))) }"
            case 5: return "{ not-equals: \(q(value(field, &c))) }"
            case 6: return "{ present: \(flag) }"
            case 8: if let other = other(field, &c) { return "{ same-as: \(q(other)) }" }
            case 9: return "{ in: \(literalList(field, &c)) }"
            case 10: return "{ gt: \(q(numberExpression(&c))), lt: \(q(numberExpression(&c))) }"
            default: break
            }
            return q(value(field, &c))
        case .date:
            switch c.upTo(8) {
            case 0, 1, 2, 3:
                return "{ \(["before", "after", "on-or-before", "on-or-after"][c.upTo(3)]): \(q(dateExpression(&c))) }"
            case 4: return "{ equals: \(q(c.pick(DiffWorld.serviceDates))) }"
            case 5: return "{ present: \(flag) }"
            case 6: if let other = other(field, &c) { return "{ same-as: \(q(other)) }" }
            case 7: return "{ not-equals: \(q(c.pick(DiffWorld.serviceDates))) }"
            case 8: return "{ on-or-after: \(q(dateExpression(&c))), before: \(q(dateExpression(&c))) }"
            default: break
            }
            return q(c.pick(DiffWorld.serviceDates))
        case .flag:
            switch c.upTo(4) {
            case 0: return "{ is: true }"
            case 1: return "{ is: false }"
            case 3: return "{ present: \(flag) }"
            case 4: return "{ not-equals: \(q("true")) }"
            default: return q(flag)
            }
        case .list:
            switch c.upTo(7) {
            case 1: return "{ includes-any: \(literalList(field, &c)) }"
            case 2: return "{ includes-any: \(set(field, &c)) }"
            case 3: return c.chance(50) ? "{ includes-none: \(set(field, &c)) }" : "{ includes-outside: \(set(field, &c)) }"
            case 4:
                let bound = c.chance(20) ? "claim.line-count" : c.pick(["0", "1", "2"])
                return "{ count: { \(c.pick(["equals", "gt", "ge", "lt", "le"])): \(q(bound)) } }"
            case 5: return "{ present: \(flag) }"
            case 6: return literalList(field, &c)
            case 7: if let other = other(field, &c) { return "{ same-as: \(q(other)) }" }
            default: break
            }
            return "{ includes: \(q(value(field, &c))) }"
        }
    }
}

/// Generated claims: a few patients, providers and dates, so lines pair up and units add up across claims and
/// the history.
enum DiffClaims {
    static let patients: [(member: String?, name: PersonName, birth: String)] = [
        ("M1", PersonName(last: "TESTPATIENT", first: "ALPHA"), "1980-05-05"),
        ("M2", PersonName(last: "OTHER", first: "BETA"), "2010-10-10"),
        ("M1", PersonName(last: "TESTPATIENT", first: "GAMMA"), "2015-01-01"),
        (nil, PersonName(last: "TESTPATIENT", first: "ALPHA"), "1980-05-05"),
    ]

    static func provider(_ role: Provider.Role, _ npi: String) -> Provider {
        Provider(role: role, name: PersonName(last: "PROVIDER"), npi: NPI(npi))
    }

    static func claim(_ c: inout DiffChoices, index: Int, prefix: String) -> Claim {
        let patient = c.pick(patients)
        let type: ClaimType = c.chance(15) ? .institutional : .professional
        let id = c.chance(15) ? "\(prefix)\(c.upTo(2))" : "\(prefix)\(index)"
        let billing: Provider? = c.chance(10) ? nil : provider(.billing, c.pick(DiffWorld.npis))
        var claim = Claim(
            type: type, id: id, totalCharge: Money(cents: Int64(c.pick([1000, 5000, 150_000]))),
            createdOn: c.chance(50) ? CalendarDate(c.pick(["2024-11-01", "2024-08-01", "2025-06-01"])) : nil,
            billingProvider: billing,
            subscriber: Subscriber(memberID: patient.member, name: patient.name,
                                   claimFilingIndicator: c.chance(60) ? c.pick(DiffWorld.filings) : nil),
            patient: Patient(name: patient.name, birthDate: CalendarDate(patient.birth).map { DateOrRange($0) },
                             sex: c.chance(80) ? c.pick(["F", "M", "U"]) : nil,
                             relationshipToSubscriber: c.chance(50) ? "18" : nil, isSubscriber: true),
            payer: c.chance(70) ? Payer(id: c.chance(90) ? c.pick(DiffWorld.payers) : nil, name: "PAYER ONE") : nil)
        if c.chance(40) { claim.placeOfService = c.pick(["11", "22"]) }
        if type == .institutional || c.chance(10) { claim.facilityTypeCode = c.pick(["13", "11"]) }
        if c.chance(40) { claim.frequencyCode = c.pick(["1", "7"]) }
        if c.chance(15) { claim.priorAuthorization = "PA1" }
        if c.chance(10) { claim.referralNumber = "RF1" }
        if c.chance(20) { claim.renderingProvider = provider(.rendering, c.pick(DiffWorld.npis)) }
        if c.chance(15) { claim.referringProvider = provider(.referring, c.pick(DiffWorld.npis)) }
        if c.chance(10) { claim.notes = [Note(reference: "ADD", text: "SEE NOTES")] }
        if c.chance(10) { claim.attachments = [Attachment(reportType: c.pick(["OZ", "09"]), transmission: "FX")] }
        if c.chance(15), let statement = CalendarDate(c.pick(DiffWorld.serviceDates)) {
            claim.dates = [QualifiedDate(qualifier: "434", date: DateOrRange(statement))]
        }
        let diagnosisCount = c.upTo(4)
        claim.diagnoses = (0..<diagnosisCount).map { position in
            let role: Diagnosis.Role = position == 0 && !c.chance(10) ? .principal : c.pick([.other, .other, .admitting])
            return Diagnosis(code: c.pick(DiffWorld.diagnoses), system: c.chance(90) ? .icd10cm : .icd9cm, role: role,
                             qualifier: role == .principal ? "ABK" : "ABF", presentOnAdmission: c.chance(20) ? c.pick(["Y", "N"]) : nil)
        }
        let mainDate = c.pick(DiffWorld.serviceDates)
        let lineCount = c.upTo(4)
        claim.lines = (0..<lineCount).map { number in
            var line = ServiceLine(number: number + 1, procedureCode: c.chance(92) ? ProcedureCode(c.pick(DiffWorld.procedures)) : nil,
                                   charge: c.chance(5) ? Money(dollars: "abc") : Money(cents: Int64(c.pick([1000, 5000, 150_000, 0]))))
            line.modifiers = (0..<c.upTo(2)).map { _ in Modifier(c.pick(DiffWorld.modifiers)) }
            // Now and then modifiers the evaluator cannot keep packed in a line's facts (more than four, an empty,
            // a three-byte or a non-ASCII one) or can as one byte: both paths must give the reference's edits.
            if c.chance(6) { line.modifiers += (0..<c.upTo(4)).map { _ in Modifier(c.pick(DiffWorld.modifiers + DiffWorld.oddModifiers)) } }
            if !c.chance(10) { line.units = c.chance(5) ? Quantity(thousandths: 1500) : Quantity(c.upTo(4)) }
            line.diagnosisPointers = (0..<c.upTo(2)).map { _ in 1 + c.upTo(3) }
            switch c.upTo(21) {
            case 20, 21:
                // Near the claim's main date: the gaps line pairs' day windows and prior codes look across.
                if let main = CalendarDate(mainDate) { line.serviceDate = DateOrRange(main.adding(days: c.pick([1, -1, 10, 11, 90, 91, -90]))) }
            case 17: line.serviceDate = nil
            case 18: line.serviceDate = DateOrRange(unparsed: "2024-13-45")
            case 19:
                if let from = CalendarDate(c.pick(DiffWorld.serviceDates)) { line.serviceDate = DateOrRange(from: from, to: from.adding(days: 2)) }
            default:
                let date = c.chance(25) ? c.pick(DiffWorld.serviceDates) : mainDate
                line.serviceDate = CalendarDate(date).map { DateOrRange($0) }
            }
            if c.chance(25) { line.renderingProvider = provider(.rendering, c.pick(DiffWorld.npis)) }
            if c.chance(15) { line.placeOfService = c.pick(["11", "22"]) }
            if type == .institutional ? c.chance(70) : c.chance(5) { line.revenueCode = c.pick(["0300", "0450"]) }
            if c.chance(5) { line.drug = DrugInfo(ndc: NDC("00002143380"), quantity: Quantity(2), unit: "UN") }
            if c.chance(5) { line.priorAuthorization = "PA2" }
            if c.chance(5) { line.notes = [Note(reference: "ADD", text: "SEE NOTES")] }
            if c.chance(5) { line.procedureDescription = "UNLISTED PROCEDURE" }
            return line
        }
        // Corrections and voids, drawn last so earlier choices keep their bytes: REF*F8 shared across claims so
        // that batch claims find originals in the history (`claim.original-in-history`).
        if c.chance(30) { claim.originalClaimNumber = c.pick(["OC1", "OC2"]) }
        if c.chance(10) { claim.frequencyCode = "8" }
        return claim
    }
}
