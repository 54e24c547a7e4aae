import ClaimModel
import Rules
import Tables

/// The graph compiled for evaluation: every name resolved to an index once, so the evaluator's hot path reads
/// flat arrays of small values instead of copying rules, nodes and tables. Field references become `Access`
/// values (a lookup column is a slot and a column number, not an alias to parse and a name to search), tables
/// become numbered entries with their releases' dates as day numbers, comparisons keep their literals
/// pre-parsed, and a rule is its window, its applicability class and a run of condition node ids.
///
/// Built by `RuleGraph.init` from its nodes; immutable.
struct Program: Sendable {
    /// A field, with lookup columns resolved.
    enum Access: Hashable, Sendable {
        case claim(ClaimField)
        case line(Role, LineField)
        case diagnosis(Role, DiagnosisField)
        /// A column of the row bound in a lookup slot; `column` indexes `Program.columnNames`.
        case column(slot: Int, column: Int)
        /// An alias no lookup of the rule binds: always missing.
        case unbound
    }

    /// Arithmetic over numbers, dates and fields.
    indirect enum Operand: Sendable {
        case number(Double)
        case date(CalendarDate)
        case field(Access)
        case binary(Expression.Operator, Operand, Operand)
        /// `field op number` (`line.units * 900`, `mue.mue_units + 1`), the common shape, unboxed: the same as
        /// `.binary(op, .field(access), .number(number))`.
        case fieldNumber(Access, Expression.Operator, Double)
    }

    /// Codes on the heap (one reference to retain, not the set's arrays).
    final class Codes: Sendable {
        let set: CodeSet
        init(_ set: CodeSet) { self.set = set }
    }

    /// A set a value is tested against.
    enum Members: Sendable {
        case codes(Codes)
        /// A CSV table's keys (`tables` index) and the name it is reported under.
        case table(Int, name: String)
        /// A table the pack does not have: nothing is a member.
        case none
    }

    /// An `equals` literal, parsed once for every type a value can have. A class, so reading a test retains one
    /// reference rather than each of its strings.
    final class Literal: Sendable {
        let text: String
        let number: Double?
        let flag: String
        let date: CalendarDate?
        init(_ text: String) {
            self.text = text
            number = Double(text)
            flag = text.lowercased()
            date = CalendarDate(text)
        }
    }

    enum Order: Sendable { case greater, greaterOrEqual, less, lessOrEqual, equal }

    /// A comparison, as `Comparison` but over `Access`, `Operand` and `Members`, trivially copyable: what a test
    /// needs besides numbers and accesses is an index into the program's side tables (`literals`, `memberSets`,
    /// `operands`, `texts`, `prefixLists`, `patterns`, `innerTests`), so reading a node's test retains nothing.
    enum Test: Sendable {
        case present(Bool)
        /// `literals` index.
        case equals(Int32)
        case notEquals(Int32)
        /// `memberSets` index.
        case inSet(Int32)
        case notInSet(Int32)
        /// `operands` index.
        case numeric(Order, Int32)
        /// `numeric` against a number literal.
        case numericConstant(Order, Double)
        case dates(Order, Int32)
        /// `texts` index.
        case includes(Int32)
        case includesAny(Int32)
        case includesNone(Int32)
        case includesOutside(Int32)
        /// `prefixLists` index.
        case startsWith(Int32)
        /// `patterns` index; a nil pattern did not compile (the parser rejects such packs), so nothing matches.
        case matches(Int32)
        case sameAs(Access)
        case differsFrom(Access)
        /// `innerTests` index.
        case count(Int32)
        case isTrue(Bool)
    }

    /// A node: trivially copyable, so reading one retains nothing.
    enum Op: Sendable {
        /// `compares` index.
        case compare(Int32)
        /// Children at `children[start ..< start + count]`.
        case all(start: Int32, count: Int32)
        case any(start: Int32, count: Int32)
        case not(Int32)
        /// `lookups` index.
        case lookup(Int32)
    }

    /// A compiled regular expression. `Regex` is not `Sendable` in this toolchain; this one is never mutated,
    /// and matching only reads it, so sharing it between the workers is safe.
    final class Pattern: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }

    /// A comparison node: trivially copyable (`Flat.compares`).
    struct CompiledCompare: Sendable {
        let access: Access
        let test: Test
    }

    struct CompiledLookup: Sendable {
        /// `tables` index; nil when the pack has no CSV table of that name (the lookup never holds).
        let table: Int?
        /// The table's name as the rule wrote it (not-checked findings and explanations).
        let name: String
        let key: [Access]
        let slot: Int
    }

    /// A release of a CSV table with its window as day numbers and its columns by `columnNames` index.
    struct Release: Sendable {
        let effective: Int
        let expires: Int?
        let table: Table
        let name: String
        /// Column number in `table` of each of `Program.columnNames`, -1 when the release lacks it.
        let columns: [Int]
    }

    struct CompiledTable: Sendable {
        /// `pack/table`.
        let qualified: String
        /// A `codes:` table.
        let codes: CodeSet?
        /// A CSV table's releases, oldest first.
        let releases: [Release]
        /// The first release's effective date, for "no release before …".
        let oldestEffective: String
    }

    /// A message or fix template with its fields resolved to accesses.
    struct CompiledTemplate: Sendable {
        /// Trivially copyable, so walking the pieces retains nothing.
        enum Piece: Sendable {
            /// UTF-8 at `Program.Flat.templateText[start ..< start + count]`.
            case text(start: Int32, count: Int32)
            case field(Access)
        }
        let pieces: [Piece]
        /// The whole rendering when the template has no field (given as is, no copy).
        let whole: String?
    }

    /// A rule as the evaluator needs it on every attempt.
    struct CompiledRule: Sendable {
        /// Range of `conditionList`.
        let conditions: Range<Int>
        /// The rule's window as day numbers (`Int.min`/`Int.max` when open).
        let from: Int
        let through: Int
        /// `applicability` index; -1 when the rule applies to every claim.
        let applicability: Int
    }

    /// A distinct combination of claim types, payers and exclusions that rules are limited to.
    struct Applicability: Sendable {
        let claimTypes: Set<ClaimType>?
        let payers: PayerScope?
        let excluded: [PayerScope]
        func applies(payerID: String?, filingIndicator: String?, claimType: ClaimType) -> Bool {
            if let claimTypes, !claimTypes.contains(claimType) { return false }
            if let payers, !payers.matches(payerID: payerID, filingIndicator: filingIndicator) { return false }
            for scope in excluded where scope.matches(payerID: payerID, filingIndicator: filingIndicator) { return false }
            return true
        }
    }

    /// A table release as the hot path reads it: trivially copyable (the table unretained; `Program.tables`
    /// keeps it alive), so choosing a release and reading a row retain nothing.
    struct ReleaseEntry {
        let effective: Int
        /// `Int.max` when open.
        let expires: Int
        /// The first of this release's numbers for its key parts (`Flat.keyPartCount` in all, release by release):
        /// evaluators keep the stored key form of each code of a batch under these. And the table's key columns.
        let keyPart: Int
        let keyCount: Int
        /// Where this release's `Release.columns` start in `Flat.releaseColumns`.
        let columnsStart: Int
        let table: Unmanaged<Table>
    }

    /// A CSV table's releases: `Flat.releases[start ..< start + count]`, oldest first.
    struct TableEntry {
        let start: Int32
        let count: Int32
    }

    /// A lookup as the hot path reads it (`CompiledLookup` without its arrays and strings).
    struct LookupEntry {
        /// `tables` index; -1 when the pack has no such CSV table.
        let table: Int32
        let slot: Int32
        /// Whether the key is one or two lines' procedure codes (`[a.code, b.code]`, `[line.code]`), with those
        /// lines' roles in `first` and `second`: the evaluator then looks the row up by the codes' numbers in the
        /// batch, not by their texts.
        let codeKey: Bool
        let first: Role
        let second: Role?
    }

    /// The nodes (`ops`, their `children`), the rules and each rule's run of `conditionList`, the table releases
    /// and the lookups, in memory the evaluator reads through plain pointers: indexing an array held in a struct
    /// field retained and released its buffer on every node and rule.
    /// Allocated once per graph and freed with it; never written after `Program.init`.
    final class Flat: @unchecked Sendable {
        /// A copy of `array` in memory of its own (at least one element's room; free with `baseAddress?.deallocate()`).
        static func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, array.count))
            _ = buffer.initialize(from: array)
            return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
        }

        let ops: UnsafeMutableBufferPointer<Op>
        let children: UnsafeMutableBufferPointer<Int32>
        let rules: UnsafeMutableBufferPointer<CompiledRule>
        let conditionList: UnsafeMutableBufferPointer<Int32>
        /// Every CSV table's releases, table by table (`tables`), and each release's column positions.
        let releases: UnsafeMutableBufferPointer<ReleaseEntry>
        let releaseColumns: UnsafeMutableBufferPointer<Int32>
        /// Per `tables` entry (a `codes:` table has none).
        let tables: UnsafeMutableBufferPointer<TableEntry>
        let lookups: UnsafeMutableBufferPointer<LookupEntry>
        let compares: UnsafeMutableBufferPointer<CompiledCompare>
        /// The text pieces of every message and fix template, as UTF-8 (`CompiledTemplate.Piece.text`).
        let templateText: UnsafeMutableBufferPointer<UInt8>
        /// Key parts of all releases (`ReleaseEntry.keyPart`).
        let keyPartCount: Int

        init(ops: [Op], children: [Int32], rules: [CompiledRule], conditionList: [Int32], tables: [CompiledTable],
             lookups: [CompiledLookup], compares: [CompiledCompare], templateText: [UInt8]) {
            self.ops = Flat.copy(ops)
            self.children = Flat.copy(children)
            self.rules = Flat.copy(rules)
            self.conditionList = Flat.copy(conditionList)
            self.compares = Flat.copy(compares)
            self.templateText = Flat.copy(templateText)
            var releases: [ReleaseEntry] = [], columns: [Int32] = [], entries: [TableEntry] = []
            var keyParts = 0
            for table in tables {
                entries.append(TableEntry(start: Int32(releases.count), count: Int32(table.releases.count)))
                for release in table.releases {
                    let keyCount = release.table.keyColumns.count
                    releases.append(ReleaseEntry(effective: release.effective, expires: release.expires ?? Int.max,
                                                 keyPart: keyParts, keyCount: keyCount, columnsStart: columns.count,
                                                 table: Unmanaged.passUnretained(release.table)))
                    keyParts += keyCount
                    columns += release.columns.map { Int32($0) }
                }
            }
            keyPartCount = keyParts
            self.releases = Flat.copy(releases)
            releaseColumns = Flat.copy(columns)
            self.tables = Flat.copy(entries)
            self.lookups = Flat.copy(lookups.map { lookup in
                var codeKey: (first: Role, second: Role?)?
                if case .line(let first, .code)? = lookup.key.first {
                    if lookup.key.count == 1 {
                        codeKey = (first, nil)
                    } else if lookup.key.count == 2, case .line(let second, .code) = lookup.key[1] {
                        codeKey = (first, second)
                    }
                }
                return LookupEntry(table: lookup.table.map { Int32($0) } ?? -1, slot: Int32(lookup.slot),
                                   codeKey: codeKey != nil, first: codeKey?.first ?? .the, second: codeKey?.second)
            })
        }

        deinit {
            // The element types are trivial: nothing to deinitialize.
            ops.baseAddress?.deallocate()
            children.baseAddress?.deallocate()
            rules.baseAddress?.deallocate()
            conditionList.baseAddress?.deallocate()
            releases.baseAddress?.deallocate()
            releaseColumns.baseAddress?.deallocate()
            tables.baseAddress?.deallocate()
            lookups.baseAddress?.deallocate()
            compares.baseAddress?.deallocate()
            templateText.baseAddress?.deallocate()
        }
    }

    let lookups: [CompiledLookup]
    // The side tables of `Test`.
    let literals: [Literal]
    let memberSets: [Members]
    let operands: [Operand]
    let texts: [String]
    let prefixLists: [[String]]
    let patterns: [Pattern?]
    let innerTests: [Test]
    let tables: [CompiledTable]
    let columnNames: [String]
    private let columnIDs: [String: Int]
    /// Per rule (as `rules`): its message and fix with resolved fields.
    let messages: [CompiledTemplate]
    let fixes: [CompiledTemplate?]
    let applicability: [Applicability]
    let flat: Flat
    /// Per rule: its place in the order of (rule id, pack), the order `Edit.reportOrder` sorts edits in (versions of
    /// one rule share a place).
    let ruleRanks: [UInt32]
    /// Per rule: the qualified ids of the rules whose edits it suppresses when it fires on a claim, nil when none.
    /// Every version of a rule counts, as in `ResultCollector.finish`: a version suppresses what any version of
    /// the same qualified id names.
    let suppressionTargets: [[String]?]
    /// Per compare (`Flat.compares`): whether its result depends on nothing but one text of the binding that repeats
    /// across a batch (a diagnosis code or its category, a bound row's text column, a line's code tested for a code
    /// list or a table's keys), and for a table's keys on the release in force (and the day, when its rows carry
    /// dates), so that the evaluator decides it once per such text and batch (`GraphEvaluator.memoisedHolds`)...
    let memoisableCompares: [Bool]
    /// ... and for such a test on a table's keys, that table (`tables` index; -1 for none).
    let compareMemberTables: [Int32]
    /// Per lookup: whether the row it finds is one per its key fields' texts (`GraphEvaluator.memoisedLookup`).
    let memoisableLookups: [Bool]

    init(nodes: [RuleGraph.Node], rules: [RuleGraph.CompiledRule], ruleSet: RuleSet) {
        var compiler = Compiler(ruleSet: ruleSet)
        var ops: [Op] = []
        ops.reserveCapacity(nodes.count)
        var children: [Int32] = []
        var compares: [CompiledCompare] = []
        var lookups: [CompiledLookup] = []
        for node in nodes {
            switch node {
            case .compare(let field, let comparison):
                compares.append(CompiledCompare(access: compiler.access(field), test: compiler.test(comparison)))
                ops.append(.compare(Int32(compares.count - 1)))
            case .all(let parts):
                ops.append(.all(start: Int32(children.count), count: Int32(parts.count)))
                children += parts.map { Int32($0) }
            case .any(let parts):
                ops.append(.any(start: Int32(children.count), count: Int32(parts.count)))
                children += parts.map { Int32($0) }
            case .not(let inner):
                ops.append(.not(Int32(inner)))
            case .lookup(let table, let pack, let key, let slot):
                lookups.append(CompiledLookup(table: compiler.csvTable("\(pack)/\(table)"), name: table,
                                              key: key.map { compiler.access($0) }, slot: slot))
                ops.append(.lookup(Int32(lookups.count - 1)))
            }
        }
        // Columns the messages and fixes read are resolved too (a template may read a column no condition tests).
        var templateText: [UInt8] = []
        func template(_ template: Template) -> CompiledTemplate {
            if template.parts.count == 1, case .text(let text) = template.parts[0] {
                return CompiledTemplate(pieces: [], whole: text)
            }
            return CompiledTemplate(pieces: template.parts.map { part in
                switch part {
                case .text(let text):
                    let start = templateText.count
                    templateText += text.utf8
                    return .text(start: Int32(start), count: Int32(templateText.count - start))
                case .field(let field): return .field(compiler.access(field))
                }
            }, whole: nil)
        }
        messages = rules.map { template($0.message) }
        let byReportOrder = rules.indices.sorted {
            let a = rules[$0].rule, b = rules[$1].rule
            return a.id != b.id ? a.id < b.id : a.pack < b.pack
        }
        var ranks = [UInt32](repeating: 0, count: rules.count)
        var rank: UInt32 = 0
        for (position, rule) in byReportOrder.enumerated() {
            if position > 0 {
                let previous = rules[byReportOrder[position - 1]].rule, this = rules[rule].rule
                if previous.id != this.id || previous.pack != this.pack { rank += 1 }
            }
            ranks[rule] = rank
        }
        ruleRanks = ranks
        var targetsByID: [String: [String]] = [:]
        for compiled in rules where !compiled.rule.suppresses.isEmpty {
            let rule = compiled.rule
            targetsByID[rule.qualifiedID, default: []] += rule.suppresses.map { $0.contains("/") ? $0 : "\(rule.pack)/\($0)" }
        }
        suppressionTargets = targetsByID.isEmpty ? Array(repeating: nil, count: rules.count)
            : rules.map { targetsByID[$0.rule.qualifiedID] }
        fixes = rules.map { $0.fix.map(template) }
        var conditionList: [Int32] = []
        var compiledRules: [CompiledRule] = []
        var applicabilityIDs: [String: Int] = [:]
        var applicability: [Applicability] = []
        for compiled in rules {
            let rule = compiled.rule
            let start = conditionList.count
            conditionList += compiled.conditions.map { Int32($0) }
            var applies = -1
            if rule.claimTypes != nil || rule.payers != nil || !rule.excludedFor.isEmpty {
                let key = "\(String(describing: rule.claimTypes?.sorted { $0.rawValue < $1.rawValue }))|\(String(describing: rule.payers))|\(rule.excludedFor)"
                if let known = applicabilityIDs[key] {
                    applies = known
                } else {
                    applicability.append(Applicability(claimTypes: rule.claimTypes, payers: rule.payers, excluded: rule.excludedFor))
                    applies = applicability.count - 1
                    applicabilityIDs[key] = applies
                }
            }
            compiledRules.append(CompiledRule(conditions: start..<conditionList.count,
                                              from: rule.window.effective?.dayNumber ?? Int.min,
                                              through: rule.window.expires?.dayNumber ?? Int.max,
                                              applicability: applies))
        }
        self.lookups = lookups
        literals = compiler.literals
        memberSets = compiler.memberSets
        operands = compiler.operands
        texts = compiler.texts
        prefixLists = compiler.prefixLists
        patterns = compiler.patterns
        innerTests = compiler.innerTests
        self.applicability = applicability
        self.columnNames = compiler.columnNames
        self.columnIDs = compiler.columnIDs
        // Column positions are resolved last, once every column a rule reads is known.
        self.tables = compiler.tables.map { table in
            CompiledTable(qualified: table.qualified, codes: table.codes, releases: table.releases.map { release in
                Release(effective: release.effective, expires: release.expires, table: release.table, name: release.name,
                        columns: compiler.columnNames.map { release.table.columnIndex($0) ?? -1 })
            }, oldestEffective: table.oldestEffective)
        }
        flat = Flat(ops: ops, children: children, rules: compiledRules, conditionList: conditionList, tables: tables,
                    lookups: lookups, compares: compares, templateText: templateText)
        let memberSets = compiler.memberSets
        let memoisable = compares.map(Self.isMemoisable)
        memoisableCompares = memoisable
        compareMemberTables = compares.indices.map { position in
            guard memoisable[position], let table = Self.memberTable(compares[position].test, memberSets: memberSets) else { return -1 }
            return Int32(table)
        }
        memoisableLookups = lookups.map(Self.isMemoisable)
    }

    /// Whether a compare's result is a function of one text that `GraphEvaluator.memoisedHolds` can name: a test
    /// that reads no other field (`in`/`not-in` a code list or a table's keys, `equals`, `starts-with`, `matches`,
    /// `present`) on a diagnosis code or category, a bound row's column, or (`in`/`not-in` only:
    /// `GraphEvaluator.lineCodeHolds` decides the rest as fast) a line's procedure code.
    private static func isMemoisable(_ compiled: CompiledCompare) -> Bool {
        switch compiled.access {
        case .diagnosis(_, .code), .diagnosis(_, .category), .column:
            switch compiled.test {
            case .present, .equals, .notEquals, .startsWith, .matches, .inSet, .notInSet: return true
            default: return false
            }
        case .line(_, .code):
            switch compiled.test {
            case .inSet, .notInSet: return true
            default: return false
            }
        default:
            return false
        }
    }

    /// The table (`tables` index) whose keys an `in`/`not-in` test is on; nil for a code list or any other test.
    private static func memberTable(_ test: Test, memberSets: [Members]) -> Int? {
        switch test {
        case .inSet(let set), .notInSet(let set):
            if case .table(let id, _) = memberSets[Int(set)] { return id }
            return nil
        default:
            return nil
        }
    }

    /// Whether a lookup's key is one or two fields that are functions of a diagnosis's code (code, category,
    /// prefixes) or a line's code, so that the row it finds is one per such texts, release and (rows with dates)
    /// day: `GraphEvaluator.memoisedLookup` then finds it once per batch.
    private static func isMemoisable(_ lookup: CompiledLookup) -> Bool {
        guard lookup.table != nil, (1...2).contains(lookup.key.count) else { return false }
        return lookup.key.allSatisfy { access in
            switch access {
            case .diagnosis(_, .code), .diagnosis(_, .category), .diagnosis(_, .prefixes), .line(_, .code): return true
            default: return false
            }
        }
    }

    /// The access for a field of a message template or a dispatch key (resolved when the program was built).
    func access(template field: FieldRef) -> Access {
        switch field {
        case .claim(let name): return .claim(name)
        case .line(let role, let name): return .line(role, name)
        case .diagnosis(let role, let name): return .diagnosis(role, name)
        case .column(let alias, let column):
            guard alias.hasPrefix("#"), let slot = Int(alias.dropFirst()), let id = columnIDs[column] else { return .unbound }
            return .column(slot: slot, column: id)
        }
    }

    /// Resolves names while the program is built.
    private struct Compiler {
        let ruleSet: RuleSet
        var tables: [CompiledTable] = []
        var tableIDs: [String: Int] = [:]
        var columnNames: [String] = []
        var columnIDs: [String: Int] = [:]
        var literals: [Literal] = []
        var memberSets: [Members] = []
        var operands: [Operand] = []
        var texts: [String] = []
        var prefixLists: [[String]] = []
        var patterns: [Pattern?] = []
        var innerTests: [Test] = []

        init(ruleSet: RuleSet) { self.ruleSet = ruleSet }

        /// Appends to a side table, returning the index.
        private static func append<T>(_ item: T, to list: inout [T]) -> Int32 {
            list.append(item)
            return Int32(list.count - 1)
        }

        /// The `tables` index of a qualified table name; nil when the pack does not declare it.
        mutating func table(_ qualified: String) -> Int? {
            if let id = tableIDs[qualified] { return id }
            let parts = qualified.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let source = ruleSet.table(parts[1], pack: parts[0]) else { return nil }
            let entry: CompiledTable
            switch source {
            case .codes(let codes):
                entry = CompiledTable(qualified: qualified, codes: codes, releases: [], oldestEffective: "?")
            case .releases(let releases):
                entry = CompiledTable(qualified: qualified, codes: nil, releases: releases.map {
                    Release(effective: $0.window.effective?.dayNumber ?? Int.min, expires: $0.window.expires?.dayNumber,
                            table: $0.table, name: $0.release, columns: [])
                }, oldestEffective: releases.first?.window.effective?.description ?? "?")
            }
            tables.append(entry)
            tableIDs[qualified] = tables.count - 1
            return tables.count - 1
        }

        /// A table a lookup can use: a CSV table (`codes:` tables have no rows).
        mutating func csvTable(_ qualified: String) -> Int? {
            guard let id = table(qualified), tables[id].codes == nil else { return nil }
            return id
        }

        mutating func access(_ field: FieldRef) -> Access {
            switch field {
            case .claim(let name): return .claim(name)
            case .line(let role, let name): return .line(role, name)
            case .diagnosis(let role, let name): return .diagnosis(role, name)
            case .column(let alias, let column):
                guard alias.hasPrefix("#"), let slot = Int(alias.dropFirst()) else { return .unbound }
                if let id = columnIDs[column] { return .column(slot: slot, column: id) }
                columnNames.append(column)
                columnIDs[column] = columnNames.count - 1
                return .column(slot: slot, column: columnNames.count - 1)
            }
        }

        mutating func operand(_ expression: Expression) -> Operand {
            switch expression {
            case .number(let value): return .number(value)
            case .date(let date): return .date(date)
            case .field(let field): return .field(access(field))
            case .binary(let op, .field(let field), .number(let number)): return .fieldNumber(access(field), op, number)
            case .binary(let op, let lhs, let rhs): return .binary(op, operand(lhs), operand(rhs))
            }
        }

        mutating func members(_ set: SetRef) -> Members {
            switch set {
            case .literal(let codes): return .codes(Codes(codes))
            case .table(let qualified):
                guard let id = table(qualified) else { return .none }
                if let codes = tables[id].codes { return .codes(Codes(codes)) }
                // Reported under the table's own name, as the reference does (not `pack/table`).
                let name = qualified.split(separator: "/", maxSplits: 1).last.map(String.init) ?? qualified
                return .table(id, name: name)
            }
        }

        mutating func test(_ comparison: Comparison) -> Test {
            func literal(_ text: String) -> Int32 { Self.append(Literal(text), to: &literals) }
            func set(_ set: SetRef) -> Int32 { let compiled = members(set); return Self.append(compiled, to: &memberSets) }
            func number(_ order: Order, _ expression: Expression) -> Test {
                if case .number(let value) = expression { return .numericConstant(order, value) }
                let compiled = operand(expression)
                return .numeric(order, Self.append(compiled, to: &operands))
            }
            func date(_ order: Order, _ expression: Expression) -> Test {
                let compiled = operand(expression)
                return .dates(order, Self.append(compiled, to: &operands))
            }
            switch comparison {
            case .present(let wanted): return .present(wanted)
            case .equals(let text): return .equals(literal(text))
            case .notEquals(let text): return .notEquals(literal(text))
            case .inSet(let s): return .inSet(set(s))
            case .notInSet(let s): return .notInSet(set(s))
            case .greater(let e): return number(.greater, e)
            case .greaterOrEqual(let e): return number(.greaterOrEqual, e)
            case .less(let e): return number(.less, e)
            case .lessOrEqual(let e): return number(.lessOrEqual, e)
            case .numericEquals(let e): return number(.equal, e)
            case .before(let e): return date(.less, e)
            case .after(let e): return date(.greater, e)
            case .onOrBefore(let e): return date(.lessOrEqual, e)
            case .onOrAfter(let e): return date(.greaterOrEqual, e)
            case .includes(let text): return .includes(Self.append(text, to: &texts))
            case .includesAny(let s): return .includesAny(set(s))
            case .includesNone(let s): return .includesNone(set(s))
            case .includesOutside(let s): return .includesOutside(set(s))
            case .startsWith(let prefixes): return .startsWith(Self.append(prefixes, to: &prefixLists))
            case .matches(let pattern): return .matches(Self.append((try? Regex(pattern)).map(Pattern.init), to: &patterns))
            case .sameAs(let field): return .sameAs(access(field))
            case .differsFrom(let field): return .differsFrom(access(field))
            case .count(let inner):
                let compiled = test(inner)
                return .count(Self.append(compiled, to: &innerTests))
            case .isTrue(let wanted): return .isTrue(wanted)
            }
        }
    }
}

extension Program.Order {
    @inline(__always)
    func holds<T: Comparable>(_ lhs: T, _ rhs: T) -> Bool {
        switch self {
        case .greater: return lhs > rhs
        case .greaterOrEqual: return lhs >= rhs
        case .less: return lhs < rhs
        case .lessOrEqual: return lhs <= rhs
        case .equal: return lhs == rhs
        }
    }
}
