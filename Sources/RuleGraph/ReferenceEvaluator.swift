import ClaimModel
import Rules
import Tables

/// The definition of the rule language's semantics: every rule against every binding of its scope, every
/// condition evaluated as written, nothing shared, nothing indexed. Slow on purpose; the compiled graph
/// must give exactly its edits (the differential tests hold it to that).
public enum ReferenceEvaluator {
    public static func evaluate(_ ruleSet: RuleSet, claims: [Claim], context: EvaluationContext) -> [ClaimResult] {
        let index = BatchIndex(claims: claims, history: context.history)
        return claims.indices.map { evaluateClaim($0, ruleSet: ruleSet, index: index, context: context) }
    }

    /// One binding of a rule's scope, with the date it is judged on.
    static func bindings(for rule: Rule, claimIndex: Int, index: BatchIndex, context: EvaluationContext) -> [Binding] {
        let claim = index.claims[claimIndex]
        let base = Binding(claimIndex: claimIndex, today: context.today)
        // A claim with no date of service at all (no lines, no statement period) is judged, at claim level, by
        // the rules in force on the day it is filed; its lines (if any lack dates) stay not checked.
        let claimDate = context.asOf ?? FieldReader.claimDates(claim).first ?? context.today ?? claim.createdOn
        var result: [Binding] = []
        switch rule.scope {
        case .claim:
            var binding = base
            binding.date = claimDate
            result.append(binding)
        case .line:
            for (lineIndex, line) in claim.lines.enumerated() {
                var binding = base
                binding.line = LineAddress(claim: claimIndex, line: lineIndex)
                binding.date = context.asOf ?? line.serviceDate?.from
                result.append(binding)
            }
        case .linePair:
            for (lineIndex, line) in claim.lines.enumerated() {
                let partners = rule.pairDays == 0...0
                    ? index.sameDay(as: claimIndex, lineIndex)
                    : linesWithin(rule.pairDays, of: LineAddress(claim: claimIndex, line: lineIndex), index: index)
                for address in partners {
                    var binding = base
                    binding.b = LineAddress(claim: claimIndex, line: lineIndex)
                    binding.a = address
                    binding.date = context.asOf ?? line.serviceDate?.from
                    result.append(binding)
                }
            }
        case .diagnosis:
            for (position, diagnosis) in claim.diagnoses.enumerated() {
                var binding = base
                binding.diagnosis = (diagnosis, position + 1)
                binding.date = claimDate
                result.append(binding)
            }
        case .lineDiagnosis:
            for (lineIndex, line) in claim.lines.enumerated() {
                for pointer in line.diagnosisPointers {
                    guard let diagnosis = claim.diagnosis(forPointer: pointer) else { continue }
                    var binding = base
                    binding.line = LineAddress(claim: claimIndex, line: lineIndex)
                    binding.diagnosis = (diagnosis, pointer)
                    binding.date = context.asOf ?? line.serviceDate?.from
                    result.append(binding)
                }
            }
        case .diagnosisPair:
            for (i, first) in claim.diagnoses.enumerated() {
                for (j, second) in claim.diagnoses.enumerated() where i != j {
                    var binding = base
                    binding.diagnosisA = (first, i + 1)
                    binding.diagnosisB = (second, j + 1)
                    binding.date = claimDate
                    result.append(binding)
                }
            }
        }
        return result
    }

    /// The definition of a line pair's `within-days`: every other line of the batch, then of the history, of the
    /// same patient and provider, both dated, with b's date minus a's in the window. A scan of every line, on
    /// purpose (the graph finds them through the batch index's days).
    static func linesWithin(_ window: ClosedRange<Int>, of b: LineAddress, index: BatchIndex) -> [LineAddress] {
        let bClaim = index.claims[b.claim]
        let bLine = bClaim.lines[b.line]
        guard let bDate = bLine.serviceDate?.from else { return [] }
        let patient = BatchIndex.patientKey(bClaim)
        let provider = BatchIndex.providerKey(bClaim, bLine)
        var found: [LineAddress] = []
        let all = index.claims.enumerated().map { ($0.element, $0.offset) } + index.history.enumerated().map { ($0.element, -1 - $0.offset) }
        for (claim, address) in all where BatchIndex.patientKey(claim) == patient {
            for (lineIndex, line) in claim.lines.enumerated() where !(address == b.claim && lineIndex == b.line) {
                guard BatchIndex.providerKey(claim, line) == provider, let date = line.serviceDate?.from,
                      window.contains(bDate.dayNumber - date.dayNumber) else { continue }
                found.append(LineAddress(claim: address, line: lineIndex))
            }
        }
        return found
    }

    static func evaluateClaim(_ claimIndex: Int, ruleSet: RuleSet, index: BatchIndex, context: EvaluationContext) -> ClaimResult {
        let claim = index.claims[claimIndex]
        var collector = ResultCollector(claimIndex: claimIndex, claimID: claim.id)
        for rule in ruleSet.rules
        where rule.applies(payerID: claim.payer?.id, filingIndicator: claim.subscriber.claimFilingIndicator, claimType: claim.type) {
            for binding in bindings(for: rule, claimIndex: claimIndex, index: index, context: context) {
                guard let date = binding.date else {
                    collector.notChecked(rule: rule, table: nil, reason: "no date of service, so no rule version or table release can be chosen")
                    continue
                }
                guard rule.window.contains(date) else { continue }
                var state = ReferenceState(ruleSet: ruleSet, rule: rule, binding: binding, index: index, date: date)
                let fired = rule.when.allSatisfy { state.holds($0) }
                for (table, reason) in state.notCovered { collector.notChecked(rule: rule, table: table, reason: reason) }
                // A rule that met a table not covering the date is reported as not checked, never fired: a
                // `not-in` or `not: lookup` on a missing release must not read as "no such row".
                if fired && state.notCovered.isEmpty {
                    collector.add(facts: Edit.RuleFacts(rule: rule, version: rule.version), qualifiedID: rule.qualifiedID, message: rule.message, fix: rule.fix,
                                  line: binding.editLine(index), related: binding.related(index), stale: state.stale,
                                  staleNotes: state.staleNotes,
                                  explanation: context.explain ? state.trace : nil) { field in state.read(field) }
                }
            }
        }
        return collector.finish(ruleSet: ruleSet)
    }
}

extension Binding {
    /// The line an edit of this binding sits on (the line, or `b` of a pair), 1-based.
    func editLine(_ index: BatchIndex) -> Int? {
        (line ?? b).map { index.claims[$0.claim].lines[$0.line].number }
    }

    /// The other line of a pair, for the edit.
    func related(_ index: BatchIndex) -> Edit.Related? {
        a.map { address in
            let claim = index.claimBox(address)
            return Edit.Related(claimID: claim.value.id, line: claim.value.lines[address.line].number, inHistory: address.inHistory)
        }
    }
}

/// The evaluation of one rule on one binding, condition by condition, with lookups bound as they come.
struct ReferenceState {
    let ruleSet: RuleSet
    let rule: Rule
    let binding: Binding
    let index: BatchIndex
    let date: CalendarDate
    var rows: [String: (Table, Int32)] = [:]
    var stale = false
    var staleNotes: [String] = []
    var notCovered: [(String, String)] = []
    var trace: [String] = []

    init(ruleSet: RuleSet, rule: Rule, binding: Binding, index: BatchIndex, date: CalendarDate) {
        self.ruleSet = ruleSet; self.rule = rule; self.binding = binding; self.index = index; self.date = date
    }

    func read(_ field: FieldRef) -> Value {
        FieldReader.read(field, binding, index: index) { alias, column in
            guard let (table, row) = rows[alias], let columnIndex = table.columnIndex(column) else { return nil }
            return table.value(row: row, column: columnIndex)
        }
    }

    mutating func release(_ name: String) -> TableSource? { ruleSet.table(name, pack: rule.pack) }

    mutating func inSet(_ set: SetRef, _ value: String) -> Bool {
        switch set {
        case .literal(let codes): return codes.contains(value)
        case .table(let name):
            guard let source = release(name) else { return false }
            switch source {
            case .codes(let codes): return codes.contains(value)
            case .releases(let releases):
                switch TableResolver.choose(releases, on: date) {
                case .notCovered(let reason):
                    notCovered.append((name, reason))
                    return false
                case .release(let release, let isStale):
                    let found = release.table.row(keyParts: [value], on: date) != nil
                    if isStale && found { markStale(name, release) }
                    return found
                }
            }
        }
    }

    mutating func markStale(_ name: String, _ release: TableRelease) {
        stale = true
        let end = release.window.expires?.description ?? "?"
        staleNotes.append("\(name) \(release.release) applied to dates of service after \(end): import the current release")
    }

    mutating func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .all(let parts):
            for part in parts where !holds(part) { return false }
            return true
        case .any(let parts):
            for part in parts where holds(part) { return true }
            return false
        case .not(let inner):
            var probe = self
            probe.trace = []
            let result = probe.holds(inner)
            notCovered = probe.notCovered
            stale = probe.stale
            staleNotes = probe.staleNotes
            if !result { trace.append("not (\(Describe.condition(inner)))") }
            return !result
        case .lookup(let lookup):
            guard case .releases(let releases)? = release(lookup.table) else { return false }
            // A list-valued key part (`line.day-codes`) matches when any of its items does, tried in order.
            var candidates: [[String]] = [[]]
            for field in lookup.key {
                let options: [String]
                switch read(field) {
                case .list(let items): options = items.filter { !$0.isEmpty }
                case let value:
                    guard let text = value.text, !text.isEmpty else { return false }
                    options = [text]
                }
                candidates = candidates.flatMap { prefix in options.map { prefix + [$0] } }
            }
            guard !candidates.isEmpty else { return false }
            switch TableResolver.choose(releases, on: date) {
            case .notCovered(let reason):
                notCovered.append((lookup.table, reason))
                return false
            case .release(let release, let isStale):
                var found: (key: [String], row: Int32)?
                for key in candidates {
                    if let row = release.table.row(keyParts: key, on: date) { found = (key, row); break }
                }
                guard let (key, row) = found else { return false }
                if isStale { markStale(lookup.table, release) }
                rows[lookup.alias] = (release.table, row)
                trace.append("\(lookup.table) \(release.release) has row \(key.joined(separator: " / ")) in force on \(date)")
                return true
            }
        case .compare(let field, let comparison, _):
            let value = read(field)
            var state = self
            let result = Compare.holds(value, comparison, evaluate: { Compare.evaluate($0, read: state.read) },
                                       inSet: { state.inSet($0, $1) }, other: { state.read($0) })
            notCovered = state.notCovered
            stale = state.stale
            staleNotes = state.staleNotes
            if result { trace.append("\(field) = \(value.text ?? "(none)"): \(Describe.comparison(comparison))") }
            return result
        }
    }
}

/// Builds a claim's result: edits, not-checked findings and suppression.
struct ResultCollector {
    let claimIndex: Int
    let claimID: String
    var edits: [Edit] = []
    var notChecked: [NotChecked] = []
    var seenNotChecked = Set<NotChecked>()
    var staleTables: [String] = []
    var firedRules = Set<String>()
    /// Whether `firedRules` is kept (only suppressions read it; the graph's evaluator turns it off when the rule
    /// set has none).
    var tracksFiredRules = true

    init(claimIndex: Int, claimID: String) { self.claimIndex = claimIndex; self.claimID = claimID }

    /// A rule that could not be checked on this claim; each finding is reported once per claim, without a line.
    mutating func notChecked(rule: Rule, table: String?, reason: String) {
        let finding = NotChecked(ruleID: rule.id, table: table, line: nil, reason: reason)
        if seenNotChecked.insert(finding).inserted { notChecked.append(finding) }
    }

    /// The edit of a rule that fired, its message and fix rendered from `message` and `fix` (the rule's own, or
    /// the graph's renamed to its canonical lookup aliases).
    mutating func add(facts: Edit.RuleFacts, qualifiedID: String, message: Template, fix: Template?, line: Int?,
                      related: Edit.Related?, stale: Bool, staleNotes: [String], explanation: [String]?,
                      read: (FieldRef) -> Value) {
        add(facts: facts, qualifiedID: qualifiedID, message: TemplateRenderer.render(message, read: read),
            fix: fix.map { TemplateRenderer.render($0, read: read) }, line: line, related: related, stale: stale,
            staleNotes: staleNotes, explanation: explanation)
    }

    /// `add` with the message and fix already rendered. The values the edit keeps are `consuming`: passed over
    /// into it, not retained here and released by the caller (a retain and a release per field and edit).
    mutating func add(facts: consuming Edit.RuleFacts, qualifiedID: String, message: consuming String,
                      fix: consuming String?, line: Int?, related: consuming Edit.Related?, stale: Bool,
                      staleNotes: [String], explanation: consuming [String]?) {
        for note in staleNotes where !staleTables.contains(note) { staleTables.append(note) }
        if tracksFiredRules { firedRules.insert(qualifiedID) }
        // Room for a few at once: claims with edits mostly have several, and growing 1, 2, 4 copied them twice.
        if edits.isEmpty { edits.reserveCapacity(4) }
        edits.append(Edit(facts: facts, claimID: claimID, claimIndex: claimIndex, line: line, related: related,
                          message: message, fix: fix, stale: stale, explanation: explanation))
    }

    mutating func finish(ruleSet: RuleSet) -> ClaimResult {
        // A rule that fired suppresses the edits of the rules it names on this claim.
        var suppressed = Set<String>()
        for rule in ruleSet.rules where firedRules.contains(rule.qualifiedID) {
            for target in rule.suppresses { suppressed.insert(target.contains("/") ? target : "\(rule.pack)/\(target)") }
        }
        let kept = edits.filter { !suppressed.contains("\($0.pack)/\($0.ruleID)") }.sorted(by: Edit.reportOrder)
        let checked = notChecked.sorted { ($0.ruleID ?? "", $0.table ?? "", $0.reason) < ($1.ruleID ?? "", $1.table ?? "", $1.reason) }
        return ClaimResult(claimIndex: claimIndex, claimID: claimID, edits: kept, notChecked: checked, staleTables: staleTables.sorted())
    }
}

/// Plain-words descriptions of conditions, for `--explain` and the graph picture.
enum Describe {
    static func condition(_ condition: Condition) -> String {
        switch condition {
        case .compare(let field, let comparison, _): return "\(field) \(self.comparison(comparison))"
        case .all(let parts): return "all of (\(parts.map(self.condition).joined(separator: "; ")))"
        case .any(let parts): return "any of (\(parts.map(self.condition).joined(separator: "; ")))"
        case .not(let inner): return "not (\(self.condition(inner)))"
        case .lookup(let lookup): return "lookup \(lookup.table)[\(lookup.key.map(\.description).joined(separator: ", "))] as \(lookup.alias)"
        }
    }

    static func set(_ set: SetRef) -> String {
        switch set {
        case .literal(let codes): return "a list of \(codes.count) codes"
        case .table(let name): return "table \(name)"
        }
    }

    static func comparison(_ comparison: Comparison) -> String {
        switch comparison {
        case .equals(let value): return "equals \(value)"
        case .notEquals(let value): return "not-equals \(value)"
        case .inSet(let s): return "in \(set(s))"
        case .notInSet(let s): return "not-in \(set(s))"
        case .greater(let e): return "gt \(e)"
        case .greaterOrEqual(let e): return "ge \(e)"
        case .less(let e): return "lt \(e)"
        case .lessOrEqual(let e): return "le \(e)"
        case .numericEquals(let e): return "equals \(e)"
        case .before(let e): return "before \(e)"
        case .after(let e): return "after \(e)"
        case .onOrBefore(let e): return "on-or-before \(e)"
        case .onOrAfter(let e): return "on-or-after \(e)"
        case .present(let flag): return "present \(flag)"
        case .includes(let value): return "includes \(value)"
        case .includesAny(let s): return "includes-any of \(set(s))"
        case .includesNone(let s): return "includes-none of \(set(s))"
        case .includesOutside(let s): return "includes-outside \(set(s))"
        case .startsWith(let prefixes): return "starts-with \(prefixes.joined(separator: "|"))"
        case .matches(let pattern): return "matches /\(pattern)/"
        case .sameAs(let field): return "same-as \(field)"
        case .differsFrom(let field): return "differs-from \(field)"
        case .count(let inner): return "count \(self.comparison(inner))"
        case .isTrue(let flag): return "is \(flag)"
        }
    }
}
