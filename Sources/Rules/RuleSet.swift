import ClaimModel
import Foundation
import Tables
import YAML

/// Every pack of a rules directory, checked and layered: base packs first, then the overlays that extend
/// them. Immutable once loaded; its `version` is a content hash of every file it read.
public struct RuleSet: Sendable {
    /// Packs in layering order (each after the pack it extends).
    public var packs: [Pack]
    /// The rules in force after layering: base rules (with what overlays took away recorded in `excludedFor`),
    /// overlay rules and overrides.
    public var rules: [Rule]
    /// The tables each pack can see (its own and its base's), by pack name.
    public var tablesByPack: [String: [String: TableSource]]
    /// SHA-256 over every rule and table file (path and content), in path order.
    public var version: String
    /// Every file read, rule files first.
    public var files: [String]

    /// The table `name` as seen from `pack`.
    public func table(_ name: String, pack: String) -> TableSource? { tablesByPack[pack]?[name] }

    /// Every test of every pack, with the pack it belongs to.
    public var tests: [(pack: Pack, test: RuleTest)] {
        packs.flatMap { pack in pack.tests.map { (pack, $0) } }
    }
}

/// Loads a rules directory (every `*.yaml`/`*.yml` below it) into a `RuleSet`, with every diagnostic.
public enum RuleSetLoader {
    public struct Result: Sendable {
        public var ruleSet: RuleSet?
        public var diagnostics: [Diagnostic]
        /// The text of each rule file, for showing source lines under diagnostics.
        public var sources: [String: String]
        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    /// Parse results written by index from the workers of `concurrentPerform`.
    private final class ParsedPacks: @unchecked Sendable {
        // @unchecked: each slot is written once, by one worker, under the lock, and read after all have finished.
        private var slots: [(Pack?, PackParser)?]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: (Pack?, PackParser)) { lock.withLock { slots[index] = value } }
        func value(_ index: Int) -> (Pack?, PackParser)? { lock.withLock { slots[index] } }
    }

    /// The rule files below `path` (or `path` itself when it is a file), sorted.
    public static func ruleFiles(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        var files: [String] = []
        if let enumerator = FileManager.default.enumerator(atPath: base) {
            for case let relative as String in enumerator where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                files.append(base + "/" + relative)
            }
        }
        return files.sorted()
    }

    public static func load(paths: [String], limits: YAMLLimits = YAMLLimits()) -> Result {
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        var files: [String] = []
        for path in paths {
            let found = ruleFiles(at: path)
            if found.isEmpty {
                diagnostics.append(Diagnostic(.error, .noRules, "no rule files (*.yaml) at \(path)",
                                              at: SourceLocation(file: path, line: 1, column: 1)))
            }
            files += found
        }
        // Parse the YAML of every file.
        var roots: [(file: String, root: YAMLNode)] = []
        for file in files {
            if let text = sourceText(file, limit: limits.maxFileBytes) { sources[file] = text }
            let (documents, yamlProblems) = YAMLLoader.load(path: file, limits: limits)
            diagnostics += yamlProblems.map {
                Diagnostic(severity: .error, code: $0.code, message: $0.message, location: $0.location)
            }
            guard yamlProblems.allSatisfy({ $0.code == "YAML002" }) else { continue }
            if documents.count > 1 {
                diagnostics.append(Diagnostic(.error, .wrongType, "a pack file holds one YAML document; this one has \(documents.count)",
                                              at: documents[1].location))
            }
            if let root = documents.first { roots.append((file, root)) } else {
                diagnostics.append(Diagnostic(.error, .missingKey, "the file is empty: a pack needs at least 'pack:'",
                                              at: SourceLocation(file: file, line: 1, column: 1)))
            }
        }
        // Order packs so that each comes after the pack it extends.
        var byName: [String: (file: String, root: YAMLNode, extends: String?)] = [:]
        var order: [String] = []
        for (file, root) in roots {
            let header = PackParser.header(of: root)
            guard let name = header.name else { continue }  // the parser reports the missing name
            if let existing = byName[name] {
                diagnostics.append(Diagnostic(.error, .duplicateRule, "pack '\(name)' is also defined in \(existing.file)",
                                              at: root.location))
                continue
            }
            byName[name] = (file, root, header.extends)
            order.append(name)
        }
        var layered: [String] = []
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ name: String) {
            guard state[name] != 2, let entry = byName[name] else { return }
            if state[name] == 1 {
                diagnostics.append(Diagnostic(.error, .cycle, "pack '\(name)' extends itself through a cycle of 'extends'", at: entry.root.location))
                return
            }
            state[name] = 1
            if let base = entry.extends {
                if byName[base] == nil {
                    let suggestion = closest(base, in: order).map { "; did you mean '\($0)'?" } ?? ""
                    diagnostics.append(Diagnostic(.error, .unknownPack, "pack '\(name)' extends '\(base)', which is not loaded\(suggestion)",
                                                  at: locationOfKey("extends", in: entry.root) ?? entry.root.location))
                } else {
                    visit(base)
                }
            }
            state[name] = 2
            layered.append(name)
        }
        order.sorted().forEach(visit)
        // Files without a readable pack name still get their diagnostics.
        for (file, root) in roots where PackParser.header(of: root).name == nil {
            var parser = PackParser(file: file, visibleTables: [:])
            _ = parser.parse(root)
            diagnostics += parser.diagnostics
        }
        var packs: [Pack] = []
        var tablesByPack: [String: [String: TableSource]] = [:]
        var tableFiles: [String] = []
        // Packs that extend none are independent: they are parsed (and their tables loaded, the slow part: the
        // complete PTP table and the ICD-10-CM releases) on both cores. Overlays follow, in order, on this one.
        let independent = layered.compactMap { name in byName[name].flatMap { $0.extends == nil ? (name, $0.file, $0.root) : nil } }
        let parsedAlone = ParsedPacks(count: independent.count)
        DispatchQueue.concurrentPerform(iterations: independent.count) { index in
            let (_, file, root) = independent[index]
            var parser = PackParser(file: file, visibleTables: [:])
            let pack = parser.parse(root)
            parsedAlone.set(index, (pack, parser))
        }
        var parsedByName: [String: (Pack?, PackParser)] = [:]
        for (index, entry) in independent.enumerated() { parsedByName[entry.0] = parsedAlone.value(index) }
        for name in layered {
            guard let entry = byName[name] else { continue }
            let parser: PackParser
            let pack: Pack?
            if let done = parsedByName[name] {
                (pack, parser) = done
            } else {
                let inherited = entry.extends.flatMap { tablesByPack[$0] } ?? [:]
                var overlay = PackParser(file: entry.file, visibleTables: inherited)
                pack = overlay.parse(entry.root)
                parser = overlay
            }
            diagnostics += parser.diagnostics
            tableFiles += parser.tableFiles
            tablesByPack[name] = parser.visibleTables
            if let pack { packs.append(pack) }
        }
        let rules = layer(packs, diagnostics: &diagnostics)
        checkVersions(packs, diagnostics: &diagnostics)
        checkSuppressions(rules, diagnostics: &diagnostics)
        checkTests(packs, rules: rules, diagnostics: &diagnostics)
        let version = contentHash(files + Array(Set(tableFiles)).sorted())
        let ruleSet = RuleSet(packs: packs, rules: rules, tablesByPack: tablesByPack, version: version,
                              files: files + Array(Set(tableFiles)).sorted())
        return Result(ruleSet: ruleSet, diagnostics: diagnostics.sorted(), sources: sources)
    }

    /// A rule file's text, for the source lines under its diagnostics: at most `limit` bytes (YAMLLimits.maxFileBytes),
    /// read through a FileHandle, as FileManager.contents(atPath:) leaks a 4 KiB buffer on every empty file
    /// (swift-foundation on Linux; found by FuzzRules).
    static func sourceText(_ path: String, limit: Int) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            return String(decoding: try handle.read(upToCount: max(limit, 0)) ?? Data(), as: UTF8.self)
        } catch {
            return nil
        }
    }

    static func locationOfKey(_ key: String, in node: YAMLNode) -> SourceLocation? {
        node.mapping?.first(where: { $0.key.scalar == key })?.value.location
    }

    /// Applies overlays: overrides and disables take base rules away from the overlay's payers.
    static func layer(_ packs: [Pack], diagnostics: inout [Diagnostic]) -> [Rule] {
        var rules: [Rule] = []
        var indexByQualifiedID: [String: [Int]] = [:]
        for pack in packs {
            for rule in pack.rules {
                indexByQualifiedID[rule.qualifiedID, default: []].append(rules.count)
                rules.append(rule)
            }
            // An overlay of a pack that is not loaded has its RULE017 already; its overrides are not checked.
            guard let base = pack.extends, packs.contains(where: { $0.name == base }) else { continue }
            let scope = pack.payers ?? PayerScope()
            func takeAway(_ id: String, at location: SourceLocation, verb: String) -> Bool {
                guard let indexes = indexByQualifiedID["\(base)/\(id)"] else {
                    let candidates = rules.filter { $0.pack == base }.map(\.id)
                    let suggestion = closest(id, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
                    diagnostics.append(Diagnostic(.error, .unknownRule, "\(verb) names rule '\(id)', which pack '\(base)' does not have\(suggestion)", at: location))
                    return false
                }
                for index in indexes { rules[index].excludedFor.append(scope) }
                return true
            }
            for rule in pack.overrides {
                if takeAway(rule.id, at: rule.location, verb: "override") {
                    indexByQualifiedID[rule.qualifiedID, default: []].append(rules.count)
                    rules.append(rule)
                }
            }
            for (id, location) in pack.disables { _ = takeAway(id, at: location, verb: "disable") }
        }
        return rules
    }

    /// One id appears more than once in a pack only as versions whose windows do not overlap.
    static func checkVersions(_ packs: [Pack], diagnostics: inout [Diagnostic]) {
        for pack in packs {
            var seen: [String: [Rule]] = [:]
            for rule in pack.rules + pack.overrides {
                for earlier in seen[rule.id] ?? [] {
                    if earlier.window == rule.window {
                        diagnostics.append(Diagnostic(.error, .duplicateRule, "rule id '\(rule.id)' is already used at line \(earlier.location.line); give each version its own 'effective'/'expires' window", at: rule.location))
                    } else if earlier.window.overlaps(rule.window) {
                        diagnostics.append(Diagnostic(.error, .overlappingWindows, "rule '\(rule.id)' (\(rule.window)) overlaps its version at line \(earlier.location.line) (\(earlier.window))", at: rule.location))
                    }
                }
                seen[rule.id, default: []].append(rule)
            }
        }
    }

    /// `suppresses` names existing rules and forms no cycle.
    static func checkSuppressions(_ rules: [Rule], diagnostics: inout [Diagnostic]) {
        let known = Set(rules.map(\.qualifiedID))
        var edges: [String: [(String, SourceLocation)]] = [:]
        for rule in rules {
            for target in rule.suppresses {
                let qualified = target.contains("/") ? target : "\(rule.pack)/\(target)"
                guard known.contains(qualified) else {
                    let suggestion = closest(target, in: rules.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
                    diagnostics.append(Diagnostic(.error, .unknownRule, "rule '\(rule.id)' suppresses '\(target)', which is not a rule\(suggestion)", at: rule.location))
                    continue
                }
                edges[rule.qualifiedID, default: []].append((qualified, rule.location))
            }
        }
        var state: [String: Int] = [:]
        var reported = Set<String>()
        func visit(_ node: String, path: [String]) {
            if state[node] == 2 { return }
            if state[node] == 1 {
                let cycle = path.drop { $0 != node } + [node]
                let key = Set(cycle).sorted().joined(separator: ",")
                if !reported.contains(key), let location = rules.first(where: { $0.qualifiedID == node })?.location {
                    reported.insert(key)
                    diagnostics.append(Diagnostic(.error, .cycle, "suppression cycle: \(cycle.joined(separator: " → "))", at: location))
                }
                return
            }
            state[node] = 1
            for (next, _) in edges[node] ?? [] { visit(next, path: path + [node]) }
            state[node] = 2
        }
        for node in edges.keys.sorted() { visit(node, path: []) }
    }

    /// Rule tests name rules that exist.
    static func checkTests(_ packs: [Pack], rules: [Rule], diagnostics: inout [Diagnostic]) {
        let ids = Set(rules.map(\.id))
        for pack in packs {
            for test in pack.tests {
                for expectation in test.expect + test.forbid where !ids.contains(expectation.rule) {
                    let suggestion = closest(expectation.rule, in: Array(ids)).map { "; did you mean '\($0)'?" } ?? ""
                    diagnostics.append(Diagnostic(.error, .badTest, "test '\(test.name)' names rule '\(expectation.rule)', which is not loaded\(suggestion)", at: expectation.location))
                }
            }
        }
    }

    /// SHA-256 over the sorted SHA-256 of each file's content: the same files give the same version on any
    /// machine, wherever the directory is.
    static func contentHash(_ files: [String]) -> String {
        let digests = files.map { ContentHash.sha256(fileAt: $0) ?? "unreadable:\($0)" }.sorted()
        return ContentHash.sha256(Array(digests.joined(separator: "\n").utf8))
    }
}
