import ClaimModel
import Foundation
import Tables
import YAML

/// Turns one pack file's YAML tree into a checked `Pack`, collecting every problem as a located diagnostic.
/// Keys are matched in one pass over each mapping; an unknown key is an error (with a "did you mean"), never
/// ignored; a missing value is never defaulted.
struct PackParser {
    let file: String
    let directory: String
    /// Tables visible from this pack: its base pack's, by name (its own are added as they are parsed).
    var visibleTables: [String: TableSource]
    var diagnostics: [Diagnostic] = []
    /// Paths of every table file read, for the rule set's content hash.
    var tableFiles: [String] = []

    init(file: String, visibleTables: [String: TableSource]) {
        self.file = file
        // A bare file name (`rules check cms.yaml`) is in the current directory, not at the root.
        let folder = (file as NSString).deletingLastPathComponent
        self.directory = folder.isEmpty ? "." : folder
        self.visibleTables = visibleTables
    }

    // MARK: Helpers

    mutating func error(_ code: DiagnosticCode, _ message: String, _ node: YAMLNode) {
        diagnostics.append(Diagnostic(.error, code, message, at: node.location))
    }

    mutating func error(_ code: DiagnosticCode, _ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, code, message, at: location))
    }

    /// The pairs of a mapping, or nil (with a diagnostic) when the node is not one.
    mutating func mapping(_ node: YAMLNode, _ what: String) -> [YAMLPair]? {
        guard let pairs = node.mapping else {
            error(.wrongType, "\(what) must be a mapping, found \(node.typeName)", node)
            return nil
        }
        return pairs
    }

    mutating func list(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
        guard let items = node.sequence else {
            error(.wrongType, "\(what) must be a list, found \(node.typeName)", node)
            return nil
        }
        return items
    }

    mutating func text(_ node: YAMLNode, _ what: String) -> String? {
        guard let value = node.scalar, !node.isNull else {
            error(.wrongType, "\(what) must be a text value, found \(node.isNull ? "nothing" : node.typeName)", node)
            return nil
        }
        return value
    }

    /// One scalar or a list of scalars.
    mutating func texts(_ node: YAMLNode, _ what: String) -> [String]? {
        if let single = node.scalar, !node.isNull { return [single] }
        guard let items = list(node, what) else { return nil }
        var result: [String] = []
        for item in items {
            guard let value = text(item, "each entry of \(what)") else { return nil }
            result.append(value)
        }
        return result
    }

    mutating func date(_ node: YAMLNode, _ what: String) -> CalendarDate? {
        guard let value = text(node, what) else { return nil }
        guard value.count == 10, let date = CalendarDate(value) else {
            error(.badDate, "\(what) '\(value)' is not a date (YYYY-MM-DD)", node)
            return nil
        }
        return date
    }

    mutating func unknownKey(_ key: YAMLNode, _ name: String, allowed: [String], in what: String) {
        let suggestion = closest(name, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
        error(.unknownKey, "unknown key '\(name)' in \(what)\(suggestion) (allowed: \(allowed.joined(separator: ", ")))", key)
    }

    mutating func requireKeys(_ present: Set<String>, _ required: [String], in node: YAMLNode, _ what: String) -> Bool {
        let missing = required.filter { !present.contains($0) }
        for key in missing { error(.missingKey, "\(what) has no '\(key)'", node) }
        return missing.isEmpty
    }

    // MARK: Pack

    /// The pack's header: its name and what it extends, read before the packs are ordered.
    static func header(of root: YAMLNode) -> (name: String?, extends: String?) {
        var name: String?, extends: String?
        for pair in root.mapping ?? [] {
            if pair.key.scalar == "pack" { name = pair.value.scalar }
            if pair.key.scalar == "extends" { extends = pair.value.scalar }
        }
        return (name, extends)
    }

    static let packKeys = ["pack", "description", "version", "effective", "expires", "extends", "payers", "tables",
                           "rules", "override", "disable", "tests"]

    mutating func parse(_ root: YAMLNode) -> Pack? {
        guard let pairs = mapping(root, "a pack file") else { return nil }
        var values: [String: YAMLNode] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar else {
                error(.wrongType, "keys of a pack must be text", pair.key)
                continue
            }
            if Self.packKeys.contains(key) { values[key] = pair.value } else {
                unknownKey(pair.key, key, allowed: Self.packKeys, in: "a pack")
            }
        }
        guard requireKeys(Set(values.keys), ["pack"], in: root, "the pack file"),
              let nameNode = values["pack"], let name = text(nameNode, "pack") else { return nil }
        var window = EffectiveWindow()
        if let node = values["effective"] { window.effective = date(node, "effective") }
        if let node = values["expires"] { window.expires = date(node, "expires") }
        if let start = window.effective, let end = window.expires, end < start {
            error(.badDate, "the pack expires (\(end)) before it is effective (\(start))", values["expires"] ?? root)
        }
        let extends = values["extends"].flatMap { text($0, "extends") }
        let payers = values["payers"].flatMap { payerScope($0) }
        if payers != nil && extends == nil, let node = values["payers"] {
            error(.unknownKey, "'payers' scopes an overlay pack: add 'extends: <base pack>' or put 'payers' on the rules", node)
        }
        var tables: [String: TableSource] = [:]
        if let node = values["tables"], let tablePairs = mapping(node, "tables") {
            for pair in tablePairs {
                guard let tableName = text(pair.key, "a table name") else { continue }
                if tables[tableName] != nil {
                    error(.duplicateRule, "table '\(tableName)' is declared twice", pair.key)
                    continue
                }
                if let source = table(named: tableName, pair.value) {
                    tables[tableName] = source
                    visibleTables[tableName] = source
                }
            }
        }
        var rules: [Rule] = []
        if let node = values["rules"], let items = list(node, "rules") {
            for item in items {
                if let rule = rule(item, pack: name, packWindow: window, packPayers: extends == nil ? nil : payers) {
                    rules.append(rule)
                }
            }
        }
        var overrides: [Rule] = []
        if let node = values["override"] {
            if extends == nil { error(.unknownKey, "'override' needs 'extends: <base pack>'", node) }
            if let items = list(node, "override") {
                for item in items {
                    if let rule = rule(item, pack: name, packWindow: window, packPayers: payers) { overrides.append(rule) }
                }
            }
        }
        var disables: [(id: String, location: SourceLocation)] = []
        if let node = values["disable"] {
            if extends == nil { error(.unknownKey, "'disable' needs 'extends: <base pack>'", node) }
            if let items = node.sequence {
                for item in items { if let id = text(item, "a disabled rule id") { disables.append((id, item.location)) } }
            } else if let id = text(node, "disable") {
                disables.append((id, node.location))
            }
        }
        var tests: [RuleTest] = []
        if let node = values["tests"], let items = list(node, "tests") {
            for item in items { if let test = ruleTest(item) { tests.append(test) } }
        }
        return Pack(name: name, file: file, label: values["version"].flatMap { text($0, "version") }, window: window,
                    extends: extends, payers: payers, tables: tables, rules: rules, overrides: overrides,
                    disables: disables, tests: tests, location: root.location)
    }

    mutating func payerScope(_ node: YAMLNode) -> PayerScope? {
        guard let pairs = mapping(node, "payers") else { return nil }
        var scope = PayerScope()
        for pair in pairs {
            switch pair.key.scalar ?? "" {
            case "ids": scope.payerIDs = Set(texts(pair.value, "payers.ids") ?? [])
            case "filing-indicators": scope.filingIndicators = Set(texts(pair.value, "payers.filing-indicators") ?? [])
            default: unknownKey(pair.key, pair.key.scalar ?? "", allowed: ["ids", "filing-indicators"], in: "payers")
            }
        }
        if scope.payerIDs.isEmpty && scope.filingIndicators.isEmpty {
            error(.missingKey, "payers names no payer id and no filing indicator, so it matches no claim", node)
        }
        return scope
    }

    // MARK: Tables

    static let releaseKeys = ["file", "key", "release", "effective", "expires", "row-effective", "row-expires", "header-line", "where"]

    mutating func table(named name: String, _ node: YAMLNode) -> TableSource? {
        if let pairs = node.mapping, pairs.contains(where: { $0.key.scalar == "codes" }) {
            for pair in pairs where pair.key.scalar != "codes" {
                unknownKey(pair.key, pair.key.scalar ?? "", allowed: ["codes"], in: "a code-list table")
            }
            guard let codesNode = pairs.first(where: { $0.key.scalar == "codes" })?.value else { return nil }
            return codeSet(codesNode, "table \(name)").map { .codes($0) }
        }
        let releaseNodes: [YAMLNode]
        if let items = node.sequence { releaseNodes = items } else if node.mapping != nil { releaseNodes = [node] } else {
            error(.wrongType, "table '\(name)' must be a mapping with 'codes' or 'file', or a list of releases", node)
            return nil
        }
        var releases: [TableRelease] = []
        for releaseNode in releaseNodes {
            guard let pairs = mapping(releaseNode, "a table release") else { continue }
            var values: [String: YAMLNode] = [:]
            for pair in pairs {
                let key = pair.key.scalar ?? ""
                if Self.releaseKeys.contains(key) { values[key] = pair.value } else {
                    unknownKey(pair.key, key, allowed: Self.releaseKeys + ["codes"], in: "table '\(name)'")
                }
            }
            guard requireKeys(Set(values.keys), ["file", "key"], in: releaseNode, "table '\(name)'"),
                  let fileNode = values["file"], let path = text(fileNode, "file"),
                  let keyNode = values["key"], let keyColumns = texts(keyNode, "key") else { continue }
            var window = EffectiveWindow()
            if let node = values["effective"] { window.effective = date(node, "effective") }
            if let node = values["expires"] { window.expires = date(node, "expires") }
            let fullPath = path.hasPrefix("/") ? path : directory + "/" + path
            let headerLine = values["header-line"].flatMap { text($0, "header-line") }.flatMap { Int($0) }
            // `where: { column: [values] }`: only the rows holding one of the values are loaded.
            var rowFilter: [String: [String]] = [:]
            if let whereNode = values["where"], let filterPairs = mapping(whereNode, "where (column: values)") {
                for pair in filterPairs {
                    guard let column = text(pair.key, "a column name"), let accepted = texts(pair.value, "where.\(column)") else { continue }
                    rowFilter[column] = accepted
                }
            }
            let spec = TableSpec(path: fullPath, keyColumns: keyColumns,
                                 effectiveColumn: values["row-effective"].flatMap { text($0, "row-effective") },
                                 expiresColumn: values["row-expires"].flatMap { text($0, "row-expires") },
                                 headerLine: headerLine, rowFilter: rowFilter)
            let (loaded, problems) = Table.load(spec)
            tableFiles.append(fullPath)
            for problem in problems {
                let location = problem.line == 0
                    ? fileNode.location
                    : SourceLocation(file: problem.file, line: problem.line, column: problem.column)
                diagnostics.append(Diagnostic(severity: .error, code: problem.code,
                                              message: "table '\(name)': \(problem.message)", location: location))
            }
            guard let loaded else { continue }
            let release = values["release"].flatMap { text($0, "release") } ?? (path as NSString).lastPathComponent
            releases.append(TableRelease(release: release, window: window, table: loaded, file: fullPath))
        }
        guard !releases.isEmpty else { return nil }
        // Releases in order of their effective dates; each stays in force until the next starts.
        releases.sort { ($0.window.effective ?? CalendarDate.distantPast) < ($1.window.effective ?? CalendarDate.distantPast) }
        for index in releases.indices.dropLast() {
            if let nextStart = releases[index + 1].window.effective, releases[index].window.expires == nil {
                releases[index].window.expires = CalendarDate(dayNumber: nextStart.dayNumber - 1)
            }
        }
        return .releases(releases)
    }

    mutating func codeSet(_ node: YAMLNode, _ what: String) -> CodeSet? {
        guard let items = node.sequence ?? (node.scalar.map { _ in [node] }) else {
            error(.wrongType, "\(what) must be a list of codes and ranges", node)
            return nil
        }
        var entries: [String] = []
        for item in items {
            guard let value = text(item, "a code") else { return nil }
            entries.append(value)
        }
        do {
            return try CodeSet(entries)
        } catch {
            let at = error.index < items.count ? items[error.index] : node
            self.error(.badCodeRange, "'\(error.entry)': \(error.message)", at)
            return nil
        }
    }

    // MARK: Rules

    static let ruleKeys = ["id", "category", "severity", "denial", "rarc", "for", "citation", "when", "message", "fix",
                           "effective", "expires", "payers", "claim-types", "suppresses", "description", "within-days"]

    /// The widest day window a line-pair rule may have (`within-days`), either way: a year and a day.
    static let maxPairDays = 366

    mutating func rule(_ node: YAMLNode, pack: String, packWindow: EffectiveWindow, packPayers: PayerScope?) -> Rule? {
        guard let pairs = mapping(node, "a rule") else { return nil }
        var values: [String: YAMLNode] = [:]
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if Self.ruleKeys.contains(key) { values[key] = pair.value } else {
                unknownKey(pair.key, key, allowed: Self.ruleKeys, in: "a rule")
            }
        }
        let idText = values["id"].flatMap { $0.scalar } ?? "(no id)"
        guard requireKeys(Set(values.keys), ["id", "category", "severity", "for", "citation", "when", "message"],
                          in: node, "rule \(idText)") else { return nil }
        guard let idNode = values["id"], let id = text(idNode, "id"),
              let category = values["category"].flatMap({ text($0, "category") }),
              let severityNode = values["severity"], let severityText = text(severityNode, "severity"),
              let scopeNode = values["for"], let scopeText = text(scopeNode, "for"),
              let citation = values["citation"].flatMap({ text($0, "citation") }),
              let whenNode = values["when"], let messageNode = values["message"] else { return nil }
        var valid = true
        let severity = EditSeverity(rawValue: severityText)
        if severity == nil {
            error(.badValue, "severity '\(severityText)' is not one of error, warning, info", severityNode)
            valid = false
        }
        let scope = Scope(rawValue: scopeText)
        if scope == nil {
            let suggestion = closest(scopeText, in: Scope.allCases.map(\.rawValue)).map { "; did you mean '\($0)'?" } ?? ""
            error(.badValue, "for: '\(scopeText)' is not a scope (\(Scope.allCases.map(\.rawValue).joined(separator: ", ")))\(suggestion)", scopeNode)
            valid = false
        }
        var denial: String?
        if let node = values["denial"], let value = text(node, "denial") {
            if Self.isCARC(value) { denial = value } else {
                error(.badValue, "denial '\(value)' is not a claim adjustment reason as GROUP-CODE (CO-97, PR-204, OA-23 …)", node)
                valid = false
            }
        }
        let rarc = values["rarc"].flatMap { texts($0, "rarc") } ?? []
        var window = EffectiveWindow(effective: packWindow.effective, expires: packWindow.expires)
        if let node = values["effective"] { window.effective = date(node, "effective") }
        if let node = values["expires"] { window.expires = date(node, "expires") }
        if let start = window.effective, let end = window.expires, end < start {
            error(.unreachable, "rule \(id) expires (\(end)) before it is effective (\(start)): it can never apply",
                  values["expires"] ?? values["effective"] ?? node)
            valid = false
        }
        if let start = window.effective, let packEnd = packWindow.expires, start > packEnd {
            error(.unreachable, "rule \(id) starts (\(start)) after its pack expires (\(packEnd)): it can never apply",
                  values["effective"] ?? node)
        }
        var payers = packPayers
        if let node = values["payers"] { payers = payerScope(node) }
        var claimTypes: Set<ClaimType>?
        if let node = values["claim-types"], let names = texts(node, "claim-types") {
            var set = Set<ClaimType>()
            for name in names {
                if let type = ClaimType(rawValue: name) { set.insert(type) } else {
                    error(.badValue, "claim type '\(name)' is not professional or institutional", node)
                }
            }
            claimTypes = set
        }
        let suppresses = values["suppresses"].flatMap { texts($0, "suppresses") } ?? []
        var pairDays = 0...0
        if let node = values["within-days"] {
            if let days = dayWindow(node, scope: scope) { pairDays = days } else { valid = false }
        }
        // Conditions and templates are checked even when something above is wrong, so every problem of
        // the rule is reported at once.
        guard let scope else { return nil }
        var resolver = FieldResolver(scope: scope)
        let when = conditions(whenNode, resolver: &resolver, topLevel: true)
        checkReachable(when, ruleID: id)
        let message = template(messageNode, resolver: resolver, "message")
        let fix = values["fix"].flatMap { template($0, resolver: resolver, "fix") }
        guard valid, let severity, let when, let message else { return nil }
        if values["fix"] != nil && fix == nil { return nil }
        return Rule(id: id, pack: pack, category: category, severity: severity, denial: denial, rarc: rarc, scope: scope,
                    citation: citation, when: when, message: message, fix: fix, window: window, payers: payers,
                    excludedFor: [], claimTypes: claimTypes, suppresses: suppresses, location: idNode.location,
                    pairDays: pairDays)
    }

    /// `within-days: { from: F, to: T }` of a line-pair rule: b's date minus a's date is in F…T (whole days).
    mutating func dayWindow(_ node: YAMLNode, scope: Scope?) -> ClosedRange<Int>? {
        if let scope, scope != .linePair {
            error(.badDayWindow, "within-days pairs lines across dates: it belongs on a 'line-pair' rule, not a '\(scope.rawValue)' rule", node)
            return nil
        }
        guard let pairs = mapping(node, "within-days (from: days, to: days)") else { return nil }
        var bounds: [String: Int] = [:]
        var ok = true
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            guard key == "from" || key == "to" else {
                unknownKey(pair.key, key, allowed: ["from", "to"], in: "within-days")
                ok = false
                continue
            }
            guard let value = pair.value.scalar, !pair.value.isNull, let days = Int(value) else {
                error(.badDayWindow, "within-days.\(key) must be a whole number of days (b's date minus a's date), found \(pair.value.scalar.map { "'\($0)'" } ?? pair.value.typeName)", pair.value)
                ok = false
                continue
            }
            guard abs(days) <= Self.maxPairDays else {
                error(.badDayWindow, "within-days.\(key) is \(days) days; a window reaches at most \(Self.maxPairDays) days either way", pair.value)
                ok = false
                continue
            }
            bounds[key] = days
        }
        guard ok else { return nil }
        guard let from = bounds["from"], let to = bounds["to"] else {
            error(.missingKey, "within-days has no '\(bounds["from"] == nil ? "from" : "to")' (both ends are required, in days: b's date minus a's date)", node)
            return nil
        }
        guard from <= to else {
            error(.badDayWindow, "within-days from (\(from)) is after to (\(to)): no pair of dates can fall in it", node)
            return nil
        }
        return from...to
    }

    static func isCARC(_ text: String) -> Bool {
        let parts = text.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, ["CO", "PR", "OA", "PI", "CR"].contains(String(parts[0])) else { return false }
        let code = parts[1]
        return !code.isEmpty && code.count <= 3 && code.allSatisfy { $0.isLetter || $0.isNumber }
    }

    // MARK: Conditions

    static let logicalKeys = ["all", "any", "not", "lookup"]

    /// A `when`: a list (all must hold) or a single condition. Top-level lookups bind their aliases for the rest.
    mutating func conditions(_ node: YAMLNode, resolver: inout FieldResolver, topLevel: Bool) -> [Condition]? {
        let items = node.sequence ?? [node]
        if items.isEmpty {
            error(.wrongType, "when has no conditions", node)
            return nil
        }
        var result: [Condition] = []
        var ok = true
        for item in items {
            if let condition = condition(item, resolver: &resolver, topLevel: topLevel) { result.append(condition) } else { ok = false }
        }
        return ok ? result : nil
    }

    mutating func condition(_ node: YAMLNode, resolver: inout FieldResolver, topLevel: Bool) -> Condition? {
        guard let pairs = mapping(node, "a condition") else { return nil }
        guard pairs.count == 1, let pair = pairs.first else {
            if pairs.isEmpty { error(.wrongType, "an empty condition", node); return nil }
            // Several keys in one mapping: all of them must hold.
            var parts: [Condition] = []
            var ok = true
            for pair in pairs {
                let single = YAMLNode(.mapping([pair]), location: pair.key.location)
                if let part = condition(single, resolver: &resolver, topLevel: topLevel) { parts.append(part) } else { ok = false }
            }
            return ok ? .all(parts) : nil
        }
        guard let key = pair.key.scalar else {
            error(.wrongType, "a condition's key must be a field or all/any/not/lookup", pair.key)
            return nil
        }
        switch key {
        case "all", "any":
            var inner = resolver
            guard let parts = conditions(pair.value, resolver: &inner, topLevel: false) else { return nil }
            return key == "all" ? .all(parts) : .any(parts)
        case "not":
            // `not: { lookup: … }`: no row of that key is in force. Its alias binds nothing (no row was found),
            // so later conditions cannot read it.
            if let pairs = pair.value.mapping, pairs.count == 1, pairs[0].key.scalar == "lookup" {
                guard let lookup = lookup(pairs[0].value, resolver: resolver) else { return nil }
                return .not(.lookup(lookup))
            }
            var inner = resolver
            guard let parts = conditions(pair.value, resolver: &inner, topLevel: false) else { return nil }
            return .not(parts.count == 1 ? parts[0] : .all(parts))
        case "lookup":
            guard topLevel else {
                error(.wrongType, "a lookup must stand at the top of 'when' (not inside all/any), so its row is bound for the whole rule, or directly under 'not' (no such row)", pair.key)
                return nil
            }
            guard let lookup = lookup(pair.value, resolver: resolver) else { return nil }
            resolver.aliases[lookup.alias] = visibleTables[lookup.table]?.columns ?? []
            return .lookup(lookup)
        default:
            guard let field = field(key, at: pair.key, resolver: resolver) else { return nil }
            return comparisonCondition(field, pair.value, resolver: resolver, keyNode: pair.key)
        }
    }

    mutating func field(_ path: String, at node: YAMLNode, resolver: FieldResolver) -> FieldRef? {
        switch resolver.resolve(path) {
        case .success(let field):
            return field
        case .failure(.unknownRoot(let root, let allowed)):
            let suggestion = closest(root, in: allowed + Self.logicalKeys).map { "; did you mean '\($0)'?" } ?? ""
            error(.unknownField, "'\(path)' is not a field or condition here: in a '\(resolver.scope.rawValue)' rule fields start with \(allowed.map { "'\($0).'" }.joined(separator: ", "))\(suggestion)", node)
        case .failure(.unknownField(let name, let root, let suggestions)):
            let suggestion = closest(name, in: suggestions).map { "; did you mean '\(root).\($0)'?" } ?? ""
            error(.unknownField, "'\(root)' has no field '\(name)'\(suggestion)", node)
        case .failure(.unknownColumn(let name, let alias, let columns)):
            let suggestion = closest(name, in: columns).map { "; did you mean '\(alias).\($0)'?" } ?? ""
            error(.unknownTable, "the table bound as '\(alias)' has no column '\(name)' (columns: \(columns.joined(separator: ", ")))\(suggestion)", node)
        }
        return nil
    }

    mutating func lookup(_ node: YAMLNode, resolver: FieldResolver) -> Lookup? {
        guard let pairs = mapping(node, "lookup") else { return nil }
        var tableName: String?, keyNodes: [YAMLNode] = [], alias: String?
        var tableNode = node
        for pair in pairs {
            switch pair.key.scalar ?? "" {
            case "table": tableName = text(pair.value, "lookup.table"); tableNode = pair.value
            case "key": keyNodes = pair.value.sequence ?? [pair.value]
            case "as": alias = text(pair.value, "lookup.as")
            default: unknownKey(pair.key, pair.key.scalar ?? "", allowed: ["table", "key", "as"], in: "lookup")
            }
        }
        guard let tableName else { error(.missingKey, "lookup has no 'table'", node); return nil }
        guard let source = visibleTables[tableName] else {
            let suggestion = closest(tableName, in: Array(visibleTables.keys)).map { "; did you mean '\($0)'?" } ?? ""
            error(.unknownTable, "unknown table '\(tableName)'\(suggestion)", tableNode)
            return nil
        }
        guard case .releases(let releases) = source, let first = releases.first else {
            error(.unknownTable, "table '\(tableName)' is a code list: test membership with 'in:', not 'lookup'", tableNode)
            return nil
        }
        guard !keyNodes.isEmpty else { error(.missingKey, "lookup has no 'key'", node); return nil }
        if keyNodes.count != first.table.keyColumns.count {
            error(.wrongType, "table '\(tableName)' is keyed by \(first.table.keyColumns.count) column(s) (\(first.table.keyColumns.joined(separator: ", "))); the lookup gives \(keyNodes.count)", node)
            return nil
        }
        var key: [FieldRef] = []
        for keyNode in keyNodes {
            guard let path = text(keyNode, "a lookup key"), let ref = field(path, at: keyNode, resolver: resolver) else { return nil }
            key.append(ref)
        }
        return Lookup(table: tableName, key: key, alias: alias ?? tableName, location: node.location)
    }

    static let operators = ["equals", "not-equals", "in", "not-in", "gt", "ge", "lt", "le", "before", "after",
                            "on-or-before", "on-or-after", "present", "includes", "includes-any", "includes-none", "includes-outside",
                            "starts-with", "matches", "same-as", "differs-from", "count", "is"]

    mutating func comparisonCondition(_ field: FieldRef, _ node: YAMLNode, resolver: FieldResolver, keyNode: YAMLNode) -> Condition? {
        // Shorthands: `line.code: 99213` is equals; `line.code: [a, b]` is in.
        if node.scalar != nil && !node.isNull {
            guard let comparison = comparison(field, "equals", node, resolver: resolver) else { return nil }
            return .compare(field, comparison, keyNode.location)
        }
        if node.sequence != nil {
            guard let comparison = comparison(field, field.type == .list ? "includes-any" : "in", node, resolver: resolver) else { return nil }
            return .compare(field, comparison, keyNode.location)
        }
        guard let pairs = mapping(node, "the test of \(field)") else { return nil }
        var parts: [Condition] = []
        var ok = true
        for pair in pairs {
            guard let op = pair.key.scalar, Self.operators.contains(op) else {
                let name = pair.key.scalar ?? ""
                let suggestion = closest(name, in: Self.operators).map { "; did you mean '\($0)'?" } ?? ""
                error(.unknownOperator, "'\(name)' is not a comparison\(suggestion) (comparisons: \(Self.operators.joined(separator: ", ")))", pair.key)
                ok = false
                continue
            }
            if let comparison = comparison(field, op, pair.value, resolver: resolver, opNode: pair.key) {
                parts.append(.compare(field, comparison, pair.key.location))
            } else {
                ok = false
            }
        }
        guard ok, !parts.isEmpty else {
            if ok { error(.wrongType, "the test of \(field) has no comparison", node) }
            return nil
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    mutating func setRef(_ node: YAMLNode, _ what: String) -> SetRef? {
        if let name = node.scalar, !node.isNull, node.sequence == nil {
            if let source = visibleTables[name] {
                if case .releases(let releases) = source, let first = releases.first, first.table.keyColumns.count != 1 {
                    error(.unknownTable, "table '\(name)' is keyed by \(first.table.keyColumns.count) columns; membership needs a one-column key", node)
                    return nil
                }
                return .table(name)
            }
            // A single code is a one-entry list, unless it reads like a table name.
            if name.contains(where: { $0.isLowercase }) {
                let suggestion = closest(name, in: Array(visibleTables.keys)).map { "; did you mean '\($0)'?" } ?? ""
                error(.unknownTable, "unknown table '\(name)'\(suggestion)", node)
                return nil
            }
        }
        return codeSet(node, what).map { .literal($0) }
    }

    mutating func comparison(_ field: FieldRef, _ op: String, _ node: YAMLNode, resolver: FieldResolver, opNode: YAMLNode? = nil) -> Comparison? {
        let at = opNode ?? node
        let type = field.type
        func mismatch(_ expected: String, hint: String = "") -> Comparison? {
            error(.typeMismatch, "'\(op)' needs \(expected), but \(field) is \(Self.describe(type))\(hint)", at)
            return nil
        }
        switch op {
        case "equals", "not-equals":
            if type == .list { return mismatch("a single value", hint: "; use 'includes' to test a list") }
            guard let value = text(node, op) else { return nil }
            return op == "equals" ? .equals(value) : .notEquals(value)
        case "in", "not-in":
            if type == .list { return mismatch("a single value", hint: "; use 'includes-any' or 'includes-none' to test a list") }
            guard let set = setRef(node, op) else { return nil }
            return op == "in" ? .inSet(set) : .notInSet(set)
        case "gt", "ge", "lt", "le":
            guard type == .number || type == .text && Self.isColumn(field) else {
                return mismatch("a number", hint: type == .date ? "; use before/after for dates" : "")
            }
            guard let expression = expression(node, resolver: resolver, expecting: .number) else { return nil }
            switch op {
            case "gt": return .greater(expression)
            case "ge": return .greaterOrEqual(expression)
            case "lt": return .less(expression)
            default: return .lessOrEqual(expression)
            }
        case "before", "after", "on-or-before", "on-or-after":
            guard type == .date else { return mismatch("a date") }
            guard let expression = expression(node, resolver: resolver, expecting: .date) else { return nil }
            switch op {
            case "before": return .before(expression)
            case "after": return .after(expression)
            case "on-or-before": return .onOrBefore(expression)
            default: return .onOrAfter(expression)
            }
        case "present", "is":
            guard let value = text(node, op), let flag = Self.bool(value) else {
                error(.wrongType, "'\(op)' takes true or false", node)
                return nil
            }
            if op == "is" {
                guard type == .flag else { return mismatch("a true/false field") }
                return .isTrue(flag)
            }
            return .present(flag)
        case "includes":
            guard type == .list else { return mismatch("a list", hint: "; use 'equals' for a single value") }
            guard let value = text(node, op) else { return nil }
            return .includes(value)
        case "includes-any", "includes-none", "includes-outside":
            guard type == .list else { return mismatch("a list", hint: "; use 'in' or 'not-in' for a single value") }
            guard let set = setRef(node, op) else { return nil }
            switch op {
            case "includes-any": return .includesAny(set)
            case "includes-none": return .includesNone(set)
            default: return .includesOutside(set)
            }
        case "starts-with":
            if type == .list { return mismatch("a single value") }
            guard let prefixes = texts(node, op) else { return nil }
            return .startsWith(prefixes)
        case "matches":
            if type == .list { return mismatch("a single value") }
            guard let pattern = text(node, op) else { return nil }
            do {
                _ = try Regex(pattern)
            } catch {
                self.error(.wrongType, "'\(pattern)' is not a regular expression: \(error)", node)
                return nil
            }
            return .matches(pattern)
        case "same-as", "differs-from":
            guard let path = text(node, op), let other = self.field(path, at: node, resolver: resolver) else { return nil }
            if other.type != type && !Self.isColumn(other) && !Self.isColumn(field) {
                error(.typeMismatch, "\(field) is \(Self.describe(type)) but \(other) is \(Self.describe(other.type))", node)
                return nil
            }
            return op == "same-as" ? .sameAs(other) : .differsFrom(other)
        case "count":
            guard type == .list else { return mismatch("a list") }
            guard let pairs = mapping(node, "count") else { return nil }
            guard pairs.count == 1, let pair = pairs.first, let inner = pair.key.scalar,
                  ["equals", "gt", "ge", "lt", "le"].contains(inner) else {
                error(.unknownOperator, "count takes one of equals, gt, ge, lt, le", node)
                return nil
            }
            if inner == "equals" {
                guard let expression = expression(pair.value, resolver: resolver, expecting: .number) else { return nil }
                return .count(.numericEquals(expression))
            }
            let counter = FieldRef.claim(.lineCount)  // any number field stands in: count compares a number
            guard let innerComparison = comparison(counter, inner, pair.value, resolver: resolver, opNode: pair.key) else { return nil }
            return .count(innerComparison)
        default:
            return nil
        }
    }

    static func isColumn(_ field: FieldRef) -> Bool {
        if case .column = field { return true }
        return false
    }

    static func describe(_ type: FieldType) -> String {
        switch type {
        case .text: return "text"
        case .number: return "a number"
        case .date: return "a date"
        case .flag: return "true/false"
        case .list: return "a list"
        }
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: return nil
        }
    }

    mutating func expression(_ node: YAMLNode, resolver: FieldResolver, expecting: FieldType) -> Expression? {
        guard let source = text(node, "a value") else { return nil }
        var parser = ExpressionParser(source: source)
        switch parser.parse() {
        case .failure(let failure):
            let column = node.location.column + (node.style == .plain ? 0 : 1) + failure.offset
            error(.badExpression, "\(failure.message) in '\(source)'",
                  at: SourceLocation(file: node.location.file, line: node.location.line, column: column))
            return nil
        case .success(let raw):
            return resolveExpression(raw, node: node, resolver: resolver, expecting: expecting)
        }
    }

    mutating func resolveExpression(_ raw: RawExpression, node: YAMLNode, resolver: FieldResolver, expecting: FieldType) -> Expression? {
        func type(of expression: Expression) -> FieldType {
            switch expression {
            case .number: return .number
            case .date: return .date
            case .field(let field): return Self.isColumn(field) ? .number : field.type
            case .binary(_, let lhs, _): return type(of: lhs)
            }
        }
        func resolve(_ raw: RawExpression) -> Expression? {
            switch raw {
            case .number(let value): return .number(value)
            case .date(let date): return .date(date)
            case .name(let name):
                guard let field = field(name, at: node, resolver: resolver) else { return nil }
                guard [.number, .date].contains(field.type) || Self.isColumn(field) else {
                    error(.typeMismatch, "\(field) is \(Self.describe(field.type)): arithmetic needs numbers or dates", node)
                    return nil
                }
                return .field(field)
            case .binary(let op, let lhs, let rhs):
                guard let left = resolve(lhs), let right = resolve(rhs) else { return nil }
                let leftType = type(of: left), rightType = type(of: right)
                if leftType == .date {
                    guard rightType == .number, op == .add || op == .subtract else {
                        error(.typeMismatch, "a date takes only + or - a number of days", node)
                        return nil
                    }
                } else if rightType == .date {
                    error(.typeMismatch, "write the date first: date + days", node)
                    return nil
                }
                return .binary(op, left, right)
            }
        }
        guard let result = resolve(raw) else { return nil }
        if type(of: result) != expecting {
            error(.typeMismatch, "expected \(Self.describe(expecting)), found \(Self.describe(type(of: result)))", node)
            return nil
        }
        return result
    }

    /// Conditions that contradict each other at the top of a rule (two different `equals` on one field, an
    /// `equals` and a `not-equals` of the same value, a field both required and absent) make it unreachable.
    mutating func checkReachable(_ when: [Condition]?, ruleID: String) {
        guard let when else { return }
        var equalsByField: [FieldRef: (String, SourceLocation)] = [:]
        var notEquals: [FieldRef: Set<String>] = [:]
        var absent: [FieldRef: SourceLocation] = [:]
        var flat: [(FieldRef, Comparison, SourceLocation)] = []
        func collect(_ condition: Condition) {
            switch condition {
            case .compare(let field, let comparison, let location): flat.append((field, comparison, location))
            case .all(let parts): parts.forEach(collect)
            default: break
            }
        }
        when.forEach(collect)
        for (field, comparison, location) in flat {
            switch comparison {
            case .equals(let value):
                if let (other, _) = equalsByField[field], other != value {
                    error(.unreachable, "rule \(ruleID) can never fire: \(field) cannot equal both '\(other)' and '\(value)'", at: location)
                }
                equalsByField[field] = (value, location)
            case .notEquals(let value): notEquals[field, default: []].insert(value)
            case .present(false): absent[field] = location
            default: break
            }
        }
        for (field, (value, location)) in equalsByField where notEquals[field]?.contains(value) == true {
            error(.unreachable, "rule \(ruleID) can never fire: \(field) must equal and not equal '\(value)'", at: location)
        }
        for (field, location) in absent where flat.contains(where: { $0.0 == field && $0.1 != .present(false) }) {
            error(.unreachable, "rule \(ruleID) can never fire: \(field) is required to be absent and also tested", at: location)
        }
        for (field, comparison, location) in flat {
            if case .inSet(.literal(let set)) = comparison, let (value, _) = equalsByField[field], !set.contains(value) {
                error(.unreachable, "rule \(ruleID) can never fire: \(field) equals '\(value)', which is not in the list", at: location)
            }
        }
    }

    // MARK: Templates

    mutating func template(_ node: YAMLNode, resolver: FieldResolver, _ what: String) -> Template? {
        guard let source = text(node, what) else { return nil }
        var parts: [Template.Part] = []
        var literal = ""
        var index = source.startIndex
        var ok = true
        while index < source.endIndex {
            let character = source[index]
            if character == "{" {
                let next = source.index(after: index)
                if next < source.endIndex, source[next] == "{" { literal.append("{"); index = source.index(after: next); continue }
                guard let close = source[next...].firstIndex(of: "}") else {
                    error(.badTemplate, "\(what) has a '{' with no '}'", node)
                    return nil
                }
                let path = source[next..<close].trimmingCharacters(in: .whitespaces)
                switch resolver.resolve(path) {
                case .success(let field):
                    if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                    parts.append(.field(field))
                case .failure:
                    let offset = source.distance(from: source.startIndex, to: next)
                    let column = node.location.column + (node.style == .plain ? 0 : 1) + offset
                    error(.badTemplate, "\(what) names '{\(path)}', which is not a field of this rule",
                          at: SourceLocation(file: node.location.file, line: node.location.line, column: column))
                    ok = false
                }
                index = source.index(after: close)
            } else if character == "}" {
                let next = source.index(after: index)
                if next < source.endIndex, source[next] == "}" { index = source.index(after: next) } else { index = next }
                literal.append("}")
            } else {
                literal.append(character)
                index = source.index(after: index)
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        return ok ? Template(parts: parts) : nil
    }

    // MARK: Tests

    static let testKeys = ["name", "claim", "claims", "x12", "history", "today", "as-of", "expect", "forbid"]

    mutating func ruleTest(_ node: YAMLNode) -> RuleTest? {
        guard let pairs = mapping(node, "a test") else { return nil }
        var values: [String: YAMLNode] = [:]
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if Self.testKeys.contains(key) { values[key] = pair.value } else {
                unknownKey(pair.key, key, allowed: Self.testKeys, in: "a test")
            }
        }
        guard let nameNode = values["name"], let name = text(nameNode, "name") else {
            error(.missingKey, "a test has no 'name'", node)
            return nil
        }
        var claims: [Claim] = []
        var x12Files: [String] = []
        if let claimNode = values["claim"], let claim = ClaimYAML.claim(claimNode, diagnostics: &diagnostics) {
            claims.append(claim)
        }
        if let listNode = values["claims"], let items = list(listNode, "claims") {
            for item in items { if let claim = ClaimYAML.claim(item, diagnostics: &diagnostics) { claims.append(claim) } }
        }
        if let x12Node = values["x12"], let paths = texts(x12Node, "x12") {
            x12Files = paths.map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 }
        }
        if values["claim"] == nil && values["claims"] == nil && values["x12"] == nil {
            error(.missingKey, "test '\(name)' has no 'claim', 'claims' or 'x12'", node)
            return nil
        }
        var history: [Claim] = []
        if let listNode = values["history"], let items = list(listNode, "history") {
            for item in items { if let claim = ClaimYAML.claim(item, diagnostics: &diagnostics) { history.append(claim) } }
        }
        let expect = values["expect"].map { expectations($0) } ?? []
        let forbid = values["forbid"].map { expectations($0) } ?? []
        if expect.isEmpty && forbid.isEmpty {
            error(.missingKey, "test '\(name)' has neither 'expect' nor 'forbid': it could not fail", node)
        }
        var test = RuleTest(name: name, claims: claims, history: history,
                            today: values["today"].flatMap { date($0, "today") },
                            asOf: values["as-of"].flatMap { date($0, "as-of") },
                            expect: expect, forbid: forbid, location: nameNode.location)
        test.x12Files = x12Files
        return test
    }

    mutating func expectations(_ node: YAMLNode) -> [RuleTest.Expectation] {
        let items = node.sequence ?? [node]
        var result: [RuleTest.Expectation] = []
        for item in items {
            if let id = item.scalar, !item.isNull {
                result.append(.init(rule: id, line: nil, claim: nil, location: item.location))
                continue
            }
            guard let pairs = mapping(item, "an expected edit") else { continue }
            var rule: String?, line: Int?, claim: String?
            for pair in pairs {
                switch pair.key.scalar ?? "" {
                case "rule": rule = text(pair.value, "rule")
                case "line":
                    if let value = text(pair.value, "line") {
                        line = Int(value)
                        if line == nil { error(.wrongType, "line must be a line number", pair.value) }
                    }
                case "claim": claim = text(pair.value, "claim")
                default: unknownKey(pair.key, pair.key.scalar ?? "", allowed: ["rule", "line", "claim"], in: "an expected edit")
                }
            }
            guard let rule else { error(.missingKey, "an expected edit has no 'rule'", item); continue }
            result.append(.init(rule: rule, line: line, claim: claim, location: item.location))
        }
        return result
    }
}

