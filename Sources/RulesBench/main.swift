// The rules engine benchmark (README.md, "Performance" → "Rules engine"); run by scripts/bench-rules, never by
// the tests. It asserts no timings: it exits 1 only when the compiled graph and the reference evaluator disagree,
// or a pack does not load.
//
//   RulesBench [--claims N] [--reference-claims N] [--repeat N] [--rules N] [--pair-rows N] [--cms-claims N]
//              [--cms-dir DIR] [--skip-cms] [--only-cms] [--packs DIR] [--without NAME,...] [--one-worker]
//
// Part 1 (synthetic): 10,000 generated rules (most keyed by procedure code with `equals` or a literal `in`, pair
// rules through a lookup on a 2,000,000-row pair table, an MUE-style lookup, a few generic rules), written as
// YAML with the CSV tables in a temporary folder and loaded through `RuleSetLoader`. Claim lines per second of
// the compiled graph (one worker, then two) against the reference evaluator on the same claims.
// Part 2 (CMS): the full CMS practitioner PTP table (2.5 M rows, .csv.gz) and MUE table loaded through a pack in
// the style of docs/examples/starter/starter.yaml; load-and-compile time and claims per second on generated claims.
// Part 3 (shipped): every pack of Rules/ (complete NCCI tables, three ICD-10-CM releases, …): load-and-compile time
// and claims per second on the same generated claims; then the same without the pack files named by --without
// (default `pfs,codesets`: the fee-schedule and code-set packs), so the cost of those packs is measured in one run.

import ClaimModel
import Engine
import Foundation
import RuleGraph
import Rules
import Tables

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Options

struct Options {
    var rules = 10_000
    var pairRows = 2_000_000
    var claims = 30_000
    var referenceClaims = 60
    var repeats = 2
    var cmsClaims = 100_000
    var cmsDirectory = "/work/shared/data/cms"
    var skipCMS = false
    /// Run part 2 only (the CMS tables), for profiling it.
    var onlyCMS = false
    var packs = "Rules"
    var without = ["pfs", "codesets"]
    /// Skip the two-worker runs (for counting instructions under callgrind, which runs threads one at a time).
    var oneWorker = false

    init(_ arguments: [String]) {
        var index = 1
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        func number() -> Int {
            let text = value()
            guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= 0 else { fail("not a count: \(text)") }
            return n
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--rules": rules = number()
            case "--pair-rows": pairRows = number()
            case "--claims": claims = number()
            case "--reference-claims": referenceClaims = number()
            case "--repeat": repeats = max(1, number())
            case "--cms-claims": cmsClaims = number()
            case "--cms-dir": cmsDirectory = value()
            case "--skip-cms": skipCMS = true
            case "--only-cms": onlyCMS = true
            case "--one-worker": oneWorker = true
            case "--packs": packs = value()
            case "--without": without = value().split(separator: ",").map(String.init)
            default: fail("unknown option \(arguments[index])")
            }
            index += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("RulesBench: \(message)\n".utf8))
    exit(2)
}

// MARK: - Measuring

func monotonic() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func mebibytes(_ bytes: Int?) -> String { bytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "n/a" }

func rate(_ value: Double) -> String {
    if value >= 1e6 { return String(format: "%.2f M", value / 1e6) }
    if value >= 1e3 { return String(format: "%.1f k", value / 1e3) }
    return String(format: "%.1f", value)
}

/// Best wall-clock seconds of `repeats` runs.
func best(_ repeats: Int, _ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<repeats {
        let start = monotonic()
        body()
        fastest = min(fastest, monotonic() - start)
    }
    return fastest
}

/// Best wall-clock and best CPU seconds (user + system of the process) of `repeats` runs. On one thread the CPU
/// time is the steadier figure on a shared machine: it does not count the time other processes held the core.
func bestTimes(_ repeats: Int, _ body: () -> Void) -> (wall: Double, cpu: Double) {
    var wall = Double.infinity, cpu = Double.infinity
    for _ in 0..<repeats {
        let start = monotonic(), cpuStart = TableBenchmark.cpuSeconds()
        body()
        wall = min(wall, monotonic() - start)
        cpu = min(cpu, TableBenchmark.cpuSeconds() - cpuStart)
    }
    return (wall, cpu)
}

/// Machine-readable figures, one `@name value` line each (scripts/bench-rules collects them).
var summary: [(String, String)] = []
@MainActor func record(_ name: String, _ value: String) { summary.append((name, value)) }

/// SplitMix64: deterministic inputs.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Writes text to a file in large blocks.
struct FileWriter {
    let handle: FileHandle
    var buffer: [UInt8] = []
    init(path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { fail("cannot write \(path)") }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }
    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }
    mutating func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
    mutating func close() {
        flush()
        try? handle.close()
    }
}

func lineCount(_ claims: [Claim]) -> Int { claims.reduce(0) { $0 + $1.lines.count } }

func load(_ directory: String) -> (RuleSet, seconds: Double) {
    let start = monotonic()
    let result = RuleSetLoader.load(paths: [directory])
    let seconds = monotonic() - start
    guard !result.hasErrors, let ruleSet = result.ruleSet else {
        for diagnostic in result.diagnostics.prefix(10) { print(diagnostic) }
        fail("the pack in \(directory) does not load")
    }
    return (ruleSet, seconds)
}

/// A claim with the given lines (code, modifiers, units), all on one date.
func makeClaim(id: String, member: String, npi: String, date: CalendarDate, lines: [(String, [String], Int)],
               diagnoses: [String], filing: String?, payer: String = "00435") -> Claim {
    var claim = Claim(
        type: .professional, id: id, totalCharge: Money(cents: Int64(lines.count) * 10_000), createdOn: date.adding(days: 20),
        billingProvider: Provider(role: .billing, name: PersonName(last: "CLINIC"), npi: NPI(npi)),
        subscriber: Subscriber(memberID: member, name: PersonName(last: "PATIENT", first: member), claimFilingIndicator: filing),
        patient: Patient(name: PersonName(last: "PATIENT", first: member), birthDate: DateOrRange(CalendarDate(year: 1970, month: 3, day: 4)!),
                         sex: member.hasSuffix("7") ? "M" : "F", isSubscriber: true),
        payer: Payer(id: payer, name: "PAYER"))
    claim.placeOfService = "11"
    claim.diagnoses = diagnoses.enumerated().map {
        Diagnosis(code: $0.element, system: .icd10cm, role: $0.offset == 0 ? .principal : .other, qualifier: $0.offset == 0 ? "ABK" : "ABF")
    }
    claim.lines = lines.enumerated().map { index, line in
        ServiceLine(number: index + 1, procedureCode: ProcedureCode(line.0), modifiers: line.1.map { Modifier($0) },
                    charge: Money(cents: 10_000), units: Quantity(line.2), diagnosisPointers: diagnoses.isEmpty ? [] : [1],
                    serviceDate: DateOrRange(date))
    }
    return claim
}

func sameResults(_ expected: [ClaimResult], _ actual: [ClaimResult], _ what: String) {
    guard expected != actual else { return }
    for (reference, graph) in zip(expected, actual) where reference != graph {
        print("MISMATCH (\(what)) on claim \(reference.claimIndex): reference \(reference.edits.map(\.ruleID)) \(reference.notChecked.count) not checked; graph \(graph.edits.map(\.ruleID)) \(graph.notChecked.count) not checked")
        break
    }
    fail("the compiled graph and the reference evaluator disagree (\(what))")
}

// MARK: - Part 1: synthetic rules and a 2 M-row pair table

/// Procedure codes: `10000` … (five digits), as many as asked.
func code(_ n: Int) -> String { String(10_000 + n) }

@MainActor func synthetic(_ options: Options, directory: String) {
    print("== synthetic: \(options.rules) rules, a \(options.pairRows)-row pair table")
    // The pair table: column-1 codes in order, each with `perCode` column-2 codes, as CMS's files are sorted.
    let perCode = 100
    let firstCodes = max(1, options.pairRows / perCode)
    let universe = max(firstCodes * 3, perCode * 2)
    var random = Random(state: 2024)
    let rationales = ["CPT Manual or CMS manual coding instruction", "Misuse of column two code with column one code",
                      "Standards of medical / surgical practice", "Mutually exclusive procedures"]
    var start = monotonic()
    let pairPath = directory + "/pairs.csv"
    var writer = FileWriter(path: pairPath)
    writer.write("column_1,column_2,effective_date,deletion_date,modifier_indicator,rationale\n")
    var partners: [[Int]] = []
    partners.reserveCapacity(firstCodes)
    var rows = 0
    for first in 0..<firstCodes {
        var seconds = Set<Int>()
        while seconds.count < perCode && rows + seconds.count < options.pairRows { seconds.insert(random.below(universe)) }
        let sorted = seconds.sorted()
        partners.append(Array(sorted.prefix(8)))
        for second in sorted {
            let deleted = random.chance(10)
            writer.write("\(code(first)),\(code(second)),\(random.chance(50) ? "19960101" : "20150401"),\(deleted ? "20231231" : "99991231"),\(random.pick(["0", "1", "1", "9"])),\(random.pick(rationales))\n")
        }
        rows += sorted.count
    }
    writer.close()
    let mueCodes = universe
    var mue = FileWriter(path: directory + "/mue.csv")
    mue.write("hcpcs_code,mue_units,mue_mai,mue_rationale\n")
    for n in 0..<mueCodes where n % 3 != 2 {
        mue.write("\(code(n)),\(1 + random.below(4)),\(1 + random.below(3)),Clinical: Data\n")
    }
    mue.close()
    let fileSize = (try? FileManager.default.attributesOfItem(atPath: pairPath)[.size] as? Int) ?? 0
    print(String(format: "generated the pair table: %d rows, %.0f MB, in %.1f s", rows, Double(fileSize) / 1e6, monotonic() - start))

    // The pair table alone, in a process that has loaded nothing else yet: time and peak memory.
    let before = TableBenchmark.peakResidentBytes()
    start = monotonic()
    let cpuStart = TableBenchmark.cpuSeconds()
    let (table, problems) = Table.load(TableSpec(path: pairPath, keyColumns: ["column_1", "column_2"],
                                                  effectiveColumn: "effective_date", expiresColumn: "deletion_date"))
    let tableSeconds = monotonic() - start
    let tableCPU = TableBenchmark.cpuSeconds() - cpuStart
    let tablePeak = TableBenchmark.peakResidentBytes()
    guard let table, problems.isEmpty else { fail("the pair table does not load: \(problems.prefix(3))") }
    print(String(format: "pair table alone: %d rows loaded in %.3f s (CPU %.3f s); ", table.rowCount, tableSeconds, tableCPU)
          + "peak RSS \(mebibytes(tablePeak)) (before loading: \(mebibytes(before)))")
    record("pair_rows", "\(table.rowCount)")
    record("pair_table_load_s", String(format: "%.3f", tableSeconds))
    record("pair_table_peak_mib", String(format: "%.0f", Double(tablePeak ?? 0) / 1_048_576))
    record("baseline_peak_mib", String(format: "%.0f", Double(before ?? 0) / 1_048_576))

    // The pack: most rules keyed by one code (equals) or a few (a literal list), pair rules through a lookup
    // on the pair table, MUE-style lookups, a few generic rules.
    var yaml = FileWriter(path: directory + "/bench.yaml")
    yaml.write("""
        pack: bench
        version: "synthetic"
        effective: 2024-01-01
        tables:
          pairs:
            file: pairs.csv
            key: [column_1, column_2]
            row-effective: effective_date
            row-expires: deletion_date
            release: PAIRS-2024Q3
            effective: 2024-07-01
            expires: 2024-09-30
          mue:
            file: mue.csv
            key: [hcpcs_code]
            release: MUE-2024Q3
            effective: 2024-07-01
          bypass: { codes: ["59", XE, XS, XP, XU] }
          em: { codes: [99202-99205, 99211-99215] }
        rules:

        """)
    let pairRules = 20, mueRules = 6, genericRules = 24
    let inRules = (options.rules - pairRules - mueRules - genericRules) / 5
    let equalsRules = options.rules - pairRules - mueRules - genericRules - inRules
    var keyed: [Int] = []  // codes that rules are keyed on
    func header(_ id: String, _ scope: String, severity: String = "error", denial: String = "CO-16") -> String {
        "  - id: \(id)\n    category: generated\n    severity: \(severity)\n    denial: \(denial)\n    for: \(scope)\n    citation: \"synthetic benchmark rule\"\n"
    }
    let modifiers = ["25", "59", "RT", "LT", "GA", "GZ", "TC", "26"]
    for n in 0..<equalsRules {
        let c = (n * 7) % universe
        keyed.append(c)
        var text = header("EQ-\(n)", "line")
        text += "    when:\n      - line.code: \"\(code(c))\"\n"
        switch n % 4 {
        case 0: text += "      - line.units: { gt: \(2 + n % 5) }\n"
        case 1: text += "      - line.modifiers: { includes: \"\(modifiers[n % modifiers.count])\" }\n"
        case 2: text += "      - claim.patient.age: { lt: \(18 + n % 50) }\n"
        default: text += "      - line.place-of-service: { not-in: [\"11\", \"22\"] }\n"
        }
        text += "    message: \"{line.code} on line {line.number}: rule EQ-\(n)\"\n"
        yaml.write(text)
    }
    for n in 0..<inRules {
        let codes = (0..<3).map { (n * 11 + $0 * 5 + 3) % universe }
        keyed += codes
        var text = header("IN-\(n)", "line", severity: "warning")
        text += "    when:\n      - line.code: { in: [\(codes.map { "\"\(code($0))\"" }.joined(separator: ", "))] }\n"
        text += n % 2 == 0 ? "      - line.units: { ge: \(3 + n % 4) }\n" : "      - line.modifiers: { includes-any: [\"\(modifiers[n % modifiers.count])\", \"\(modifiers[(n + 3) % modifiers.count])\"] }\n"
        text += "    message: \"{line.code}: rule IN-\(n)\"\n"
        yaml.write(text)
    }
    for n in 0..<pairRules {
        // Each payer has its own two pair rules (all behind the one shared lookup).
        var text = header("PAIR-\(n)", "line-pair", denial: "CO-97") + "    payers: { ids: [P\(n % 10)] }\n"
        text += "    when:\n      - lookup: { table: pairs, key: [a.code, b.code], as: ptp }\n"
        switch n % 4 {
        case 0: text += "      - ptp.modifier_indicator: \"0\"\n"
        case 1: text += "      - ptp.modifier_indicator: \"1\"\n      - not: { any: [ { a.modifiers: { includes-any: bypass } }, { b.modifiers: { includes-any: bypass } } ] }\n"
        case 2: text += "      - ptp.modifier_indicator: { in: [\"0\", \"1\"] }\n      - b.units: { gt: \(n % 3) }\n"
        default: text += "      - ptp.rationale: { starts-with: \"Mutually\" }\n      - claim.filing-indicator: \"MB\"\n"
        }
        text += "    message: \"{b.code} is bundled into {a.code} (line {a.number}, indicator {ptp.modifier_indicator})\"\n"
        yaml.write(text)
    }
    for n in 0..<mueRules {
        var text = header("MUE-\(n)", "line", denial: "CO-151")
        text += "    when:\n      - lookup: { table: mue, key: [line.code] }\n"
        text += n % 2 == 0 ? "      - mue.mue_mai: \"1\"\n      - line.units: { gt: \"mue.mue_units + \(n / 2)\" }\n"
            : "      - mue.mue_mai: { in: [\"2\", \"3\"] }\n      - line.day-units: { gt: \"mue.mue_units * \(1 + n / 2)\" }\n"
        text += "    message: \"{line.units} units of {line.code} exceed the MUE of {mue.mue_units}\"\n"
        yaml.write(text)
    }
    for n in 0..<genericRules {
        var text: String
        switch n % 6 {
        case 0:
            text = header("GEN-\(n)", "claim") + "    when:\n      - claim.billing-npi: { present: true }\n      - claim.billing-npi-valid: { is: false }\n"
        case 1:
            text = header("GEN-\(n)", "line") + "    when:\n      - line.pointers: { count: { equals: 0 } }\n"
        case 2:
            text = header("GEN-\(n)", "line") + "    when:\n      - line.modifiers: { includes: \"25\" }\n      - line.code: { not-in: em }\n"
        case 3:
            text = header("GEN-\(n)", "diagnosis", severity: "warning") + "    when:\n      - diagnosis.code: { starts-with: \"O\" }\n      - claim.patient.sex: \"M\"\n"
        case 4:
            text = header("GEN-\(n)", "claim") + "    when:\n      - claim.today: { after: \"claim.date + \(300 + n)\" }\n"
        default:
            text = header("GEN-\(n)", "line", severity: "info") + "    when:\n      - line.charge: { gt: \"line.units * \(900 + n)\" }\n"
        }
        text += "    message: \"generic rule GEN-\(n) on claim {claim.id}\"\n"
        yaml.write(text)
    }
    yaml.close()
    print("wrote the pack: \(equalsRules) rules keyed by line.code equals, \(inRules) by a literal line.code in (3 codes), \(pairRules) pair rules (one shared lookup), \(mueRules) MUE lookups, \(genericRules) generic")

    // Load and compile.
    let (ruleSet, loadSeconds) = load(directory)
    start = monotonic()
    let graph = RuleGraph(ruleSet)
    let compileSeconds = monotonic() - start
    let peak = TableBenchmark.peakResidentBytes()
    let s = graph.statistics
    print(String(format: "load %.3f s (YAML, checks, both tables) + compile %.3f s = %.3f s; ", loadSeconds, compileSeconds,
                 loadSeconds + compileSeconds) + "peak RSS \(mebibytes(peak))")
    print("graph: \(s.rules) rules, \(s.conditionsWritten) conditions written → \(s.nodes) nodes; \(s.indexedRules) indexed by key, \(s.lookupDispatchedRules) behind a lookup, \(s.genericRules) generic")
    record("synthetic_load_s", String(format: "%.3f", loadSeconds))
    record("synthetic_compile_s", String(format: "%.3f", compileSeconds))
    record("synthetic_peak_mib", String(format: "%.0f", Double(peak ?? 0) / 1_048_576))
    record("synthetic_generic_rules", "\(s.genericRules)")

    // Claims: 1-6 lines on one date, codes mostly ones that rules are keyed on, second lines often a column-2
    // partner of the first (so pairs meet the pair table); patients repeat so units add up across claims.
    let date = CalendarDate(year: 2024, month: 8, day: 14)!
    func claims(_ count: Int, seed: UInt64) -> [Claim] {
        var random = Random(state: seed)
        return (0..<count).map { n in
            let lineTotal = 1 + random.below(6)
            var lines: [(String, [String], Int)] = []
            var previous = random.below(firstCodes)
            for index in 0..<lineTotal {
                let c: Int
                if index > 0 && random.chance(40), previous < partners.count, let partner = partners[previous].randomElementDeterministic(&random) {
                    c = partner
                } else if random.chance(60) {
                    c = random.pick(keyed)
                } else {
                    c = random.below(universe)
                }
                previous = c
                let mods = random.chance(25) ? [random.pick(modifiers)] : []
                lines.append((code(c), mods, random.chance(10) ? 1 + random.below(8) : 1))
            }
            let member = "M\(random.below(count / 2 + 1))"
            return makeClaim(id: "S\(n)", member: member, npi: random.chance(3) ? "1234567890" : "1234567893",
                             date: date.adding(days: random.below(30)), lines: lines,
                             diagnoses: random.chance(5) ? [] : ["E119", random.chance(10) ? "O24410" : "I10"],
                             filing: random.pick(["MB", "CI", "MC"]), payer: "P\(random.below(10))")
        }
    }
    let batch = claims(options.claims, seed: 7)
    let lines = lineCount(batch)
    let context = EvaluationContext(today: CalendarDate(year: 2024, month: 11, day: 1))

    // The reference, on the first claims of the batch (it tries every rule on every line), and the graph on
    // the same claims: the results must be equal.
    let sample = Array(batch.prefix(options.referenceClaims))
    var expected: [ClaimResult] = []
    let referenceSeconds = best(1) { expected = ReferenceEvaluator.evaluate(ruleSet, claims: sample, context: context) }
    let referenceRate = Double(lineCount(sample)) / referenceSeconds
    var sampleActual: [ClaimResult] = []
    let sampleGraphSeconds = best(options.repeats) { sampleActual = graph.evaluate(sample, context: context, maxWorkers: 1) }
    sameResults(expected, sampleActual, "synthetic sample")
    print(String(format: "reference: %d claims (%d lines) in %.3f s: ", sample.count, lineCount(sample), referenceSeconds)
          + "\(rate(referenceRate)) lines/s (one core); graph on the same claims: \(rate(Double(lineCount(sample)) / sampleGraphSeconds)) lines/s; results equal")

    var results: [ClaimResult] = []
    let faultsBefore = TableBenchmark.minorPageFaults()
    let one = bestTimes(options.repeats) { results = graph.evaluate(batch, context: context, maxWorkers: 1) }
    let faults = (TableBenchmark.minorPageFaults() - faultsBefore) / options.repeats
    let oneSeconds = one.wall
    let twoSeconds = options.oneWorker ? Double.nan : best(options.repeats) { results = graph.evaluate(batch, context: context, maxWorkers: 2) }
    let edits = results.reduce(0) { $0 + $1.edits.count }
    var byKind: [String: Int] = [:]
    for result in results { for edit in result.edits { byKind[String(edit.ruleID.prefix { $0 != "-" }), default: 0] += 1 } }
    print("edits by kind of rule: \(byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    let oneRate = Double(lines) / oneSeconds, twoRate = Double(lines) / twoSeconds
    print("graph: \(batch.count) claims, \(lines) lines, \(edits) edits; "
          + String(format: "one worker %.3f s = ", oneSeconds) + "\(rate(oneRate)) lines/s (\(rate(Double(batch.count) / oneSeconds)) claims/s; "
          + String(format: "CPU %.3f s = ", one.cpu) + "\(rate(Double(lines) / one.cpu)) lines/s); "
          + String(format: "two workers %.3f s = ", twoSeconds) + "\(rate(twoRate)) lines/s (\(rate(Double(batch.count) / twoSeconds)) claims/s)")
    print("page faults per one-worker run: \(faults) (\(faults * 4 / 1024) MiB of fresh memory touched)")
    print(String(format: "graph / reference (one core each): %.0f×", oneRate / referenceRate))
    record("synthetic_graph_lines_per_cpu_s_1", String(format: "%.0f", Double(lines) / one.cpu))
    record("synthetic_reference_lines_per_s", String(format: "%.0f", referenceRate))
    record("synthetic_graph_lines_per_s_1", String(format: "%.0f", oneRate))
    record("synthetic_graph_lines_per_s_2", String(format: "%.0f", twoRate))
    record("synthetic_graph_claims_per_s_1", String(format: "%.0f", Double(batch.count) / oneSeconds))
    record("synthetic_ratio", String(format: "%.0f", oneRate / referenceRate))
    record("synthetic_lines", "\(lines)")
    record("synthetic_claims", "\(batch.count)")
}

extension Array {
    func randomElementDeterministic(_ random: inout Random) -> Element? { isEmpty ? nil : self[random.below(count)] }
}

// MARK: - Part 2: the CMS practitioner PTP and MUE tables

@MainActor func cms(_ options: Options, directory: String) {
    let ptp = options.cmsDirectory + "/ncci-ptp-practitioner-2024q3.csv.gz"
    let mue = options.cmsDirectory + "/ncci-mue-practitioner-2024q3.csv"
    guard FileManager.default.fileExists(atPath: ptp), FileManager.default.fileExists(atPath: mue) else {
        print("== CMS: \(ptp) or \(mue) not found; skipped")
        return
    }
    print("\n== CMS practitioner PTP (\(ptp)) and MUE tables through a starter-style pack")
    let pack = """
        # The starter pack's rules (docs/examples/starter/starter.yaml) on the full CMS practitioner tables of 2024Q3.
        pack: cms
        version: "2024Q3-cms-bench"
        effective: 2024-07-01
        tables:
          ptp:
            file: \(ptp)
            key: [column_1, column_2]
            row-expires: deletion_date
            release: NCCI-PTP-2024Q3
            effective: 2024-07-01
            expires: 2024-09-30
          mue:
            file: \(mue)
            key: [hcpcs_code]
            release: NCCI-MUE-2024Q3
            effective: 2024-07-01
            expires: 2024-09-30
          em-codes:
            codes: [99202-99205, 99211-99215]
          ncci-bypass-modifiers:
            codes: ["59", XE, XS, XP, XU]
        rules:
          - id: CMS-PTP
            category: code-pairing
            severity: error
            denial: CO-97
            for: line-pair
            citation: "CMS NCCI PTP practitioner edits 2024Q3"
            when:
              - lookup: { table: ptp, key: [a.code, b.code] }
              - ptp.modifier_indicator: { in: ["0", "1"] }
              - not:
                  all:
                    - ptp.modifier_indicator: "1"
                    - any:
                        - a.modifiers: { includes-any: ncci-bypass-modifiers }
                        - b.modifiers: { includes-any: ncci-bypass-modifiers }
            message: "{b.code} is a component of {a.code} (line {a.number}) and is not paid separately"
            fix: "Remove {b.code}, or append 59/XE/XS/XP/XU if the service was distinct (indicator {ptp.modifier_indicator})"
          - id: CMS-MUE-LINE
            category: units
            severity: error
            denial: CO-151
            for: line
            citation: "CMS NCCI MUE practitioner 2024Q3 (MAI 1)"
            when:
              - lookup: { table: mue, key: [line.code] }
              - mue.mue_mai: "1"
              - line.units: { gt: mue.mue_units }
            message: "{line.units} units of {line.code} on one line exceed the MUE of {mue.mue_units}"
          - id: CMS-MUE-DAY
            category: units
            severity: error
            denial: CO-151
            for: line
            citation: "CMS NCCI MUE practitioner 2024Q3 (MAI 2 and 3)"
            when:
              - lookup: { table: mue, key: [line.code] }
              - mue.mue_mai: { in: ["2", "3"] }
              - line.day-units: { gt: mue.mue_units }
            message: "{line.day-units} units of {line.code} on {line.date} exceed the MUE of {mue.mue_units} per day"
          - id: CMS-MOD25-EM
            category: modifier
            severity: error
            denial: CO-4
            for: line
            citation: "CPT modifier 25 definition"
            when:
              - line.modifiers: { includes: "25" }
              - line.code: { not-in: em-codes }
            message: "Modifier 25 is only valid on an E/M service, not on {line.code}"
          - id: CMS-NO-POINTER
            category: documentation
            severity: error
            denial: CO-16
            for: line
            citation: "005010X222A1 loop 2400 SV107"
            when:
              - line.pointers: { count: { equals: 0 } }
            message: "Line {line.number} ({line.code}) points at no diagnosis"
          - id: CMS-BILLING-NPI
            category: documentation
            severity: error
            denial: CO-16
            for: claim
            citation: "CMS NPI check digit"
            when:
              - claim.billing-npi: { present: true }
              - claim.billing-npi-valid: { is: false }
            message: "Billing provider NPI {claim.billing-npi} fails its check digit"
          - id: CMS-MATERNITY-SEX
            category: demographics
            severity: warning
            denial: CO-10
            for: diagnosis
            citation: "ICD-10-CM chapter 15"
            when:
              - diagnosis.code: { starts-with: "O" }
              - claim.patient.sex: "M"
            message: "Diagnosis {diagnosis.code} is a maternity code on a male patient"
          - id: CMS-DIABETES-TYPES
            category: diagnosis-pairing
            severity: error
            denial: CO-16
            for: diagnosis-pair
            citation: "ICD-10-CM E10 Excludes1"
            when:
              - a.category: "E10"
              - b.category: "E11"
            message: "{a.code} and {b.code} exclude each other"
          - id: CMS-TIMELY
            category: timely-filing
            severity: error
            denial: CO-29
            for: claim
            citation: "42 CFR 424.44"
            when:
              - claim.today: { after: "claim.date + 365" }
            message: "Filed on {claim.today}, more than 365 days after {claim.date}"
          - id: CMS-MEMBER-ID
            category: eligibility
            severity: error
            denial: CO-16
            for: claim
            citation: "005010X222A1 loop 2010BA NM109"
            suppresses: [CMS-MOD25-EM, CMS-NO-POINTER]
            when:
              - claim.member-id: { present: false }
            message: "The subscriber has no member id"

        """
    let packDirectory = directory + "/cms"
    try? FileManager.default.createDirectory(atPath: packDirectory, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: packDirectory + "/cms.yaml", contents: Data(pack.utf8))
    let start = monotonic()
    let (loaded, result) = Scrubber.load(rules: [packDirectory])
    let seconds = monotonic() - start
    guard let scrubber = loaded else {
        for diagnostic in result.diagnostics.prefix(10) { print(diagnostic) }
        fail("the CMS pack does not load")
    }
    let peak = TableBenchmark.peakResidentBytes()
    guard case .releases(let releases)? = scrubber.ruleSet.table("ptp", pack: "cms"), let table = releases.first?.table,
          case .releases(let mueReleases)? = scrubber.ruleSet.table("mue", pack: "cms"), let mueTable = mueReleases.first?.table else {
        fail("the CMS pack has no ptp or mue table")
    }
    print(String(format: "load + compile %.3f s (PTP %d rows, MUE %d rows); ", seconds, table.rowCount, mueTable.rowCount) + "peak RSS \(mebibytes(peak))")
    record("cms_load_compile_s", String(format: "%.3f", seconds))
    record("cms_ptp_rows", "\(table.rowCount)")
    record("cms_peak_mib", String(format: "%.0f", Double(peak ?? 0) / 1_048_576))

    // Claims from real codes: pairs drawn from the PTP table (in force in 2024Q3 or not), other lines from the
    // MUE codes; a third of the lines carry a modifier.
    var random = Random(state: 99)
    let column1 = table.columnIndex("column_1")!, column2 = table.columnIndex("column_2")!
    var pairs: [(String, String)] = []
    for _ in 0..<20_000 {
        let row = Int32(random.below(table.rowCount))
        pairs.append((table.value(row: row, column: column1), table.value(row: row, column: column2)))
    }
    let mueColumn = mueTable.columnIndex("hcpcs_code")!
    let singles = (0..<5_000).map { _ in mueTable.value(row: Int32(random.below(mueTable.rowCount)), column: mueColumn) }
    let modifiers = ["25", "59", "XS", "RT", "LT", "26", "TC"]
    let date = CalendarDate(year: 2024, month: 7, day: 15)!
    let batch: [Claim] = (0..<options.cmsClaims).map { n in
        var lines: [(String, [String], Int)] = []
        let total = 1 + random.below(4)
        if random.chance(35) {
            let (first, second) = random.pick(pairs)
            lines.append((first, [], 1))
            lines.append((second, random.chance(30) ? [random.pick(modifiers)] : [], 1))
        }
        while lines.count < total {
            lines.append((random.pick(singles), random.chance(20) ? [random.pick(modifiers)] : [], 1 + random.below(random.chance(10) ? 6 : 2)))
        }
        return makeClaim(id: "CMS\(n)", member: "M\(random.below(options.cmsClaims / 3 + 1))", npi: random.chance(3) ? "1234567890" : "1234567893",
                         date: date.adding(days: random.below(60)), lines: lines,
                         diagnoses: random.chance(5) ? [] : [random.pick(["E119", "I10", "M1711", "O24410", "E109"]), "Z23"],
                         filing: random.pick(["MB", "CI"]))
    }
    let lines = lineCount(batch)
    let context = EvaluationContext(today: CalendarDate(year: 2024, month: 10, day: 1))
    let sample = Array(batch.prefix(2_000))
    sameResults(ReferenceEvaluator.evaluate(scrubber.ruleSet, claims: sample, context: context),
                scrubber.graph.evaluate(sample, context: context, maxWorkers: 1), "CMS sample")
    var results: [ClaimResult] = []
    let faultsBefore = TableBenchmark.minorPageFaults()
    let one = bestTimes(options.repeats) { results = scrubber.graph.evaluate(batch, context: context, maxWorkers: 1) }
    let faults = (TableBenchmark.minorPageFaults() - faultsBefore) / options.repeats
    let oneSeconds = one.wall
    let twoSeconds = options.oneWorker ? Double.nan : best(options.repeats) { results = scrubber.graph.evaluate(batch, context: context, maxWorkers: 2) }
    let edits = results.reduce(0) { $0 + $1.edits.count }
    let ptpEdits = results.reduce(0) { $0 + $1.edits.filter { $0.ruleID == "CMS-PTP" }.count }
    print("graph: \(batch.count) claims, \(lines) lines, \(edits) edits (\(ptpEdits) PTP); "
          + String(format: "one worker %.3f s = ", oneSeconds) + "\(rate(Double(batch.count) / oneSeconds)) claims/s (\(rate(Double(lines) / oneSeconds)) lines/s; "
          + String(format: "CPU %.3f s = ", one.cpu) + "\(rate(Double(batch.count) / one.cpu)) claims/s); "
          + String(format: "two workers %.3f s = ", twoSeconds) + "\(rate(Double(batch.count) / twoSeconds)) claims/s (\(rate(Double(lines) / twoSeconds)) lines/s)")
    print("(results equal to the reference evaluator's on the first \(sample.count) claims)")
    print("page faults per one-worker run: \(faults) (\(faults * 4 / 1024) MiB of fresh memory touched)")
    record("cms_claims", "\(batch.count)")
    record("cms_claims_per_cpu_s_1", String(format: "%.0f", Double(batch.count) / one.cpu))
    record("cms_lines", "\(lines)")
    record("cms_claims_per_s_1", String(format: "%.0f", Double(batch.count) / oneSeconds))
    record("cms_claims_per_s_2", String(format: "%.0f", Double(batch.count) / twoSeconds))
    record("cms_lines_per_s_1", String(format: "%.0f", Double(lines) / oneSeconds))
    if !options.onlyCMS { shipped(options, batch: batch, context: context, starterRate: Double(batch.count) / one.cpu) }
}

// MARK: - Part 3: every shipped pack

/// Loads and compiles `Rules/` (every shipped pack: the complete NCCI tables, three ICD-10-CM releases, …) and
/// scrubs the CMS part's claims with it, beside the starter-style pack's figure.
@MainActor func shipped(_ options: Options, batch: [Claim], context: EvaluationContext, starterRate: Double) {
    print("\n== every shipped pack (\(options.packs))")
    guard let every = shippedRun(options, paths: [options.packs], batch: batch, context: context, prefix: "shipped") else { return }
    print("starter-style pack alone: \(rate(starterRate)) claims/s of CPU")
    // The same packs without the ones named by --without, by pack file name (in any folder of the packs).
    let files = packFiles(options.packs)
    let kept = files.filter { !options.without.contains(URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent) }
    guard !options.without.isEmpty else { return }
    guard kept.count < files.count else {
        print("\n(no pack file named \(options.without.joined(separator: ", ")) in \(options.packs): no comparison)")
        return
    }
    print("\n== the shipped packs without \(options.without.joined(separator: ", ")) (\(kept.count) of \(files.count) files)")
    guard let without = shippedRun(options, paths: kept, batch: batch, context: context, prefix: "shipped_without") else { return }
    print(String(format: "with them: %.2f× the time a claim takes without them (one worker, CPU); %d rules more",
                 without.rate / every.rate, every.rules - without.rules))
}

/// Every `.yaml` pack file under `directory`, sorted.
func packFiles(_ directory: String) -> [String] {
    guard let names = FileManager.default.subpaths(atPath: directory) else { return [] }
    return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
        .filter { !$0.contains("/tables/") && !$0.hasPrefix("tables/") }.sorted().map { directory + "/" + $0 }
}

/// Loads and compiles `paths`, checks the graph against the reference on 500 claims, and scrubs `batch` with one
/// worker and two; the one-worker claims per CPU second and the rule count.
@MainActor func shippedRun(_ options: Options, paths: [String], batch: [Claim], context: EvaluationContext,
                           prefix: String) -> (rate: Double, rules: Int)? {
    var loadSeconds = Double.infinity, compileSeconds = Double.infinity, cpuSeconds = Double.infinity
    var loaded: (RuleSet, RuleGraph)?
    for _ in 0..<max(2, options.repeats) {
        let start = monotonic(), cpuStart = TableBenchmark.cpuSeconds()
        let result = RuleSetLoader.load(paths: paths)
        let middle = monotonic()
        guard !result.hasErrors, let ruleSet = result.ruleSet else {
            for diagnostic in result.diagnostics.prefix(10) { print(diagnostic) }
            fail("the packs in \(paths.joined(separator: " ")) do not load")
        }
        let graph = RuleGraph(ruleSet)
        loadSeconds = min(loadSeconds, middle - start)
        compileSeconds = min(compileSeconds, monotonic() - middle)
        cpuSeconds = min(cpuSeconds, TableBenchmark.cpuSeconds() - cpuStart)
        loaded = (ruleSet, graph)
    }
    guard let (ruleSet, graph) = loaded else { return nil }
    print(String(format: "load %.3f s + compile %.3f s = %.3f s (CPU %.3f s); ", loadSeconds, compileSeconds,
                 loadSeconds + compileSeconds, cpuSeconds)
          + "\(ruleSet.rules.count) rules in \(ruleSet.packs.count) packs, \(graph.statistics.nodes) nodes; peak RSS \(mebibytes(TableBenchmark.peakResidentBytes()))")
    let sample = Array(batch.prefix(500))
    sameResults(ReferenceEvaluator.evaluate(ruleSet, claims: sample, context: context),
                graph.evaluate(sample, context: context, maxWorkers: 1), "\(prefix) sample")
    var results: [ClaimResult] = []
    let one = bestTimes(options.repeats) { results = graph.evaluate(batch, context: context, maxWorkers: 1) }
    let twoSeconds = options.oneWorker ? Double.nan : best(options.repeats) { results = graph.evaluate(batch, context: context, maxWorkers: 2) }
    let edits = results.reduce(0) { $0 + $1.edits.count }
    let perCPU = Double(batch.count) / one.cpu
    print("graph: \(batch.count) claims, \(edits) edits; "
          + String(format: "one worker %.3f s (CPU %.3f s) = ", one.wall, one.cpu) + "\(rate(perCPU)) claims/s of CPU; "
          + String(format: "two workers %.3f s = ", twoSeconds) + "\(rate(Double(batch.count) / twoSeconds)) claims/s")
    print("(results equal to the reference evaluator's on the first \(sample.count) claims)")
    record("\(prefix)_load_compile_s", String(format: "%.3f", loadSeconds + compileSeconds))
    record("\(prefix)_rules", "\(ruleSet.rules.count)")
    record("\(prefix)_claims_per_cpu_s_1", String(format: "%.0f", perCPU))
    record("\(prefix)_claims_per_s_2", String(format: "%.0f", Double(batch.count) / twoSeconds))
    return (perCPU, ruleSet.rules.count)
}

// MARK: - Main

let options = Options(CommandLine.arguments)
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-rulesbench-\(getpid())").path
try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
if !options.onlyCMS { synthetic(options, directory: directory) }
try? FileManager.default.removeItem(atPath: directory + "/pairs.csv")
if !options.skipCMS { cms(options, directory: directory) }
print()
for (name, value) in summary { print("@\(name) \(value)") }
try? FileManager.default.removeItem(atPath: directory)
