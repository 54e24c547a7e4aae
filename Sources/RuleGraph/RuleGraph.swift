import ClaimModel
import Dispatch
import Rules
import Tables

/// The compiled evaluation graph of a rule set. Conditions are nodes; identical conditions (same field,
/// same comparison, same table lookup) are one node, evaluated at most once per binding; rules are reached
/// through hash indexes on their most selective key (procedure code, payer, the first table lookup), so a
/// line only meets the rules that can fire on it. Immutable and shared across threads.
///
/// `ReferenceEvaluator` defines what the edits must be; this gives the same edits, faster.
public final class RuleGraph: Sendable {
    /// A node of the graph.
    enum Node: Hashable, Sendable {
        case compare(FieldRef, Comparison)
        case all([Int])
        case any([Int])
        case not(Int)
        /// A table lookup; its row is bound in `slot` (the canonical alias `#slot`).
        case lookup(table: String, pack: String, key: [FieldRef], slot: Int)
    }

    /// A rule with its templates renamed to the canonical lookup aliases. A class: an edit takes one
    /// reference to it, not a copy of the rule.
    final class CompiledRule: Sendable {
        let rule: Rule
        /// Top-level condition nodes, in the order written.
        let conditions: [Int]
        let message: Template
        let fix: Template?
        let order: Int
        /// `pack/id` and the version (its window), made once, not per edit.
        let qualifiedID: String
        let version: String
        /// What its edits carry from the rule, shared by all of them.
        let facts: Edit.RuleFacts

        init(rule: Rule, conditions: [Int], message: Template, fix: Template?, order: Int) {
            self.rule = rule; self.conditions = conditions; self.message = message; self.fix = fix; self.order = order
            qualifiedID = rule.qualifiedID
            version = rule.version
            facts = Edit.RuleFacts(rule: rule, version: rule.version)
        }
    }

    /// Rules of one scope, by what dispatches them.
    struct Dispatch: Sendable {
        /// Rules with no dispatch key: tried on every binding.
        var generic: [Int] = []
        /// Rules keyed by the value of the scope's key field (line code, payer id, diagnosis code).
        var byKey: [String: [Int]] = [:]
        /// Per keyed rule, the condition its keys come from: true whenever the rule is reached through `byKey`.
        var impliedNode: [Int: Int] = [:]
        /// Rules whose first condition is a lookup, by that lookup's node: the lookup runs once, and only
        /// when it holds are its rules tried.
        var byLookup: [(node: Int, rules: [Int])] = []
        /// Every rule of the scope (for bindings with no date, which every rule must report as not checked).
        var all: [Int] = []
    }

    /// What a rule is dispatched under: its scope, and for a line pair its day window.
    struct DispatchGroup: Hashable {
        var scope: Scope
        var days: ClosedRange<Int>
    }

    /// A keyed rule as the evaluator tries it: its window, applicability and the conditions left to check once the
    /// key matched (the key condition itself, `line.code: "…"` or a literal `in`, is implied by the dispatch), side
    /// by side, so trying a rule reads one entry instead of the rule, its condition range and the key's node.
    struct KeyedRule {
        let rule: Int32
        /// `Program.applicability` index; -1 when the rule applies to every claim.
        let applicability: Int32
        /// The rule's window as day numbers (`Int32.min`/`Int32.max` when open).
        let from: Int32
        let through: Int32
        /// Range of `ScopeRules.keyedConditions` (node ids).
        let conditionsStart: Int32
        let conditionsCount: Int32
    }

    /// A scope's dispatch as the evaluator reads it: rule and node ids into `Program`, on the heap so a binding
    /// takes one reference to it, not copies of its arrays.
    final class ScopeRules: @unchecked Sendable {
        let keyField: Program.Access
        /// Position among every `ScopeRules` of the graph (`scopeRules`, then `windowedPairRules`): the
        /// evaluator's per-scope caches are indexed by it.
        let ordinal: Int
        /// Rules tried on every binding (immutable after `init`, as every buffer here).
        let generic: UnsafeMutableBufferPointer<Int32>
        /// Rules by the value of `keyField`: `keyedSpans[byKey[value]]`, a span of `keyed`.
        let byKey: [String: Int32]
        /// Spans of `keyed`, one per key: `start << 32 | count`.
        let keyedSpans: [Int64]
        /// The keyed rules, key after key, in one allocation (immutable after `init`, so shared across threads).
        let keyed: UnsafeMutableBufferPointer<KeyedRule>
        let keyedConditions: UnsafeMutableBufferPointer<Int32>
        /// The line whose procedure code is `keyField`, when it is one (the evaluator then dispatches by the code's
        /// number in the batch index instead of hashing the text on every binding).
        let keyLine: Role?
        /// Rules behind a shared first lookup: the lookup `lookupNodes[i]` runs once, and its rules are
        /// `lookupRules[lookupStarts[i] ..< lookupStarts[i + 1]]`.
        let lookupNodes: UnsafeMutableBufferPointer<Int32>
        let lookupStarts: UnsafeMutableBufferPointer<Int32>
        let lookupRules: UnsafeMutableBufferPointer<Int32>
        let all: [Int32]

        init(_ dispatch: Dispatch, keyField: Program.Access, ordinal: Int, rules: [CompiledRule], program: Program) {
            self.keyField = keyField
            self.ordinal = ordinal
            generic = Program.Flat.copy(dispatch.generic.map { Int32($0) })
            var byKey: [String: Int32] = [:]
            var spans: [Int64] = []
            var keyed: [KeyedRule] = []
            var conditions: [Int32] = []
            func day(_ value: Int) -> Int32 { Int32(clamping: value) }
            for (key, ruleIndexes) in dispatch.byKey.sorted(by: { $0.key < $1.key }) {
                byKey[key] = Int32(spans.count)
                spans.append(Int64(keyed.count) << 32 | Int64(ruleIndexes.count))
                for ruleIndex in ruleIndexes {
                    let start = conditions.count
                    let implied = dispatch.impliedNode[ruleIndex]
                    for node in rules[ruleIndex].conditions where node != implied { conditions.append(Int32(node)) }
                    let compiled = program.flat.rules[ruleIndex]
                    keyed.append(KeyedRule(rule: Int32(ruleIndex), applicability: Int32(compiled.applicability),
                                           from: day(compiled.from), through: day(compiled.through),
                                           conditionsStart: Int32(start), conditionsCount: Int32(conditions.count - start)))
                }
            }
            self.byKey = byKey
            keyedSpans = spans
            self.keyed = Program.Flat.copy(keyed)
            keyedConditions = Program.Flat.copy(conditions)
            if case .line(let role, .code) = keyField { keyLine = role } else { keyLine = nil }
            lookupNodes = Program.Flat.copy(dispatch.byLookup.map { Int32($0.node) })
            var starts: [Int32] = [0]
            for entry in dispatch.byLookup { starts.append(starts[starts.count - 1] + Int32(entry.rules.count)) }
            lookupStarts = Program.Flat.copy(starts)
            lookupRules = Program.Flat.copy(dispatch.byLookup.flatMap { $0.rules.map { Int32($0) } })
            all = dispatch.all.map { Int32($0) }
        }

        deinit {
            keyed.baseAddress?.deallocate()
            keyedConditions.baseAddress?.deallocate()
            for buffer in [generic, lookupNodes, lookupStarts, lookupRules] { buffer.baseAddress?.deallocate() }
        }
    }

    let ruleSet: RuleSet
    let nodes: [Node]
    let rules: [CompiledRule]
    let dispatch: [Scope: Dispatch]
    /// The graph in the form the evaluator runs, and each scope's dispatch by `Scope.ordinal`.
    let program: Program
    let scopeRules: [ScopeRules?]
    /// Line-pair rules with a `within-days` window other than the same day, one dispatch per distinct window (in
    /// order of the window); `scopeRules` holds the same-day line pairs.
    let windowedPairRules: [(days: ClosedRange<Int>, rules: ScopeRules)]
    /// Number of lookup slots, and the table each one looks up (for explanations).
    let slotCount: Int
    let slotTables: [String]
    /// The per-day totals some rule reads (`line.day-units`, `line.patient-day-repeats`): the batch index counts
    /// only these.
    let joins: BatchIndex.Joins

    /// A table by its qualified name `pack/table`.
    func table(qualified name: String) -> TableSource? {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        return ruleSet.table(parts[1], pack: parts[0])
    }

    /// Figures about the compilation, for `rules graph` and the benchmark.
    public struct Statistics: Sendable {
        public var rules: Int
        public var conditionsWritten: Int
        public var nodes: Int
        public var indexedRules: Int
        public var lookupDispatchedRules: Int
        public var genericRules: Int
    }
    public let statistics: Statistics

    public var version: String { ruleSet.version }

    public init(_ ruleSet: RuleSet) {
        var builder = Builder()
        var compiled: [CompiledRule] = []
        // Per scope, and for line pairs per day window: same-day pairs keep their own dispatch (the common path).
        var dispatch: [DispatchGroup: Dispatch] = [:]
        var written = 0
        // Per scope: two scopes can share a lookup node (a line and a line-diagnosis rule on `line.code`).
        var lookupNodes: [DispatchGroup: [Int: [Int]]] = [:]
        var lookupOrder: [DispatchGroup: [Int]] = [:]
        for (order, rule) in ruleSet.rules.enumerated() {
            // Canonical alias per distinct lookup, so identical conditions share nodes across rules.
            var aliasMap: [String: String] = [:]
            var conditionIDs: [Int] = []
            for condition in rule.when {
                written += condition.size
                if case .lookup(let lookup) = condition {
                    let key = lookup.key.map { field -> FieldRef in
                        if case .column(let alias, let column) = field, let canonical = aliasMap[alias] {
                            return .column(alias: canonical, column: column)
                        }
                        return field
                    }
                    let slot = builder.slot(table: lookup.table, pack: rule.pack, key: key)
                    aliasMap[lookup.alias] = "#\(slot)"
                    conditionIDs.append(builder.intern(.lookup(table: lookup.table, pack: rule.pack, key: key, slot: slot)))
                } else {
                    conditionIDs.append(builder.add(condition, aliases: aliasMap, pack: rule.pack))
                }
            }
            let rename: (FieldRef) -> FieldRef = { field in
                if case .column(let alias, let column) = field, let canonical = aliasMap[alias] {
                    return .column(alias: canonical, column: column)
                }
                return field
            }
            let index = compiled.count
            compiled.append(CompiledRule(rule: rule, conditions: conditionIDs, message: rule.message.rewritten(rename),
                                         fix: rule.fix?.rewritten(rename), order: order))
            // Mutated in place in the dictionary: copying a scope's index out and back for every rule made
            // compilation quadratic in the number of rules.
            let group = DispatchGroup(scope: rule.scope, days: rule.scope == .linePair ? rule.pairDays : 0...0)
            dispatch[group, default: Dispatch()].all.append(index)
            if let (keys, node) = Self.dispatchKeys(rule.scope, conditionIDs, nodes: builder.nodes) {
                for key in keys { dispatch[group, default: Dispatch()].byKey[key, default: []].append(index) }
                dispatch[group, default: Dispatch()].impliedNode[index] = node
            } else if let first = conditionIDs.first, case .lookup = builder.nodes[first] {
                if lookupNodes[group]?[first] == nil { lookupOrder[group, default: []].append(first) }
                lookupNodes[group, default: [:]][first, default: []].append(index)
            } else {
                dispatch[group, default: Dispatch()].generic.append(index)
            }
        }
        for (group, order) in lookupOrder {
            dispatch[group, default: Dispatch()].byLookup = order.map { ($0, lookupNodes[group]?[$0] ?? []) }
        }
        self.ruleSet = ruleSet
        self.nodes = builder.nodes
        self.rules = compiled
        var sameDay: [Scope: Dispatch] = [:]
        var windowed: [(days: ClosedRange<Int>, dispatch: Dispatch)] = []
        for (group, rules) in dispatch {
            if group.days == 0...0 { sameDay[group.scope] = rules } else { windowed.append((group.days, rules)) }
        }
        windowed.sort { ($0.days.lowerBound, $0.days.upperBound) < ($1.days.lowerBound, $1.days.upperBound) }
        self.dispatch = sameDay
        self.slotCount = builder.slots.count
        var slotTables = Array(repeating: "", count: builder.slots.count)
        for node in builder.nodes {
            if case .lookup(let table, _, _, let slot) = node { slotTables[slot] = table }
        }
        self.slotTables = slotTables
        let program = Program(nodes: builder.nodes, rules: compiled, ruleSet: ruleSet)
        self.program = program
        joins = BatchIndex.Joins(readBy: ruleSet.rules)
        var scopeRules: [ScopeRules?] = Array(repeating: nil, count: Scope.allCases.count)
        for (scope, rules) in sameDay {
            scopeRules[scope.ordinal] = ScopeRules(rules, keyField: program.access(template: Self.keyField(scope)),
                                                   ordinal: scope.ordinal, rules: compiled, program: program)
        }
        self.scopeRules = scopeRules
        let pairKey = program.access(template: Self.keyField(.linePair))
        windowedPairRules = windowed.enumerated().map { position, entry in
            (entry.days, ScopeRules(entry.dispatch, keyField: pairKey, ordinal: Scope.allCases.count + position,
                                    rules: compiled, program: program))
        }
        let indexed = dispatch.values.reduce(0) { $0 + Set($1.byKey.values.flatMap { $0 }).count }
        let byLookup = dispatch.values.reduce(0) { $0 + $1.byLookup.reduce(0) { $0 + $1.rules.count } }
        let generic = dispatch.values.reduce(0) { $0 + $1.generic.count }
        statistics = Statistics(rules: compiled.count, conditionsWritten: written, nodes: builder.nodes.count,
                                indexedRules: indexed, lookupDispatchedRules: byLookup, genericRules: generic)
    }

    /// The field whose value dispatches a scope's rules.
    static func keyField(_ scope: Scope) -> FieldRef {
        switch scope {
        case .claim: return .claim(.payerID)
        case .line, .lineDiagnosis: return .line(.the, .code)
        case .linePair: return .line(.b, .code)
        case .diagnosis: return .diagnosis(.the, .code)
        case .diagnosisPair: return .diagnosis(.b, .code)
        }
    }

    /// The key values a rule can only fire on, from a top-level `equals` or literal `in` on the key field, and that
    /// condition's node (it holds on every binding the keys dispatch). Only conditions before the first one that
    /// reads a table count: the reference evaluator goes through the conditions in order, and a table that does not
    /// cover the date is reported as not checked even when a later key condition fails, so such a rule must still
    /// be tried on every binding.
    static func dispatchKeys(_ scope: Scope, _ conditions: [Int], nodes: [Node]) -> (keys: [String], node: Int)? {
        let field = keyField(scope)
        var best: (keys: [String], node: Int)?
        for id in conditions {
            if readsTable(id, nodes: nodes) { break }
            guard case .compare(let f, let comparison) = nodes[id], f == field else { continue }
            switch comparison {
            case .equals(let value): return ([value], id)
            case .inSet(.literal(let set)):
                if let members = set.members(limit: 50_000), best == nil || members.count < best?.keys.count ?? 0 {
                    best = (members, id)
                }
            default: continue
            }
        }
        return best
    }

    /// Whether evaluating the node may look into a table (a lookup, or membership in a table).
    static func readsTable(_ id: Int, nodes: [Node]) -> Bool {
        func readsTable(_ comparison: Comparison) -> Bool {
            switch comparison {
            case .inSet(.table), .notInSet(.table), .includesAny(.table), .includesNone(.table), .includesOutside(.table): return true
            case .count(let inner): return readsTable(inner)
            default: return false
            }
        }
        switch nodes[id] {
        case .lookup: return true
        case .compare(_, let comparison): return readsTable(comparison)
        case .all(let parts), .any(let parts): return parts.contains { Self.readsTable($0, nodes: nodes) }
        case .not(let inner): return Self.readsTable(inner, nodes: nodes)
        }
    }

    /// Interns nodes: the same condition is one node.
    struct Builder {
        var nodes: [Node] = []
        var ids: [Node: Int] = [:]
        var slots: [String: Int] = [:]

        mutating func intern(_ node: Node) -> Int {
            if let id = ids[node] { return id }
            nodes.append(node)
            ids[node] = nodes.count - 1
            return nodes.count - 1
        }

        mutating func slot(table: String, pack: String, key: [FieldRef]) -> Int {
            let name = "\(pack)\u{1F}\(table)\u{1F}\(key.map(\.description).joined(separator: "\u{1F}"))"
            if let slot = slots[name] { return slot }
            slots[name] = slots.count
            return slots.count - 1
        }

        mutating func add(_ condition: Condition, aliases: [String: String], pack: String) -> Int {
            let rename: (FieldRef) -> FieldRef = { field in
                if case .column(let alias, let column) = field, let canonical = aliases[alias] {
                    return .column(alias: canonical, column: column)
                }
                return field
            }
            switch condition {
            case .compare(let field, let comparison, _):
                let qualified = comparison.rewritten(rename).qualifyingTables { "\(pack)/\($0)" }
                return intern(.compare(rename(field), qualified))
            case .all(let parts): return intern(.all(parts.map { add($0, aliases: aliases, pack: pack) }))
            case .any(let parts): return intern(.any(parts.map { add($0, aliases: aliases, pack: pack) }))
            case .not(let inner): return intern(.not(add(inner, aliases: aliases, pack: pack)))
            case .lookup(let lookup):
                // Below the top only under `not` (the parser checks): no row binds, but the node is the same
                // lookup a top-level one of that table and key would be.
                let key = lookup.key.map(rename)
                return intern(.lookup(table: lookup.table, pack: pack, key: key, slot: slot(table: lookup.table, pack: pack, key: key)))
            }
        }
    }

    // MARK: Evaluation

    /// Evaluates a batch: every claim against the graph, with pairs and day totals joined across the batch
    /// and the history. Claims are split between the cores; the result is in batch order.
    public func evaluate(_ claims: [Claim], context: EvaluationContext) -> [ClaimResult] {
        evaluate(claims, context: context, maxWorkers: System.coreCount)
    }

    /// `evaluate(_:context:)` on at most `maxWorkers` threads (1: on the current thread only), for the
    /// benchmark's single-core figures.
    package func evaluate(_ claims: [Claim], context: EvaluationContext, maxWorkers: Int) -> [ClaimResult] {
        let index = BatchIndex(claims: claims, history: context.history, joins: joins)
        let workers = min(max(1, claims.count / 64), max(1, maxWorkers))
        if workers == 1 {
            let evaluator = GraphEvaluator(graph: self, index: index, context: context)
            return claims.indices.map { evaluator.evaluateClaim($0) }
        }
        let results = ResultSlots(count: claims.count)
        let chunk = (claims.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let evaluator = GraphEvaluator(graph: self, index: index, context: context)
            let start = worker * chunk
            let end = min(claims.count, start + chunk)
            guard start < end else { return }
            for claimIndex in start..<end { results.set(claimIndex, evaluator.evaluateClaim(claimIndex)) }
        }
        return results.values
    }

    /// Evaluates one claim on the current thread (the HTTP API and tests).
    public func evaluate(_ claim: Claim, context: EvaluationContext) -> ClaimResult {
        let index = BatchIndex(claims: [claim], history: context.history, joins: joins)
        return GraphEvaluator(graph: self, index: index, context: context).evaluateClaim(0)
    }
}

/// Results written by index from several threads; each index is written once, by one thread.
final class ResultSlots: @unchecked Sendable {
    // @unchecked: each slot is written by exactly one worker of concurrentPerform, and read only after
    // concurrentPerform returns; the buffer itself never moves.
    private let storage: UnsafeMutableBufferPointer<ClaimResult?>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }
    deinit {
        _ = storage.deinitialize()
        storage.deallocate()
    }
    func set(_ index: Int, _ value: ClaimResult) { storage[index] = value }
    var values: [ClaimResult] { storage.compactMap { $0 } }
}

enum System {
    static let coreCount: Int = {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 2
        #endif
    }()
}

extension Condition {
    /// Number of conditions as written (for the sharing figure).
    var size: Int {
        switch self {
        case .compare, .lookup: return 1
        case .all(let parts), .any(let parts): return 1 + parts.reduce(0) { $0 + $1.size }
        case .not(let inner): return 1 + inner.size
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension RuleGraph {
    /// The compiled graph as Graphviz dot: rules (boxes) point at their top-level condition nodes
    /// (ellipses); a node shared by several rules has several arrows in; lookups are diamonds.
    public func dot() -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        }
        func label(_ node: Node) -> String {
            switch node {
            case .compare(let field, let comparison):
                return "\(field.displayName(slotTables: slotTables)) \(Describe.comparison(comparison))"
            case .all: return "all"
            case .any: return "any"
            case .not: return "not"
            case .lookup(let table, _, let key, _):
                return "lookup \(table)[\(key.map { $0.displayName(slotTables: slotTables) }.joined(separator: ", "))]"
            }
        }
        var out = "digraph rules {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        for (id, node) in nodes.enumerated() {
            let shape: String
            if case .lookup = node { shape = "diamond" } else { shape = "ellipse" }
            out += "  n\(id) [shape=\(shape), label=\"\(escape(label(node)))\"];\n"
            switch node {
            case .all(let parts), .any(let parts): for part in parts { out += "  n\(id) -> n\(part);\n" }
            case .not(let inner): out += "  n\(id) -> n\(inner);\n"
            default: break
            }
        }
        for (index, compiled) in rules.enumerated() {
            let rule = compiled.rule
            out += "  r\(index) [shape=box, style=filled, fillcolor=\"#eeeeee\", label=\"\(escape("\(rule.pack)/\(rule.id)\\n\(rule.scope.rawValue) · \(rule.denial ?? rule.severity.rawValue)"))\"];\n"
            for node in compiled.conditions { out += "  r\(index) -> n\(node);\n" }
        }
        return out + "}\n"
    }
}

extension CodeSet {
    /// Every code of the set when there are at most `limit`, for dispatch indexes; nil otherwise.
    func members(limit: Int) -> [String]? {
        count <= limit ? sortedCodes : nil
    }
}
