import ClaimModel
import Rules
import Tables

/// Evaluates claims on a `RuleGraph`'s `Program`: one per thread. Node results are memoised per binding (a
/// generation stamp per node, so starting a binding costs nothing), together with what evaluating the node
/// touched (a stale table release, a table that does not cover the date, and with `--explain` the conditions
/// that held), so a shared node hit from a second rule reports to that rule exactly what it would have found.
///
/// The binding is a set of positions (claim, line, the pair's other line) into the batch index, which holds the
/// claims and lines on the heap, and every memo lives in buffers this evaluator owns, so the hot path neither
/// copies claims, lines or rules nor touches reference counts the other worker shares.
final class GraphEvaluator {
    private let graph: RuleGraph
    private let program: Program
    // The program's flat arrays (`Program.Flat`, kept alive by `program`).
    private let ops: UnsafeMutableBufferPointer<Program.Op>
    private let children: UnsafeMutableBufferPointer<Int32>
    private let compiledRules: UnsafeMutableBufferPointer<Program.CompiledRule>
    private let conditionList: UnsafeMutableBufferPointer<Int32>
    private let releases: UnsafeMutableBufferPointer<Program.ReleaseEntry>
    private let releaseColumns: UnsafeMutableBufferPointer<Int32>
    private let tableEntries: UnsafeMutableBufferPointer<Program.TableEntry>
    private let lookupEntries: UnsafeMutableBufferPointer<Program.LookupEntry>
    private let compares: UnsafeMutableBufferPointer<Program.CompiledCompare>
    private let templateText: UnsafeMutableBufferPointer<UInt8>
    /// `BatchIndex.lineFacts` (kept alive by `index`).
    private let lineFacts: UnsafeMutableBufferPointer<BatchIndex.LineFacts>
    private let index: BatchIndex
    private let context: EvaluationContext
    private let today: CalendarDate?
    private let explain: Bool

    // Memo per node, per lookup slot, per applicability class.
    /// Per node: the generation of the binding it was evaluated on, shifted left by two, and two flags (bit 0: its
    /// value, bit 1: it met a stale release). One word, so checking a node's memo reads one cache line, not two.
    private let memo: UnsafeMutableBufferPointer<UInt32>
    /// Below `1 << 30`, so that it fits `memo` beside the flags.
    private var generation: UInt32 = 0
    private let rowStamps: UnsafeMutableBufferPointer<UInt32>
    /// The bound row's release, as an index of `Program.Flat.releases`.
    private let rowReleases: UnsafeMutableBufferPointer<Int32>
    private let rowNumbers: UnsafeMutableBufferPointer<Int32>
    private let applyStamps: UnsafeMutableBufferPointer<UInt32>
    private let applyFlags: UnsafeMutableBufferPointer<Bool>
    /// Per scope (`ScopeRules.ordinal`) and code of the batch (`BatchIndex.codeOfLine`): the scope's span of
    /// `keyed` rules for that code (`ScopeRules.keyedSpans`; 0 when no rule is keyed on it), -1 until looked up.
    private let dispatchCache: UnsafeMutableBufferPointer<Int64>
    /// What a lookup needs of a batch code for one key part of one release, found once.
    struct KeyCodeMemo {
        /// The code's stored form in the release's table (`Table.keyCode`; for a first part, its
        /// `Table.firstKeyPosition`), valid where `state` is 1; 2: no row has it (there); 0: not looked up yet.
        var value: UInt64 = 0
        var state: UInt8 = 0
        /// The code's text is empty (a lookup key part that is empty finds nothing): set in the code's first memo.
        var codeIsEmpty = false
    }
    /// Per code of the batch, then per release key part (`Program.ReleaseEntry.keyPart`): a code's memos side by
    /// side, so a lookup's checks on one code read one cache line, not three arrays.
    private let keyCodeMemos: UnsafeMutableBufferPointer<KeyCodeMemo>
    private let keyPartCount: Int
    /// Per compare (`Program.Flat.compares`) of a text column with a literal: the release whose `Table.textID` of the
    /// literal `columnLiteralIDs` holds (-1: none yet). Release by release, as a slot's row comes from the release in
    /// force on the binding's date.
    private let columnLiteralReleases: UnsafeMutableBufferPointer<Int32>
    private let columnLiteralIDs: UnsafeMutableBufferPointer<Int32>
    /// `Program.texts` packed as modifiers (`BatchIndex.packModifier`), -1 for a text that is not a packable
    /// modifier: found once, not on every `includes` test.
    private let textsAsModifiers: UnsafeMutableBufferPointer<Int32>
    private var claimGeneration: UInt32 = 0
    /// `Program.memoisableCompares`: the compares `memoisedHolds` decides once per text and batch.
    private let memoisable: [Bool]
    /// The texts `memoisedHolds` and `memoisedLookup` met (`memoText`), numbered, and the numbers they derive from
    /// them (a lookup's pair of texts, a text with a release and a day: `numberWithRelease`)...
    private var textNumbers = IntegerInterner(expected: 256)
    /// ... the (compare, text number) pairs it decided, numbered, and their results by that number.
    private var testNumbers = IntegerInterner(expected: 1024)
    private var testResults: [Bool] = []
    /// By the same number: whether a table-keys test found its text (a stale release then marks the rule's edit).
    private var memberFound: [Bool] = []
    /// `Program.memoisableLookups`; the (lookup, texts) `memoisedLookup` met, numbered, and the row each found (-1:
    /// none).
    private let lookupMemoisable: [Bool]
    private var lookupNumbers = IntegerInterner(expected: 256)
    private var lookupRows: [Int32] = []
    /// `Program.compareMemberTables`.
    private let memberTables: [Int32]
    /// The UTF-8 of the message or fix being rendered.
    private var scratch = RenderBuffer()
    /// `Program.ruleRanks`.
    private let ruleRanks: [UInt32]
    /// Per edit of the claim being evaluated, in `collector.edits` order: its line (0 for none) and its rule's rank,
    /// so that sorting the edits compares numbers and falls back to `Edit.reportOrder` only on ties.
    private var editKeys: [EditKey] = []
    private var notCovered: [Int: [(String, String)]] = [:]
    /// `!notCovered.isEmpty`, kept as a flag: reading the dictionary's count on every node retained its storage.
    private var anyNotCovered = false
    private var traces: [Int: [String]] = [:]
    /// What the nodes being evaluated found so far (tables that did not cover the date, and with `--explain` the
    /// conditions that held), as stacks: a node's or rule attempt's findings are those past the count at its start,
    /// moved into `notCovered`/`traces` (or reported) when it ends. Kept here, not in optional arrays local to
    /// every node's evaluation, whose release at the end cost two runtime calls per node even when nil.
    private var pendingUncovered: [(String, String)] = []
    private var pendingTrace: [String] = []

    // The binding.
    private var claimAt = 0
    private var claimBox: Shared<Claim>
    /// The line (`line.` fields) and the pair's lines, as positions in the batch index; -1 when none.
    private var lineAt = -1
    private var bAt = -1
    private var aAt = -1
    private var aAddress: LineAddress?
    /// The bound diagnoses as indexes into the claim's diagnoses (-1 when none), each with the position rules
    /// see (`diagnosis.position`: its place in the list, or the line's pointer). Kept as numbers: binding a copy
    /// of a `Diagnosis` on every binding cost more than the rules it was bound for.
    private var diagnosisAt = -1
    private var diagnosisPosition = 0
    private var diagnosisAAt = -1
    private var diagnosisAPosition = 0
    private var diagnosisBAt = -1
    private var diagnosisBPosition = 0
    private var date = CalendarDate.distantPast
    private var day = CalendarDate.distantPast.dayNumber

    // The claim, for applicability.
    private var payerID: String?
    private var filingIndicator: String?
    private var claimType = ClaimType.professional

    /// `Program.suppressionTargets`, and whether any rule suppresses others.
    private let suppressionTargets: [[String]?]
    private let anySuppressions: Bool
    /// The qualified ids of the rules whose edits the rules fired so far on this claim suppress.
    private var suppressedOnClaim = Set<String>()

    init(graph: RuleGraph, index: BatchIndex, context: EvaluationContext) {
        self.graph = graph
        program = graph.program
        ops = program.flat.ops
        children = program.flat.children
        compiledRules = program.flat.rules
        conditionList = program.flat.conditionList
        releases = program.flat.releases
        releaseColumns = program.flat.releaseColumns
        tableEntries = program.flat.tables
        lookupEntries = program.flat.lookups
        compares = program.flat.compares
        templateText = program.flat.templateText
        self.index = index
        lineFacts = index.lineFacts
        claimBox = Shared(Claim(type: .professional, id: "", totalCharge: Money(cents: 0), billingProvider: nil,
                                subscriber: Subscriber(name: nil), patient: Patient(name: nil, isSubscriber: true), payer: nil))
        self.context = context
        today = context.today
        explain = context.explain
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, count))
            buffer.initialize(repeating: value)
            return buffer
        }
        memo = buffer(ops.count, 0)
        rowStamps = buffer(graph.slotCount, 0)
        rowReleases = buffer(graph.slotCount, 0)
        rowNumbers = buffer(graph.slotCount, 0)
        applyStamps = buffer(program.applicability.count, 0)
        applyFlags = buffer(program.applicability.count, false)
        dispatchCache = buffer((Scope.allCases.count + graph.windowedPairRules.count) * index.codeCount, Int64(-1))
        keyPartCount = max(1, program.flat.keyPartCount)
        keyCodeMemos = buffer(keyPartCount * index.codeCount, KeyCodeMemo())
        columnLiteralReleases = buffer(compares.count, Int32(-1))
        columnLiteralIDs = buffer(compares.count, Int32(-1))
        textsAsModifiers = buffer(program.texts.count, Int32(-1))
        memoisable = program.memoisableCompares
        memberTables = program.compareMemberTables
        lookupMemoisable = program.memoisableLookups
        for (position, text) in program.texts.enumerated() {
            if let packed = BatchIndex.packModifier(text) { textsAsModifiers[position] = Int32(packed) }
        }
        for (code, text) in index.codeTexts.enumerated() where text.isEmpty { keyCodeMemos[code * keyPartCount].codeIsEmpty = true }
        suppressionTargets = program.suppressionTargets
        anySuppressions = suppressionTargets.contains { $0 != nil }
        ruleRanks = program.ruleRanks
    }

    deinit {
        for buffer in [memo, rowStamps, applyStamps] { buffer.deallocate() }
        for buffer in [rowReleases, rowNumbers] { buffer.deallocate() }
        dispatchCache.deallocate()
        keyCodeMemos.deallocate()
        columnLiteralReleases.deallocate()
        columnLiteralIDs.deallocate()
        textsAsModifiers.deallocate()
        applyFlags.deallocate()
    }

    private func begin(date: CalendarDate) {
        if date != self.date {
            self.date = date
            day = date.dayNumber
        }
        generation += 1
        if generation == 1 << 30 {
            for i in memo.indices { memo[i] = 0 }
            for i in rowStamps.indices { rowStamps[i] = 0 }
            generation = 1
        }
        if anyNotCovered {
            notCovered.removeAll(keepingCapacity: true)
            anyNotCovered = false
        }
        if explain, !traces.isEmpty { traces.removeAll(keepingCapacity: true) }
    }

    private func clearBinding() {
        lineAt = -1
        bAt = -1
        aAt = -1
        aAddress = nil
        diagnosisAt = -1
        diagnosisAAt = -1
        diagnosisBAt = -1
    }

    // MARK: Claims and bindings

    func evaluateClaim(_ claimIndex: Int) -> ClaimResult {
        let box = index.claimBoxes[claimIndex]
        claimBox = box
        claimAt = claimIndex
        // Read through the box, not copied out of it.
        return evaluate(box, at: claimIndex, firstLine: index.lineStart[claimIndex])
    }

    private func evaluate(_ box: Shared<Claim>, at claimIndex: Int, firstLine: Int) -> ClaimResult {
        var collector = ResultCollector(claimIndex: claimIndex, claimID: box.value.id)
        // Which rules fired is kept here, by rule number (`suppressedOnClaim`), not by the collector's id strings.
        collector.tracksFiredRules = false
        payerID = box.value.payer?.id
        filingIndicator = box.value.subscriber.claimFilingIndicator
        claimType = box.value.type
        claimGeneration &+= 1
        if claimGeneration == 0 {
            for i in applyStamps.indices { applyStamps[i] = 0 }
            claimGeneration = 1
        }
        let lineCount = index.lineCount(ofClaim: claimIndex)
        let claimDate = context.asOf ?? index.dates(ofClaim: claimIndex).first
            ?? context.today ?? box.value.createdOn
        for scope in Scope.allCases {
            guard let rules = graph.scopeRules[scope.ordinal] else { continue }
            switch scope {
            case .claim:
                clearBinding()
                run(claimDate, rules, &collector)
            case .line:
                for lineIndex in 0..<lineCount {
                    clearBinding()
                    lineAt = firstLine + lineIndex
                    run(context.asOf ?? index.serviceDate(ofLine: lineAt), rules, &collector)
                }
            case .linePair:
                for lineIndex in 0..<lineCount {
                    let position = firstLine + lineIndex
                    let date = context.asOf ?? index.serviceDate(ofLine: position)
                    for address in index.linesOnDay(of: claimIndex, lineIndex) where !(address.claim == claimIndex && address.line == lineIndex) {
                        runPair(a: address, b: position, date, rules, &collector)
                    }
                }
            case .diagnosis:
                for position in box.value.diagnoses.indices {
                    clearBinding()
                    diagnosisAt = position
                    diagnosisPosition = position + 1
                    run(claimDate, rules, &collector)
                }
            case .lineDiagnosis:
                for (lineIndex, line) in box.value.lines.enumerated() {
                    for pointer in line.diagnosisPointers {
                        guard let pointed = FieldReader.pointedIndex(box.value.diagnoses, pointer) else { continue }
                        clearBinding()
                        lineAt = firstLine + lineIndex
                        diagnosisAt = pointed
                        diagnosisPosition = pointer
                        run(context.asOf ?? line.serviceDate?.from, rules, &collector)
                    }
                }
            case .diagnosisPair:
                for i in box.value.diagnoses.indices {
                    for j in box.value.diagnoses.indices where i != j {
                        clearBinding()
                        diagnosisAAt = i
                        diagnosisAPosition = i + 1
                        diagnosisBAt = j
                        diagnosisBPosition = j + 1
                        run(claimDate, rules, &collector)
                    }
                }
            }
        }
        // Line pairs across dates (`within-days`): each window's rules on the pairs it admits, found through the
        // batch index's days of the patient and provider.
        for (days, rules) in graph.windowedPairRules {
            for lineIndex in 0..<lineCount {
                let position = firstLine + lineIndex
                let date = context.asOf ?? index.serviceDate(ofLine: position)
                for address in index.linesWithin(days, of: position) {
                    runPair(a: address, b: position, date, rules, &collector)
                }
            }
        }
        return finish(&collector)
    }

    /// Runs pair rules on the binding (a, b): `a` anywhere in the batch or history, `b` a line of this claim.
    private func runPair(a address: LineAddress, b position: Int, _ date: CalendarDate?, _ rules: RuleGraph.ScopeRules,
                         _ collector: inout ResultCollector) {
        clearBinding()
        bAt = position
        aAt = index.linePosition(address)
        aAddress = address
        run(date, rules, &collector)
    }

    /// `ResultCollector.finish`, with the suppressions looked up for the rules that fired only.
    private func finish(_ collector: inout ResultCollector) -> ClaimResult {
        // Taken out of the collector, so sorting and filtering work in place instead of copying every edit.
        var kept = collector.edits
        collector.edits = []
        var keys = editKeys
        editKeys = []
        defer { editKeys = keys; editKeys.removeAll(keepingCapacity: true) }
        // Only when some rule fired that suppresses others (emptying the set while `suppressed` shares its storage
        // allocated a new one, on every claim once any claim had filled it).
        if anySuppressions && !suppressedOnClaim.isEmpty {
            let suppressed = suppressedOnClaim
            suppressedOnClaim = []
            var write = 0
            for read in kept.indices where !suppressed.contains("\(kept[read].pack)/\(kept[read].ruleID)") {
                kept.swapAt(write, read)
                keys.swapAt(write, read)
                write += 1
            }
            kept.removeSubrange(write...)
            keys.removeSubrange(write...)
        }
        if kept.count > 1 { Self.sort(&kept, &keys) }
        let checked = collector.notChecked.count < 2 ? collector.notChecked : collector.notChecked.sorted {
            ($0.ruleID ?? "", $0.table ?? "", $0.reason) < ($1.ruleID ?? "", $1.table ?? "", $1.reason)
        }
        return ClaimResult(claimIndex: collector.claimIndex, claimID: collector.claimID, edits: kept, notChecked: checked,
                           staleTables: collector.staleTables.sorted())
    }

    /// An edit's line (0 for none) and its rule's rank (`Program.ruleRanks`): the first keys of `Edit.reportOrder`
    /// within a claim, as numbers.
    struct EditKey: Comparable {
        var line: Int
        var rank: UInt32
        static func < (a: EditKey, b: EditKey) -> Bool { a.line != b.line ? a.line < b.line : a.rank < b.rank }
    }

    /// Whether an edit orders before another: by key, then (same line and rule) by `Edit.reportOrder`.
    @inline(__always)
    private static func precedes(_ key: EditKey, _ edit: Edit, _ otherKey: EditKey, _ other: Edit) -> Bool {
        key != otherKey ? key < otherKey : Edit.reportOrder(edit, other)
    }

    /// Puts a claim's edits in `Edit.reportOrder`, as a stable sort by it would leave them: by their keys
    /// (`editKeys`, which it may leave reordered), then on equal keys (same line and rule) by `reportOrder` and their
    /// order of finding.
    private static func sort(_ edits: inout [Edit], _ keys: inout [EditKey]) {
        // Most claims' edits are found in order already (claim, then line by line, each line's rules by rank): with
        // every key below the next, the stable sort keeps them as they are.
        var ordered = true
        for position in 1..<keys.count where !(keys[position - 1] < keys[position]) {
            ordered = false
            break
        }
        if ordered { return }
        if edits.count <= 16 {
            // A few: an insertion sort in place, keys beside their edits (stable: an edit moves only past edits that
            // order after it).
            for next in 1..<edits.count {
                var position = next
                while position > 0, edits.withUnsafeBufferPointer({
                    precedes(keys[position], $0[position], keys[position - 1], $0[position - 1])
                }) {
                    edits.swapAt(position, position - 1)
                    keys.swapAt(position, position - 1)
                    position -= 1
                }
            }
            return
        }
        var order = Array(0..<edits.count)
        // Edits compared in place (through the buffer: the array's subscript copied both edits, a retain and a
        // release of each of their strings, on every comparison of equal keys).
        edits.withUnsafeBufferPointer { edits in
            order.sort { a, b in
                if keys[a] != keys[b] { return keys[a] < keys[b] }
                if Edit.reportOrder(edits[a], edits[b]) { return true }
                if Edit.reportOrder(edits[b], edits[a]) { return false }
                return a < b
            }
        }
        // Permuted in place by swaps (moves), following each cycle of `order`: mapping the order to a new array
        // copied every edit (a retain of each of its strings) and released the old ones.
        var source = order
        for start in source.indices where source[start] != start {
            var position = start
            while source[position] != start {
                let from = source[position]
                edits.swapAt(position, from)
                source[position] = position
                position = from
            }
            source[position] = position
        }
    }

    /// `Rule.applies` for the claim being evaluated, once per applicability class and claim.
    @inline(__always)
    private func applies(_ rule: Int) -> Bool { applies(spec: compiledRules[rule].applicability) }

    @inline(__always)
    private func applies(spec: Int) -> Bool {
        if spec < 0 { return true }
        if applyStamps[spec] == claimGeneration { return applyFlags[spec] }
        let result = program.applicability[spec].applies(payerID: payerID, filingIndicator: filingIndicator, claimType: claimType)
        applyStamps[spec] = claimGeneration
        applyFlags[spec] = result
        return result
    }

    /// The line an edit of this binding sits on (the line, or `b` of a pair), 1-based.
    private var editLine: Int? {
        let at = lineAt >= 0 ? lineAt : bAt
        return at >= 0 ? lineFacts[at].number : nil
    }

    /// Runs the rules of one scope that can fire on this binding.
    private func run(_ date: CalendarDate?, _ rules: RuleGraph.ScopeRules, _ collector: inout ResultCollector) {
        guard let date else {
            for rule in rules.all where applies(Int(rule)) {
                collector.notChecked(rule: graph.rules[Int(rule)].rule, table: nil,
                                     reason: "no date of service, so no rule version or table release can be chosen")
            }
            return
        }
        begin(date: date)
        for rule in rules.generic { consider(Int(rule), &collector) }
        if !rules.byKey.isEmpty {
            let span = keyedSpan(rules)
            let start = Int(span >> 32)
            for position in start..<start + Int(span & 0xFFFF_FFFF) { consider(rules.keyed[position], rules, &collector) }
        }
        for (position, node) in rules.lookupNodes.enumerated() {
            // The shared lookup runs once; its rules are tried only when it holds, or when it could not be
            // checked (they must each report that).
            let holds = evaluate(Int(node))
            if holds || (anyNotCovered && notCovered[Int(node)] != nil) {
                for rule in rules.lookupRules[Int(rules.lookupStarts[position])..<Int(rules.lookupStarts[position + 1])] {
                    consider(Int(rule), &collector)
                }
            }
        }
    }

    /// The batch-index position of the bound line in a role; -1 when none is bound.
    @inline(__always)
    private func linePosition(_ role: Role) -> Int { role == .the ? lineAt : role == .b ? bAt : aAt }

    /// The span of `rules.keyed` (`start << 32 | count`) keyed on the binding's value of the scope's key field:
    /// for a line's code, found once per code of the batch and then read from `dispatchCache`.
    @inline(__always)
    private func keyedSpan(_ rules: RuleGraph.ScopeRules) -> Int64 {
        guard let role = rules.keyLine else {
            guard let key = read(rules.keyField).text, let entry = rules.byKey[key] else { return 0 }
            return rules.keyedSpans[Int(entry)]
        }
        let position = linePosition(role)
        guard position >= 0 else { return 0 }
        let code = index.codeOfLine[position]
        guard code >= 0 else { return 0 }
        let slot = rules.ordinal * index.codeCount + Int(code)
        var span = dispatchCache[slot]
        if span < 0 {
            span = index.lineBoxes[position].value.procedureCode.flatMap { rules.byKey[$0.text] }
                .map { rules.keyedSpans[Int($0)] } ?? 0
            dispatchCache[slot] = span
        }
        return span
    }

    /// `consider` for a rule reached through its key: the key condition is not evaluated (the dispatch matched it),
    /// except with `--explain`, which lists it among the conditions that held.
    @inline(__always)
    private func consider(_ entry: RuleGraph.KeyedRule, _ rules: RuleGraph.ScopeRules, _ collector: inout ResultCollector) {
        guard day >= Int(entry.from), day <= Int(entry.through), applies(spec: Int(entry.applicability)) else { return }
        let ruleIndex = Int(entry.rule)
        if explain {
            attempt(ruleIndex, &collector)
            return
        }
        let conditions = UnsafeBufferPointer(rebasing: rules.keyedConditions[Int(entry.conditionsStart)..<Int(entry.conditionsStart + entry.conditionsCount)])
        if let first = conditions.first, alreadyFalse(Int(first)) { return }
        attempt(ruleIndex, nodes: conditions, &collector)
    }

    /// `attempt` for a rule whose window, applicability and first condition do not already rule it out: those are
    /// checked here, inline, so the rules that cannot fire (most of them: other payers' rules behind a shared
    /// lookup, rules whose shared first condition another rule already found false) cost no call.
    @inline(__always)
    private func consider(_ ruleIndex: Int, _ collector: inout ResultCollector) {
        let compiled = compiledRules[ruleIndex]
        guard day >= compiled.from, day <= compiled.through, applies(ruleIndex) else { return }
        if let first = compiled.conditions.first, alreadyFalse(Int(conditionList[first])) { return }
        attempt(ruleIndex, &collector)
    }

    /// A rule's first condition already evaluated false on this binding decides the rule, unless a table some node
    /// met did not cover the date (the rule must then report that it was not checked).
    @inline(__always)
    private func alreadyFalse(_ node: Int) -> Bool { !anyNotCovered && memo[node] & ~2 == generation << 2 }

    /// Evaluates a rule whose window and applicability admit the binding (`consider`), and records its edit or
    /// what kept it from being checked.
    @inline(__always)
    private func attempt(_ ruleIndex: Int, _ collector: inout ResultCollector) {
        attempt(ruleIndex, nodes: UnsafeBufferPointer(rebasing: conditionList[compiledRules[ruleIndex].conditions]), &collector)
    }

    /// `attempt` on the rule's conditions given as node ids (all of them, or those a keyed dispatch left).
    private func attempt(_ ruleIndex: Int, nodes: UnsafeBufferPointer<Int32>, _ collector: inout ResultCollector) {
        var fired = true
        var stale = false
        let uncoveredStart = pendingUncovered.count, traceStart = pendingTrace.count
        for condition in nodes {
            let node = Int(condition)
            let holds = evaluate(node)
            absorb(node, &stale)
            if !holds { fired = false; break }
        }
        let anyUncovered = pendingUncovered.count > uncoveredStart
        if anyUncovered {
            for (table, reason) in pendingUncovered[uncoveredStart...] {
                collector.notChecked(rule: graph.rules[ruleIndex].rule, table: table, reason: reason)
            }
            pendingUncovered.removeSubrange(uncoveredStart...)
        }
        let trace = explain ? Array(pendingTrace[traceStart...]) : nil
        if pendingTrace.count > traceStart { pendingTrace.removeSubrange(traceStart...) }
        // As in the reference: a rule that met a table not covering the date is not checked, so it does not fire.
        guard fired, !anyUncovered else { return }
        fire(ruleIndex, stale: stale, trace: trace, &collector)
    }

    /// Records the edit of a rule that fired on this binding.
    private func fire(_ ruleIndex: Int, stale: Bool, trace: [String]?, _ collector: inout ResultCollector) {
        let compiled = graph.rules[ruleIndex]
        let staleNotes = stale ? staleNotesFor(compiled) : []
        var related: Edit.Related?
        if let a = aAddress {
            related = Edit.Related(claimID: index.claimBox(a).value.id, line: lineFacts[aAt].number,
                                   inHistory: a.inHistory)
        }
        if anySuppressions, let targets = suppressionTargets[ruleIndex] { suppressedOnClaim.formUnion(targets) }
        let line = editLine
        editKeys.append(EditKey(line: line ?? 0, rank: ruleRanks[ruleIndex]))
        collector.add(facts: compiled.facts, qualifiedID: compiled.qualifiedID, message: render(program.messages[ruleIndex]),
                      fix: program.fixes[ruleIndex].map(render), line: line, related: related, stale: stale,
                      staleNotes: staleNotes, explanation: explain ? trace ?? [] : nil)
    }

    /// `TemplateRenderer.render` on a template whose fields were resolved when the program was built, written into
    /// a buffer this evaluator reuses.
    private func render(_ template: Program.CompiledTemplate) -> String {
        if let whole = template.whole { return whole }
        scratch.removeAll()
        for piece in template.pieces {
            switch piece {
            case .text(let start, let count):
                scratch.append(UnsafeBufferPointer(rebasing: templateText[Int(start)..<Int(start + count)]))
            case .field(let access): appendField(access)
            }
        }
        return scratch.string()
    }

    /// `scratch.append(read(access))`, with a line's code and numbers and a bound row's column written from where
    /// they are kept (no `Value` made for them).
    @inline(__always)
    private func appendField(_ access: Program.Access) {
        switch access {
        case .line(let role, let field):
            let position = linePosition(role)
            guard position >= 0 else { break }
            switch field {
            case .code:
                let code = Int(index.codeOfLine[position])
                if code >= 0 {
                    index.codeTexts.withUnsafeBufferPointer { scratch.append($0[code]) }
                } else {
                    scratch.append("(none)")
                }
                return
            case .number:
                scratch.append(number: Double(lineFacts[position].number))
                return
            case .units, .charge:
                let facts = lineFacts[position]
                if let number = field == .units ? facts.units : facts.charge {
                    scratch.append(number: number)
                } else {
                    scratch.append("(none)")
                }
                return
            default: break
            }
        case .column(let slot, let column):
            guard let (table, row, position) = boundColumn(slot: slot, column: column) else {
                scratch.append("(none)")
                return
            }
            scratch.append(table._withUnsafeGuaranteedRef { $0.value(row: row, column: position) })
            return
        default: break
        }
        scratch.append(read(access))
    }

    /// The notices for the stale releases a fired rule used: the tables of its lookups and table memberships that
    /// found a row in a release applied past its window, as the conditions were evaluated (in order, stopping
    /// where `all`/`any` stopped), like the reference's.
    private func staleNotesFor(_ compiled: RuleGraph.CompiledRule) -> [String] {
        var names = Set<String>()
        func collect(_ id: Int) {
            guard memo[id] >> 2 == generation, memo[id] & 2 != 0 else { return }
            switch graph.nodes[id] {
            case .lookup(let table, let pack, _, _): names.insert("\(pack)/\(table)")
            case .compare(_, let comparison):
                switch comparison {
                case .inSet(.table(let name)), .notInSet(.table(let name)), .includesAny(.table(let name)),
                     .includesNone(.table(let name)), .includesOutside(.table(let name)):
                    names.insert(name)
                default: break
                }
            case .all(let parts):
                for part in parts {
                    collect(part)
                    if memo[part] & 1 == 0 { break }
                }
            case .any(let parts):
                for part in parts {
                    collect(part)
                    if memo[part] & 1 != 0 { break }
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

    // MARK: Fields

    /// A field's value on the binding.
    func read(_ access: Program.Access) -> Value {
        switch access {
        case .claim(let field):
            return FieldReader.claim(field, claimIndex: claimAt, index: index, date: date, today: today)
        case .line(let role, let field):
            // The fields kept in the batch index's flat records, read there.
            let position = linePosition(role)
            if position >= 0 {
                switch field {
                case .code:
                    let code = Int(index.codeOfLine[position])
                    return code >= 0 ? .text(index.codeTexts[code]) : .missing
                case .number: return .number(Double(lineFacts[position].number))
                case .units: return lineFacts[position].units.map { .number($0) } ?? .missing
                case .charge: return lineFacts[position].charge.map { .number($0) } ?? .missing
                default: break
                }
            }
            switch role {
            case .the:
                guard lineAt >= 0 else { return .missing }
                return FieldReader.line(field, index.lineBoxes[lineAt], claim: claimBox, position: lineAt, index: index)
            case .b:
                guard bAt >= 0 else { return .missing }
                return FieldReader.line(field, index.lineBoxes[bAt], claim: claimBox, position: bAt, index: index)
            case .a:
                guard let a = aAddress else { return .missing }
                return FieldReader.line(field, index.lineBoxes[aAt], claim: index.claimBox(a), position: aAt, index: index)
            }
        case .diagnosis(let role, let field):
            let at: Int, position: Int
            switch role {
            case .the: (at, position) = (diagnosisAt, diagnosisPosition)
            case .a: (at, position) = (diagnosisAAt, diagnosisAPosition)
            case .b: (at, position) = (diagnosisBAt, diagnosisBPosition)
            }
            guard at >= 0 else { return .missing }
            // The common fields read in place: passing the diagnosis copied it (three strings retained).
            switch field {
            case .code: return .text(claimBox.value.diagnoses[at].code)
            case .category: return .text(FieldReader.category(of: claimBox.value.diagnoses[at].code))
            case .position: return .number(Double(position))
            default: return FieldReader.diagnosis(field, claimBox.value.diagnoses[at], position: position)
            }
        case .column(let slot, let column):
            guard let (table, row, position) = boundColumn(slot: slot, column: column) else { return .missing }
            return .text(table._withUnsafeGuaranteedRef { $0.value(row: row, column: position) })
        case .unbound:
            return .missing
        }
    }

    /// The table, row and column position of a lookup slot's bound row for a column (`Program.columnNames`
    /// index); nil when the slot is not bound on this binding or the release lacks the column.
    @inline(__always)
    private func boundColumn(slot: Int, column: Int) -> (Unmanaged<Table>, Int32, Int)? {
        boundCell(slot: slot, column: column).map { ($0.table, $0.row, $0.position) }
    }

    /// `boundColumn` with the release the row is from (`Program.Flat.releases` index).
    @inline(__always)
    private func boundCell(slot: Int, column: Int) -> (release: Int32, table: Unmanaged<Table>, row: Int32, position: Int)? {
        guard slot < rowStamps.count, rowStamps[slot] == generation else { return nil }
        let releaseIndex = rowReleases[slot]
        let release = releases[Int(releaseIndex)]
        let position = Int(releaseColumns[release.columnsStart + column])
        guard position >= 0 else { return nil }
        return (releaseIndex, release.table, rowNumbers[slot], position)
    }

    /// `read(access).number`, with the numeric fields of a line and table columns read as numbers directly.
    @inline(__always)
    private func number(_ access: Program.Access) -> Double? {
        switch access {
        case .line(let role, let field):
            let position = linePosition(role)
            guard position >= 0 else { return nil }
            switch field {
            case .units: return lineFacts[position].units
            case .charge: return lineFacts[position].charge
            case .number: return Double(lineFacts[position].number)
            case .dayUnits: return index.dayUnits(ofLine: position) ?? lineFacts[position].units
            case .patientDayRepeats: return index.patientDayRepeats(ofLine: position).map(Double.init)
            default: return read(access).number
            }
        case .column(let slot, let column):
            guard let (table, row, position) = boundColumn(slot: slot, column: column) else { return nil }
            return table._withUnsafeGuaranteedRef { $0.number(row: row, column: position) }
        default:
            return read(access).number
        }
    }

    /// `value(operand).number` without building values: a date operand, or arithmetic on one, is not a number.
    private func numeric(_ operand: Program.Operand) -> Double? {
        switch operand {
        case .number(let number): return number
        case .date: return nil
        case .field(let access): return number(access)
        case .fieldNumber(let access, let op, let r):
            guard let l = number(access) else { return nil }
            return Self.arithmetic(op, l, r)
        case .binary(let op, let lhs, let rhs):
            guard let l = numeric(lhs), let r = numeric(rhs) else { return nil }
            return Self.arithmetic(op, l, r)
        }
    }

    /// `Compare.apply` on two numbers; nil for a division by zero.
    @inline(__always)
    private static func arithmetic(_ op: Expression.Operator, _ l: Double, _ r: Double) -> Double? {
        switch op {
        case .add: return l + r
        case .subtract: return l - r
        case .multiply: return l * r
        case .divide: return r == 0 ? nil : l / r
        }
    }

    private func value(_ operand: Program.Operand) -> Value {
        switch operand {
        case .number(let number): return .number(number)
        case .date(let date): return .date(date)
        case .field(let access): return read(access)
        case .binary(let op, let lhs, let rhs):
            return Compare.apply(op, value(lhs), value(rhs))
        case .fieldNumber(let access, let op, let number):
            return Compare.apply(op, read(access), .number(number))
        }
    }

    // MARK: Nodes

    private func evaluate(_ id: Int) -> Bool {
        if memo[id] >> 2 == generation { return memo[id] & 1 != 0 }
        var stale = false
        let uncoveredStart = pendingUncovered.count, traceStart = pendingTrace.count
        let result: Bool
        switch ops[id] {
        case .all(let start, let count):
            var value = true
            for position in Int(start)..<Int(start + count) {
                let part = Int(children[position])
                let holds = evaluate(part)
                absorb(part, &stale)
                if !holds { value = false; break }
            }
            result = value
        case .any(let start, let count):
            var value = false
            for position in Int(start)..<Int(start + count) {
                let part = Int(children[position])
                let holds = evaluate(part)
                absorb(part, &stale)
                if holds { value = true; break }
            }
            result = value
        case .not(let inner):
            let part = Int(inner)
            let holds = evaluate(part)
            if memo[part] & 2 != 0 { stale = true }
            if anyNotCovered, let found = notCovered[part] { pendingUncovered.append(contentsOf: found) }
            if !holds && explain { pendingTrace.append("not (\(describe(part)))") }
            result = !holds
        case .lookup(let lookup):
            result = self.lookup(Int(lookup), &stale)
        case .compare(let compare):
            let compiled = compares[Int(compare)]
            if !explain {
                // `holds` on numbers read as numbers (`value.number`), no `Value` built.
                if case .numericConstant(let order, let rhs) = compiled.test {
                    result = number(compiled.access).map { order.holds($0, rhs) } ?? false
                    break
                }
                if case .numeric(let order, let operand) = compiled.test {
                    if let lhs = number(compiled.access), let rhs = numeric(program.operands[Int(operand)]) {
                        result = order.holds(lhs, rhs)
                    } else {
                        result = false
                    }
                    break
                }
                if case .equals(let literal) = compiled.test, case .column(let slot, let column) = compiled.access,
                   let direct = columnEquals(Int(compare), slot: slot, column: column, literal: Int(literal)) {
                    result = direct
                    break
                }
                if memoisable[Int(compare)], let direct = memoisedHolds(Int(compare), compiled, &stale) {
                    result = direct
                    break
                }
                if let direct = lineCodeHolds(compiled, &stale) {
                    result = direct
                    break
                }
                if let direct = lineListHolds(compiled, &stale) {
                    result = direct
                    break
                }
            }
            let value = read(compiled.access)
            result = holds(value, compiled.test, &stale)
            if result && explain, case .compare(let field, let comparison) = graph.nodes[id] {
                pendingTrace.append("\(field.displayName(slotTables: graph.slotTables)) = \(value.text ?? "(none)"): \(readableSlots(Describe.comparison(comparison)))")
            }
        }
        memo[id] = generation << 2 | (result ? 1 : 0) | (stale ? 2 : 0)
        if pendingUncovered.count > uncoveredStart {
            notCovered[id] = Array(pendingUncovered[uncoveredStart...])
            pendingUncovered.removeSubrange(uncoveredStart...)
            anyNotCovered = true
        }
        if pendingTrace.count > traceStart {
            if explain { traces[id] = Array(pendingTrace[traceStart...]) }
            pendingTrace.removeSubrange(traceStart...)
        }
        return result
    }

    @inline(__always)
    private func absorb(_ child: Int, _ stale: inout Bool) {
        if memo[child] & 2 != 0 { stale = true }
        if anyNotCovered, let found = notCovered[child] { pendingUncovered.append(contentsOf: found) }
        if explain, let found = traces[child] { pendingTrace.append(contentsOf: found) }
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

    /// The release of CSV table `tableID` in force on the binding's date (`TableResolver.choose` on day numbers),
    /// as an index of `releases`.
    @inline(__always)
    private func release(of tableID: Int) -> (index: Int, stale: Bool)? {
        let entry = tableEntries[tableID]
        var chosen = -1
        for position in Int(entry.start)..<Int(entry.start + entry.count) {
            if releases[position].effective > day { break }
            chosen = position
        }
        guard chosen >= 0 else { return nil }
        return (chosen, day > releases[chosen].expires)
    }

    /// The finding of a table with no release in force on the binding's date.
    private func noRelease(_ name: String, table tableID: Int) -> (String, String) {
        (name, "no release before \(program.tables[tableID].oldestEffective) is loaded")
    }

    private func member(_ set: Program.Members, _ value: String, _ stale: inout Bool) -> Bool {
        switch set {
        case .codes(let codes): return codes.set.contains(value)
        case .none: return false
        case .table(let id, let name):
            guard let (chosen, isStale) = release(of: id) else {
                pendingUncovered.append(noRelease(name, table: id))
                return false
            }
            let date = self.date
            let found = releases[chosen].table._withUnsafeGuaranteedRef { $0.row(key: value, on: date) } != nil
            if isStale && found { stale = true }
            return found
        }
    }

    /// The hot path of `lookup` (NCCI pairs, MUE): a key of one or two bound lines' procedure codes, looked up by
    /// the codes' stored forms, found once per code of the batch and release. nil when the key is not of that
    /// shape or a line is not bound (then `lookup` reads the fields); the same result and findings otherwise.
    @inline(__always)
    private func lookupByCodes(_ id: Int, table tableID: Int, _ stale: inout Bool) -> Bool? {
        let lookup = lookupEntries[id]
        guard lookup.codeKey else { return nil }
        let firstAt = linePosition(lookup.first)
        guard firstAt >= 0 else { return nil }
        let first = Int(index.codeOfLine[firstAt])
        guard first >= 0, !keyCodeMemos[first * keyPartCount].codeIsEmpty else { return false }
        var second = -1
        if let secondRole = lookup.second {
            let secondAt = linePosition(secondRole)
            guard secondAt >= 0 else { return nil }
            second = Int(index.codeOfLine[secondAt])
            guard second >= 0, !keyCodeMemos[second * keyPartCount].codeIsEmpty else { return false }
        }
        guard let (chosen, isStale) = release(of: tableID) else {
            pendingUncovered.append(noRelease(program.lookups[id].name, table: tableID))
            return false
        }
        let release = releases[chosen]
        // As `row(code:day:)` and `row(code1:code2:day:)` on the stored codes: no row unless the key has that shape.
        guard release.keyCount == (second >= 0 ? 2 : 1) else { return false }
        let day = Int32(clamping: self.day)
        guard let position = keyCode(first, part: 0, of: release).map({ Int32(truncatingIfNeeded: $0) }) else { return false }
        let row: Int32?
        if second >= 0 {
            guard let code2 = keyCode(second, part: 1, of: release) else { return false }
            row = release.table._withUnsafeGuaranteedRef { $0.row(at: position, code2: code2, day: day) }
        } else {
            row = release.table._withUnsafeGuaranteedRef { $0.row(at: position, day: day) }
        }
        guard let row else { return false }
        bind(Int(lookup.slot), release: chosen, row: row, stale: isStale, &stale)
        return true
    }

    /// A batch code's stored form as a key part of a release's table, found once (`keyCodeMemos`); for the first part,
    /// where the table lists the rows starting with it (`Table.firstKeyPosition`), so that a code no row starts with
    /// is answered here, without touching the table.
    @inline(__always)
    private func keyCode(_ code: Int, part: Int, of release: Program.ReleaseEntry) -> UInt64? {
        guard part < release.keyCount else { return nil }
        let slot = code * keyPartCount + release.keyPart + part
        switch keyCodeMemos[slot].state {
        case 1: return keyCodeMemos[slot].value
        case 2: return nil
        default:
            let text = index.codeTexts[code]
            let found = release.table._withUnsafeGuaranteedRef { table -> UInt64? in
                guard let stored = table.keyCode(text, part: part) else { return nil }
                guard part == 0 else { return stored }
                return table.firstKeyPosition(stored).map { UInt64($0) }
            }
            guard let found else {
                keyCodeMemos[slot].state = 2
                return nil
            }
            keyCodeMemos[slot].value = found
            keyCodeMemos[slot].state = 1
            return found
        }
    }

    private func lookup(_ id: Int, _ stale: inout Bool) -> Bool {
        let tableID = Int(lookupEntries[id].table)
        guard tableID >= 0 else { return false }
        if !explain, let found = lookupByCodes(id, table: tableID, &stale) { return found }
        if !explain && lookupMemoisable[id], let found = memoisedLookup(id, table: tableID, &stale) { return found }
        return lookupByTexts(id, table: tableID, &stale)
    }

    /// `lookupByTexts` on a memoisable lookup (`Program.memoisableLookups`), its row (or none) found once per batch
    /// for each pair of key texts, release and (rows with dates) day, and bound from the memo after. nil when a key
    /// field has no text to name (`memoText`) or no release is in force: `lookupByTexts` then decides and reports.
    @inline(__always)
    private func memoisedLookup(_ id: Int, table tableID: Int, _ stale: inout Bool) -> Bool? {
        let lookup = program.lookups[id]
        var texts: UInt64 = 0xFB << 56 | UInt64(lookup.key.count) << 48
        for (position, access) in lookup.key.enumerated() {
            guard let text = memoText(of: access) else { return nil }
            let number = textNumbers.number(text)
            guard number < 1 << 24 else { return nil }
            texts |= UInt64(number) << (position == 0 ? 24 : 0)
        }
        let textsNumber = UInt64(UInt32(bitPattern: textNumbers.number(texts)))
        guard let numbered = numberWithRelease(textsNumber, table: tableID) else { return nil }
        let number = Int(lookupNumbers.number(UInt64(id) << 32 | numbered.number))
        if number == lookupRows.count {
            let found = lookupByTexts(id, table: tableID, &stale)
            lookupRows.append(found ? rowNumbers[lookup.slot] : -1)
            return found
        }
        let row = lookupRows[number]
        guard row >= 0 else { return false }
        bind(lookup.slot, release: numbered.release, row: row, stale: numbered.stale, &stale)
        return true
    }

    /// A lookup by its key fields' texts: the general path (any key, lists tried in order).
    private func lookupByTexts(_ id: Int, table tableID: Int, _ stale: inout Bool) -> Bool {
        let lookup = program.lookups[id]
        let key = lookup.key
        // The hot path (NCCI pairs, MUE): one or two text parts, no arrays built.
        let first = read(key[0])
        let second: Value = key.count == 2 ? read(key[1]) : .missing
        if key.count <= 2, !first.isList, !second.isList {
            guard let one = first.text, !one.isEmpty else { return false }
            var two = ""
            if key.count == 2 {
                guard let text = second.text, !text.isEmpty else { return false }
                two = text
            }
            guard let (chosen, isStale) = release(of: tableID) else {
                pendingUncovered.append(noRelease(lookup.name, table: tableID))
                return false
            }
            let release = program.tables[tableID].releases[chosen - Int(tableEntries[tableID].start)]
            let row = key.count == 1 ? release.table.row(key: one, on: date) : release.table.row(key1: one, key2: two, on: date)
            guard let row else { return false }
            bind(lookup.slot, release: chosen, row: row, stale: isStale, &stale)
            if explain {
                pendingTrace.append("\(lookup.name) \(release.name) has row \(key.count == 1 ? one : "\(one) / \(two)") in force on \(date)")
            }
            return true
        }
        // A list-valued part (`line.day-codes`) matches when any of its items does, tried in order.
        var parts: [[String]] = []
        var single = true
        parts.reserveCapacity(lookup.key.count)
        for (position, field) in key.enumerated() {
            switch position == 0 ? first : position == 1 ? second : read(field) {
            case .list(let items):
                let options = items.filter { !$0.isEmpty }
                guard !options.isEmpty else { return false }
                parts.append(options)
                single = single && options.count == 1
            case let value:
                guard let text = value.text, !text.isEmpty else { return false }
                parts.append([text])
            }
        }
        guard let (chosen, isStale) = release(of: tableID) else {
            pendingUncovered.append(noRelease(lookup.name, table: tableID))
            return false
        }
        let release = program.tables[tableID].releases[chosen - Int(tableEntries[tableID].start)]
        var found: (key: [String], row: Int32)?
        if single {
            let parts = parts.map { $0[0] }
            found = release.table.row(keyParts: parts, on: date).map { (parts, $0) }
        } else {
            var candidates: [[String]] = [[]]
            for options in parts { candidates = candidates.flatMap { prefix in options.map { prefix + [$0] } } }
            for key in candidates {
                if let row = release.table.row(keyParts: key, on: date) { found = (key, row); break }
            }
        }
        guard let (matched, row) = found else { return false }
        bind(lookup.slot, release: chosen, row: row, stale: isStale, &stale)
        if explain {
            pendingTrace.append("\(lookup.name) \(release.name) has row \(matched.joined(separator: " / ")) in force on \(date)")
        }
        return true
    }

    @inline(__always)
    private func bind(_ slot: Int, release: Int, row: Int32, stale isStale: Bool, _ stale: inout Bool) {
        if isStale { stale = true }
        rowReleases[slot] = Int32(release)
        rowNumbers[slot] = row
        rowStamps[slot] = generation
    }

    // MARK: Comparisons

    /// `Compare.holds` on compiled tests.
    private func holds(_ value: Value, _ test: Program.Test, _ stale: inout Bool) -> Bool {
        switch test {
        case .present(let wanted):
            switch value {
            case .missing: return !wanted
            case .list(let items): return items.isEmpty != wanted
            case .text(let text): return text.isEmpty != wanted
            default: return wanted
            }
        case .equals(let literal): return equals(value, program.literals[Int(literal)])
        case .notEquals(let literal):
            if case .missing = value { return false }
            return !equals(value, program.literals[Int(literal)])
        case .inSet(let set):
            guard !Compare.isMissing(value), let text = value.text else { return false }
            return member(program.memberSets[Int(set)], text, &stale)
        case .notInSet(let set):
            guard !Compare.isMissing(value), let text = value.text else { return false }
            return !member(program.memberSets[Int(set)], text, &stale)
        case .numeric(let order, let operand):
            guard let lhs = value.number, let rhs = self.value(program.operands[Int(operand)]).number else { return false }
            return order.holds(lhs, rhs)
        case .numericConstant(let order, let rhs):
            guard let lhs = value.number else { return false }
            return order.holds(lhs, rhs)
        case .dates(let order, let operand):
            guard case .date(let lhs) = value, case .date(let rhs) = self.value(program.operands[Int(operand)]) else { return false }
            // As dates (year, month, day), which order as their day numbers do, without computing those.
            return order.holds(lhs, rhs)
        case .includes(let literal):
            guard case .list(let items) = value else { return false }
            let literal = program.texts[Int(literal)]
            return items.contains(literal)
        case .includesAny(let set):
            guard case .list(let items) = value else { return false }
            let set = program.memberSets[Int(set)]
            for item in items where member(set, item, &stale) { return true }
            return false
        case .includesNone(let set):
            guard case .list(let items) = value else { return false }
            let set = program.memberSets[Int(set)]
            for item in items where member(set, item, &stale) { return false }
            return true
        case .includesOutside(let set):
            guard case .list(let items) = value else { return false }
            let set = program.memberSets[Int(set)]
            for item in items where !member(set, item, &stale) { return true }
            return false
        case .matches(let pattern):
            guard !Compare.isMissing(value), let pattern = program.patterns[Int(pattern)], let text = value.text else { return false }
            return text.wholeMatch(of: pattern.regex) != nil
        case .startsWith(let prefixes):
            guard !Compare.isMissing(value), let text = value.text else { return false }
            return program.prefixLists[Int(prefixes)].contains { text.hasPrefix($0) }
        case .sameAs(let other):
            guard let lhs = value.text, let rhs = read(other).text else { return false }
            return lhs == rhs
        case .differsFrom(let other):
            guard let lhs = value.text, let rhs = read(other).text else { return false }
            return lhs != rhs
        case .count(let inner):
            guard case .list(let items) = value else { return false }
            return holds(.number(Double(items.count)), program.innerTests[Int(inner)], &stale)
        case .isTrue(let wanted):
            guard case .flag(let flag) = value else { return false }
            return flag == wanted
        }
    }

    /// `equals` on a bound row's text column, as the numbers of the column's distinct texts (`Table.textID`) instead
    /// of the texts: the literal's number is found once per compare and release (`columnLiteralIDs`). nil when the
    /// slot is not bound, or the column is a key or has too many distinct texts (then the text is compared).
    @inline(__always)
    private func columnEquals(_ compare: Int, slot: Int, column: Int, literal: Int) -> Bool? {
        guard let (releaseIndex, table, row, position) = boundCell(slot: slot, column: column) else { return nil }
        return table._withUnsafeGuaranteedRef { table -> Bool? in
            guard let id = table.textID(row: row, column: position) else { return nil }
            if columnLiteralReleases[compare] != releaseIndex {
                guard let wanted = table.textID(of: program.literals[literal].text, column: position) else { return nil }
                columnLiteralReleases[compare] = releaseIndex
                columnLiteralIDs[compare] = wanted
            }
            return id == columnLiteralIDs[compare]
        }
    }

    /// The text a memoised test or lookup names its field's value by (`memoisedHolds`, `memoisedLookup`): the bound
    /// diagnosis's code, the bound row's release and text number, the bound line's code number; nil when there is
    /// none to name.
    @inline(__always)
    private func memoText(of access: Program.Access) -> UInt64? {
        switch access {
        case .diagnosis(let role, _):
            let at = role == .the ? diagnosisAt : role == .a ? diagnosisAAt : diagnosisBAt
            guard at >= 0 else { return nil }
            var code = claimBox.value.diagnoses[at].code
            return code.withUTF8(Self.memoText)
        case .column(let slot, let column):
            guard let (releaseIndex, table, row, position) = boundCell(slot: slot, column: column),
                  let id = table._withUnsafeGuaranteedRef({ $0.textID(row: row, column: position) }) else { return nil }
            return 0xFE << 56 | UInt64(UInt32(bitPattern: releaseIndex)) << 32 | UInt64(UInt32(bitPattern: id))
        case .line(let role, _):
            let position = linePosition(role)
            guard position >= 0 else { return nil }
            return 0xFF << 56 | UInt64(UInt32(bitPattern: index.codeOfLine[position]))
        default:
            return nil
        }
    }

    /// `textNumber` numbered again with the release of `table` in force on the binding's date (0xFD) and, when the
    /// release's rows carry their own dates, with the day (0xFC); nil when no release is in force (the caller's
    /// ordinary path then reports that) or a number is out of the key's range.
    @inline(__always)
    private func numberWithRelease(_ textNumber: UInt64, table: Int) -> (number: UInt64, release: Int, stale: Bool)? {
        guard let (chosen, isStale) = release(of: table), chosen < 1 << 24 else { return nil }
        var number = UInt64(UInt32(bitPattern: textNumbers.number(0xFD << 56 | UInt64(chosen) << 32 | textNumber)))
        if releases[chosen].table._withUnsafeGuaranteedRef({ $0.hasRowDates }) {
            guard day >= 0, day < 1 << 24 else { return nil }
            number = UInt64(UInt32(bitPattern: textNumbers.number(0xFC << 56 | UInt64(day) << 32 | number)))
        }
        return (number, chosen, isStale)
    }

    /// A diagnosis code of up to seven bytes as a number (its length in the top byte, so no two texts share one).
    @inline(__always)
    private static func memoText(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count <= 7 else { return nil }
        var key = UInt64(bytes.count) << 56
        for position in 0..<bytes.count { key |= UInt64(bytes[position]) << (8 * position) }
        return key
    }

    /// `holds` on a memoisable compare (`Program.memoisableCompares`), decided once per batch for each text it meets
    /// and then read back: the text is named by a number (a short diagnosis code's bytes, a bound row's release and
    /// `Table.textID`, a line's code number in the batch index; top bytes 0-7, 0xFE and 0xFF keep them apart), and
    /// for a table's keys numbered again with the release in force (0xFD) and, when its rows carry dates, the day
    /// (0xFC). nil when the binding has no such text (nothing bound, a longer code, a key column) or no release of
    /// the table is in force: `holds` then decides (and reports).
    @inline(__always)
    private func memoisedHolds(_ compare: Int, _ compiled: Program.CompiledCompare, _ stale: inout Bool) -> Bool? {
        guard let text = memoText(of: compiled.access) else { return nil }
        var textNumber = UInt64(UInt32(bitPattern: textNumbers.number(text)))
        // A table's keys: the release in force on the binding's date is part of the key, and what `member` finds
        // in a stale release is reported as such (none in force: `holds` reports the table as not covering it).
        var staleRelease = false
        if memberTables[compare] >= 0 {
            guard let numbered = numberWithRelease(textNumber, table: Int(memberTables[compare])) else { return nil }
            textNumber = numbered.number
            staleRelease = numbered.stale
        }
        let key = UInt64(compare) << 32 | textNumber
        let number = Int(testNumbers.number(key))
        if number == testResults.count {
            let value = read(compiled.access)
            var decidedStale = false
            let result = holds(value, compiled.test, &decidedStale)
            testResults.append(result)
            // Whether `member` found the text among the keys (it looks only at a present text).
            var isIn = false
            if case .inSet = compiled.test { isIn = true }
            memberFound.append(!Compare.isMissing(value) && value.text != nil && result == isIn)
        }
        if staleRelease && memberFound[number] { stale = true }
        return testResults[number]
    }

    /// `holds` for `equals`, `in` and `not-in` on a bound line's procedure code, read as the batch's text of the
    /// code (`BatchIndex.codeTexts`) instead of through the line; nil for any other comparison.
    @inline(__always)
    private func lineCodeHolds(_ compiled: Program.CompiledCompare, _ stale: inout Bool) -> Bool? {
        guard case .line(let role, .code) = compiled.access else { return nil }
        let position = linePosition(role)
        guard position >= 0 else { return nil }
        let code = Int(index.codeOfLine[position])
        switch compiled.test {
        case .equals(let literal):
            return code >= 0 && index.codeTexts[code] == program.literals[Int(literal)].text
        case .inSet(let set):
            return code >= 0 && member(program.memberSets[Int(set)], index.codeTexts[code], &stale)
        case .notInSet(let set):
            return code >= 0 && !member(program.memberSets[Int(set)], index.codeTexts[code], &stale)
        default:
            return nil
        }
    }

    /// `lineListHolds` on modifiers for a line whose modifiers are in its facts (`LineFacts.modifiersPacked`): the
    /// same tests, on the packed bytes (a literal that is not a packed modifier's shape matches none).
    @inline(__always)
    private func packedModifiersHold(_ test: Program.Test, _ packed: UInt64, count: Int, _ stale: inout Bool) -> Bool? {
        @inline(__always) func modifier(_ position: Int) -> UInt16 { UInt16(truncatingIfNeeded: packed >> (16 * position)) }
        @inline(__always) func text(_ two: UInt16) -> String {
            withUnsafeBytes(of: two.littleEndian) { bytes in
                String(decoding: two >> 8 == 0 ? UnsafeRawBufferPointer(rebasing: bytes[0..<1]) : bytes, as: UTF8.self)
            }
        }
        switch test {
        case .includes(let literal):
            let wanted = textsAsModifiers[Int(literal)]
            guard wanted >= 0 else { return false }
            for position in 0..<count where modifier(position) == UInt16(wanted) { return true }
            return false
        case .includesAny(let set):
            let set = program.memberSets[Int(set)]
            for position in 0..<count where member(set, text(modifier(position)), &stale) { return true }
            return false
        case .includesNone(let set):
            let set = program.memberSets[Int(set)]
            for position in 0..<count where member(set, text(modifier(position)), &stale) { return false }
            return true
        case .includesOutside(let set):
            let set = program.memberSets[Int(set)]
            for position in 0..<count where !member(set, text(modifier(position)), &stale) { return true }
            return false
        default: return nil
        }
    }

    /// `holds` for a test on a bound line's modifiers or diagnosis pointers, read in place instead of as a list
    /// value built for the test; nil for any other comparison (or no line bound), which `holds` then decides.
    @inline(__always)
    private func lineListHolds(_ compiled: Program.CompiledCompare, _ stale: inout Bool) -> Bool? {
        guard case .line(let role, let field) = compiled.access else { return nil }
        let position = linePosition(role)
        guard position >= 0 else { return nil }
        switch field {
        case .modifiers:
            let count = Int(lineFacts[position].modifierCount)
            // Most lines have no modifier: decided without reading the line.
            switch compiled.test {
            case .present(let wanted): return (count == 0) != wanted
            case .count(let inner): return holds(.number(Double(count)), program.innerTests[Int(inner)], &stale)
            case .includes, .includesAny, .includesOutside: if count == 0 { return false }
            case .includesNone: if count == 0 { return true }
            default: return nil
            }
            if lineFacts[position].modifiersPacked {
                return packedModifiersHold(compiled.test, lineFacts[position].modifiers, count: count, &stale)
            }
            let modifiers = index.lineBoxes[position].value.modifiers
            switch compiled.test {
            case .includes(let literal):
                let literal = program.texts[Int(literal)]
                return modifiers.contains { $0.text == literal }
            case .includesAny(let set):
                let set = program.memberSets[Int(set)]
                for modifier in modifiers where member(set, modifier.text, &stale) { return true }
                return false
            case .includesNone(let set):
                let set = program.memberSets[Int(set)]
                for modifier in modifiers where member(set, modifier.text, &stale) { return false }
                return true
            case .includesOutside(let set):
                let set = program.memberSets[Int(set)]
                for modifier in modifiers where !member(set, modifier.text, &stale) { return true }
                return false
            default: return nil
            }
        case .pointers:
            let count = Int(lineFacts[position].pointerCount)
            switch compiled.test {
            case .present(let wanted): return (count == 0) != wanted
            case .count(let inner): return holds(.number(Double(count)), program.innerTests[Int(inner)], &stale)
            default: return nil
            }
        default:
            return nil
        }
    }

    @inline(__always)
    private func equals(_ value: Value, _ literal: Program.Literal) -> Bool {
        switch value {
        case .missing, .list: return false
        case .number(let number): return literal.number == number
        case .flag(let flag): return literal.flag == (flag ? "true" : "false")
        case .date(let date): return literal.date == date
        case .text(let text): return text == literal.text
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

extension GraphEvaluator {
    /// A comparison's text with the canonical lookup aliases in its expressions (`#13.global_days`) written as
    /// their tables (`pfs.global_days`), as `displayName` writes a compared field, for `--explain`.
    func readableSlots(_ text: String) -> String {
        guard text.contains("#") else { return text }
        var out = ""
        var rest = Substring(text)
        while let hash = rest.firstIndex(of: "#") {
            out += rest[..<hash]
            let digits = rest[rest.index(after: hash)...].prefix { $0.isASCII && $0.isNumber }
            let after = digits.endIndex
            if let slot = Int(digits), slot < graph.slotTables.count, after < rest.endIndex, rest[after] == "." {
                out += graph.slotTables[slot]
                rest = rest[after...]
            } else {
                out.append("#")
                rest = rest[rest.index(after: hash)...]
            }
        }
        return out + rest
    }
}

extension Scope {
    /// Position in `Scope.allCases`.
    var ordinal: Int {
        switch self {
        case .claim: return 0
        case .line: return 1
        case .linePair: return 2
        case .diagnosis: return 3
        case .lineDiagnosis: return 4
        case .diagnosisPair: return 5
        }
    }
}
