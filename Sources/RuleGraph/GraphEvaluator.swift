import ClaimModel
import Rules
import Tables

/// Evaluates claims on a `RuleGraph`: one per thread. Node results are memoised per binding (a generation
/// stamp per node, so starting a binding costs nothing), together with what evaluating the node touched
/// (a stale table release, a table that does not cover the date, and with `--explain` the conditions that
/// held), so a shared node hit from a second rule reports to that rule exactly what it would have found.
struct GraphEvaluator {
    let graph: RuleGraph
    let index: BatchIndex
    let context: EvaluationContext

    private var stamps: [UInt32]
    private var flags: [UInt8]          // bit 0: value, bit 1: stale
    private var generation: UInt32 = 0
    private var rowStamps: [UInt32]
    private var rows: [(Table, Int32)?]
    private var notCovered: [Int: [(String, String)]] = [:]
    private var traces: [Int: [String]] = [:]
    private var binding: Binding
    private var date = CalendarDate.distantPast
    /// The claim being evaluated: what `Rule.applies` asks of it.
    private var payerID: String?
    private var filingIndicator: String?
    private var claimType = ClaimType.professional
    /// Rules that suppress others, by qualified id: the targets, qualified (every version of a rule counts, as
    /// in `ResultCollector.finish`). Made once per evaluator, so a claim's results cost nothing per rule.
    private let suppressions: [String: [String]]

    init(graph: RuleGraph, index: BatchIndex, context: EvaluationContext) {
        self.graph = graph
        self.index = index
        self.context = context
        stamps = Array(repeating: 0, count: graph.nodes.count)
        flags = Array(repeating: 0, count: graph.nodes.count)
        rowStamps = Array(repeating: 0, count: graph.slotCount)
        rows = Array(repeating: nil, count: graph.slotCount)
        binding = Binding(claim: Claim(type: .professional, id: "", totalCharge: Money(cents: 0), billingProvider: nil,
                                       subscriber: Subscriber(name: nil), patient: Patient(name: nil, isSubscriber: true),
                                       payer: nil),
                          claimIndex: 0)
        var suppressions: [String: [String]] = [:]
        for compiled in graph.rules where !compiled.rule.suppresses.isEmpty {
            let rule = compiled.rule
            suppressions[rule.qualifiedID, default: []] += rule.suppresses.map { $0.contains("/") ? $0 : "\(rule.pack)/\($0)" }
        }
        self.suppressions = suppressions
    }

    private mutating func begin(_ next: Binding, date: CalendarDate) {
        binding = next
        self.date = date
        generation &+= 1
        if generation == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            for i in rowStamps.indices { rowStamps[i] = 0 }
            generation = 1
        }
        if !notCovered.isEmpty { notCovered.removeAll(keepingCapacity: true) }
        if !traces.isEmpty { traces.removeAll(keepingCapacity: true) }
    }

    // MARK: Claims and bindings

    mutating func evaluateClaim(_ claimIndex: Int) -> ClaimResult {
        let claim = index.claims[claimIndex]
        var collector = ResultCollector(claimIndex: claimIndex, claim: claim)
        // The claim and its lines are put on the heap once; every binding of the claim points at them.
        let claimRef = Shared(claim)
        let lineRefs = claim.lines.map { Shared($0) }
        payerID = claim.payer?.id
        filingIndicator = claim.subscriber.claimFilingIndicator
        claimType = claim.type
        let base = Binding(claim: claimRef, claimIndex: claimIndex, today: context.today)
        let claimDate = context.asOf ?? FieldReader.claimDates(claim).first
        for scope in Scope.allCases {
            guard let dispatch = graph.dispatch[scope] else { continue }
            switch scope {
            case .claim:
                var b = base
                b.date = claimDate
                run(b, scope, dispatch, &collector)
            case .line:
                for (lineIndex, line) in claim.lines.enumerated() {
                    var b = base
                    b.lineRef = lineRefs[lineIndex]
                    b.date = context.asOf ?? line.serviceDate?.from
                    run(b, scope, dispatch, &collector)
                }
            case .linePair:
                // Other claims' lines (of the batch or the history) are put on the heap when first met.
                var others: [Int: (claim: Shared<Claim>, lines: [Shared<ServiceLine>])] = [:]
                for (lineIndex, line) in claim.lines.enumerated() {
                    for address in index.linesOnDay(of: claimIndex, lineIndex)
                    where !(address.claim == claimIndex && address.line == lineIndex) {
                        let other: (claim: Shared<Claim>, lines: [Shared<ServiceLine>])
                        if address.claim == claimIndex {
                            other = (claimRef, lineRefs)
                        } else if let known = others[address.claim] {
                            other = known
                        } else {
                            let found = index.claim(address)
                            other = (Shared(found), found.lines.map { Shared($0) })
                            others[address.claim] = other
                        }
                        var b = base
                        b.bRef = lineRefs[lineIndex]
                        b.aRef = (other.claim, other.lines[address.line], address)
                        b.date = context.asOf ?? line.serviceDate?.from
                        run(b, scope, dispatch, &collector)
                    }
                }
            case .diagnosis:
                for (position, diagnosis) in claim.diagnoses.enumerated() {
                    var b = base
                    b.diagnosis = (diagnosis, position + 1)
                    b.date = claimDate
                    run(b, scope, dispatch, &collector)
                }
            case .lineDiagnosis:
                let pointable = claim.pointableDiagnoses
                for (lineIndex, line) in claim.lines.enumerated() {
                    for pointer in line.diagnosisPointers {
                        guard pointer >= 1 && pointer <= pointable.count else { continue }
                        var b = base
                        b.lineRef = lineRefs[lineIndex]
                        b.diagnosis = (pointable[pointer - 1], pointer)
                        b.date = context.asOf ?? line.serviceDate?.from
                        run(b, scope, dispatch, &collector)
                    }
                }
            case .diagnosisPair:
                for (i, first) in claim.diagnoses.enumerated() {
                    for (j, second) in claim.diagnoses.enumerated() where i != j {
                        var b = base
                        b.diagnosisA = (first, i + 1)
                        b.diagnosisB = (second, j + 1)
                        b.date = claimDate
                        run(b, scope, dispatch, &collector)
                    }
                }
            }
        }
        return finish(&collector)
    }

    /// `ResultCollector.finish`, with the suppressions looked up for the rules that fired only.
    private func finish(_ collector: inout ResultCollector) -> ClaimResult {
        var suppressed = Set<String>()
        for fired in collector.firedRules {
            if let targets = suppressions[fired] { suppressed.formUnion(targets) }
        }
        var kept = collector.edits
        if !suppressed.isEmpty { kept.removeAll { suppressed.contains("\($0.pack)/\($0.ruleID)") } }
        kept.sort(by: Edit.reportOrder)
        let checked = collector.notChecked.sorted {
            ($0.ruleID ?? "", $0.table ?? "", $0.reason) < ($1.ruleID ?? "", $1.table ?? "", $1.reason)
        }
        return ClaimResult(claimIndex: collector.claimIndex, claimID: collector.claim.id, edits: kept, notChecked: checked,
                           staleTables: collector.staleTables.sorted())
    }

    /// `Rule.applies` for the claim being evaluated.
    private func applies(_ index: Int) -> Bool {
        graph.rules[index].rule.applies(payerID: payerID, filingIndicator: filingIndicator, claimType: claimType)
    }

    /// Runs the rules of one scope that can fire on this binding.
    private mutating func run(_ next: Binding, _ scope: Scope, _ dispatch: RuleGraph.Dispatch, _ collector: inout ResultCollector) {
        guard let date = next.date else {
            binding = next
            for index in dispatch.all where applies(index) {
                collector.notChecked(rule: graph.rules[index].rule, table: nil, line: next.editLine,
                                     reason: "no date of service, so no rule version or table release can be chosen")
            }
            return
        }
        begin(next, date: date)
        for index in dispatch.generic { attempt(index, &collector) }
        if !dispatch.byKey.isEmpty, let key = read(RuleGraph.keyField(scope)).text,
           let keyed = dispatch.byKey[key] {
            for index in keyed { attempt(index, &collector) }
        }
        for (node, rules) in dispatch.byLookup {
            // The shared lookup runs once; its rules are tried only when it holds, or when it could not be
            // checked (they must each report that).
            let holds = evaluate(node)
            if holds || notCovered[node] != nil {
                for index in rules { attempt(index, &collector) }
            }
        }
    }

    private mutating func attempt(_ index: Int, _ collector: inout ResultCollector) {
        guard applies(index), graph.rules[index].rule.window.contains(date) else { return }
        var fired = true
        var stale = false
        var uncovered: [(String, String)] = []
        var trace: [String] = []
        for node in graph.rules[index].conditions {
            let holds = evaluate(node)
            if flags[node] & 2 != 0 { stale = true }
            if !notCovered.isEmpty, let found = notCovered[node] { uncovered += found }
            if context.explain, let found = traces[node] { trace += found }
            if !holds { fired = false; break }
        }
        if !uncovered.isEmpty {
            let line = binding.editLine
            for (table, reason) in uncovered { collector.notChecked(rule: graph.rules[index].rule, table: table, line: line, reason: reason) }
        }
        guard fired else { return }
        let compiled = graph.rules[index]
        let staleNotes = stale ? staleNotesFor(compiled) : []
        collector.add(rule: Rule(copying: compiled.rule, message: compiled.message, fix: compiled.fix), binding: binding,
                      stale: stale, staleNotes: staleNotes, explanation: context.explain ? trace : nil, read: { self.read($0) })
    }

    /// The notices for the stale releases a fired rule used: the tables of its lookups and table memberships that
    /// found a row in a release applied past its window, as the conditions were evaluated (in order, stopping
    /// where `all`/`any` stopped), like the reference's.
    private func staleNotesFor(_ compiled: RuleGraph.CompiledRule) -> [String] {
        var names = Set<String>()
        func collect(_ id: Int) {
            guard stamps[id] == generation, flags[id] & 2 != 0 else { return }
            switch graph.nodes[id] {
            case .lookup(let table, let pack, _, _): names.insert("\(pack)/\(table)")
            case .compare(_, let comparison):
                switch comparison {
                case .inSet(.table(let name)), .notInSet(.table(let name)), .includesAny(.table(let name)),
                     .includesNone(.table(let name)):
                    names.insert(name)
                default: break
                }
            case .all(let parts):
                for part in parts {
                    collect(part)
                    if flags[part] & 1 == 0 { break }
                }
            case .any(let parts):
                for part in parts {
                    collect(part)
                    if flags[part] & 1 != 0 { break }
                }
            case .not(let inner): collect(inner)
            }
        }
        compiled.conditions.forEach(collect)
        var notes: [String] = []
        for qualified in names.sorted() {
            let name = qualified.split(separator: "/", maxSplits: 1).last.map(String.init) ?? qualified
            guard case .releases(let releases)? = graph.ruleSet.table(name, pack: compiled.rule.pack),
                  case .release(let release, stale: true) = TableResolver.choose(releases, on: date) else { continue }
            let end = release.window.expires?.description ?? "?"
            notes.append("\(name) \(release.release) applied to dates of service after \(end): import the current release")
        }
        return notes
    }

    // MARK: Nodes

    func read(_ field: FieldRef) -> Value {
        FieldReader.read(field, binding, index: index) { alias, column in
            guard alias.hasPrefix("#"), let slot = Int(alias.dropFirst()), slot < rows.count,
                  rowStamps[slot] == generation, let (table, row) = rows[slot],
                  let columnIndex = table.columnIndex(column) else { return nil }
            return table.value(row: row, column: columnIndex)
        }
    }

    private mutating func evaluate(_ id: Int) -> Bool {
        if stamps[id] == generation { return flags[id] & 1 != 0 }
        var stale = false
        var uncovered: [(String, String)] = []
        var trace: [String] = []
        let result: Bool
        switch graph.nodes[id] {
        case .all(let parts):
            var value = true
            for part in parts {
                let holds = evaluate(part)
                absorb(part, &stale, &uncovered, &trace)
                if !holds { value = false; break }
            }
            result = value
        case .any(let parts):
            var value = false
            for part in parts {
                let holds = evaluate(part)
                absorb(part, &stale, &uncovered, &trace)
                if holds { value = true; break }
            }
            result = value
        case .not(let inner):
            let holds = evaluate(inner)
            if flags[inner] & 2 != 0 { stale = true }
            if let found = notCovered[inner] { uncovered += found }
            if !holds && context.explain, case .not = graph.nodes[id] {
                trace.append("not (\(describe(inner)))")
            }
            result = !holds
        case .lookup(let table, let pack, let key, let slot):
            result = lookup(table: table, pack: pack, key: key, slot: slot, &stale, &uncovered, &trace)
        case .compare(let field, let comparison):
            let value = read(field)
            var touchedStale = false
            var missing: [(String, String)] = []
            let holds = Compare.holds(value, comparison, evaluate: { Compare.evaluate($0, read: { self.read($0) }) },
                                      inSet: { set, text in self.member(set, text, &touchedStale, &missing) },
                                      other: { self.read($0) })
            stale = touchedStale
            uncovered = missing
            if holds && context.explain { trace.append("\(field.displayName(slotTables: graph.slotTables)) = \(value.text ?? "(none)"): \(Describe.comparison(comparison))") }
            result = holds
        }
        stamps[id] = generation
        flags[id] = (result ? 1 : 0) | (stale ? 2 : 0)
        if !uncovered.isEmpty { notCovered[id] = uncovered }
        if context.explain && !trace.isEmpty { traces[id] = trace }
        return result
    }

    private func absorb(_ child: Int, _ stale: inout Bool, _ uncovered: inout [(String, String)], _ trace: inout [String]) {
        if flags[child] & 2 != 0 { stale = true }
        if let found = notCovered[child] { uncovered += found }
        if context.explain, let found = traces[child] { trace += found }
    }

    private func describe(_ id: Int) -> String {
        switch graph.nodes[id] {
        case .compare(let field, let comparison): return "\(field.displayName(slotTables: graph.slotTables)) \(Describe.comparison(comparison))"
        case .all(let parts): return "all of (\(parts.map(describe).joined(separator: "; ")))"
        case .any(let parts): return "any of (\(parts.map(describe).joined(separator: "; ")))"
        case .not(let inner): return "not (\(describe(inner)))"
        case .lookup(let table, _, let key, let slot):
            return "lookup \(table)[\(key.map { $0.displayName(slotTables: graph.slotTables) }.joined(separator: ", "))] as #\(slot)"
        }
    }

    private func member(_ set: SetRef, _ value: String, _ stale: inout Bool, _ uncovered: inout [(String, String)]) -> Bool {
        switch set {
        case .literal(let codes): return codes.contains(value)
        case .table(let name):
            // The compiler qualifies table names with their pack (`pack/table`): tables are named per pack.
            guard let source = graph.table(qualified: name) else { return false }
            switch source {
            case .codes(let codes): return codes.contains(value)
            case .releases(let releases):
                switch TableResolver.choose(releases, on: date) {
                case .notCovered(let reason):
                    // Reported under the table's own name, as the reference does (not `pack/table`).
                    let table = name.split(separator: "/", maxSplits: 1).last.map(String.init) ?? name
                    uncovered.append((table, reason))
                    return false
                case .release(let release, let isStale):
                    let found = release.table.row(keyParts: [value], on: date) != nil
                    if isStale && found { stale = true }
                    return found
                }
            }
        }
    }

    private mutating func lookup(table: String, pack: String, key: [FieldRef], slot: Int, _ stale: inout Bool,
                                 _ uncovered: inout [(String, String)], _ trace: inout [String]) -> Bool {
        guard case .releases(let releases)? = graph.ruleSet.table(table, pack: pack) else { return false }
        var parts: [String] = []
        parts.reserveCapacity(key.count)
        for field in key {
            guard let text = read(field).text, !text.isEmpty else { return false }
            parts.append(text)
        }
        switch TableResolver.choose(releases, on: date) {
        case .notCovered(let reason):
            uncovered.append((table, reason))
            return false
        case .release(let release, let isStale):
            let row = parts.count == 2
                ? release.table.row(key1: parts[0], key2: parts[1], on: date)
                : release.table.row(keyParts: parts, on: date)
            guard let row else { return false }
            if isStale { stale = true }
            rows[slot] = (release.table, row)
            rowStamps[slot] = generation
            if context.explain { trace.append("\(table) \(release.release) has row \(parts.joined(separator: " / ")) in force on \(date)") }
            return true
        }
    }
}

extension FieldRef {
    /// The path as written; a canonical lookup alias (`#3`) is shown as its table's name.
    func displayName(slotTables: [String]) -> String {
        if case .column(let alias, let column) = self, alias.hasPrefix("#"), let slot = Int(alias.dropFirst()),
           slot < slotTables.count {
            return "\(slotTables[slot]).\(column)"
        }
        return description
    }
}

extension Rule {
    /// The rule with its templates renamed to the graph's canonical lookup aliases.
    init(copying rule: Rule, message: Template, fix: Template?) {
        self = rule
        self.message = message
        self.fix = fix
    }
}
