import CZlib
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The ICD-10-CM tabular list (`icd10cm-tabular-*.xml`, or `.xml.gz`) into five tables, every code
/// written without its decimal point (as X12 and the rules' `diagnosis.code` write it):
///
/// - `codes`: every category, subcategory and code, with `billable` 1 for a leaf (after 7th-character
///   expansion) and 0 for a header; chapter, category, description;
/// - `excludes1`: each Excludes1 note as prefix ranges (the codes it sits on → the codes it names);
/// - `manifestations`: billable codes under a title "… in (other) diseases classified elsewhere" with a
///   "code first" note (never first-listed);
/// - `restrictions`: billable codes whose chapter, block or category notes limit them to maternal or
///   newborn records;
/// - `seventh-characters`: each `sevenChrDef`: the code it is on, the character, its meaning.
struct ICD10CMImporter {
    let issues: IssueSink
    let codes: PendingTable
    let excludes: PendingTable
    let manifestations: PendingTable
    let restrictions: PendingTable
    let sevenths: PendingTable
    var tables: [PendingTable] { [codes, excludes, manifestations, restrictions, sevenths] }
    private(set) var notes: [String] = []
    /// Rows of the codes table written by `finish()`.
    private(set) var codesWritten = 0
    private var tree = Tree()
    private var files: [String] = []

    /// The largest tabular file read (it is parsed in memory: about 10 MB for a release).
    static let maxBytes = 512 << 20

    init(directory: String, stem: String, issues: IssueSink) throws(WriteError) {
        self.issues = issues
        codes = try PendingTable(
            role: "icd10cm-codes", directory: directory, file: stem + "-codes.csv.gz",
            columns: ["code", "billable", "chapter", "category", "description"], key: ["code"], rowEffective: nil, rowExpires: nil)
        excludes = try PendingTable(
            role: "icd10cm-excludes1", directory: directory, file: stem + "-excludes1.csv.gz",
            columns: ["code_from", "code_to", "excluded_from", "excluded_to", "note"], key: ["code_from", "excluded_from"],
            rowEffective: nil, rowExpires: nil)
        manifestations = try PendingTable(
            role: "icd10cm-manifestations", directory: directory, file: stem + "-manifestations.csv",
            columns: ["code", "title_code", "code_first"], key: ["code"], rowEffective: nil, rowExpires: nil)
        restrictions = try PendingTable(
            role: "icd10cm-restrictions", directory: directory, file: stem + "-restrictions.csv",
            columns: ["code", "restriction", "source", "note"], key: ["code"], rowEffective: nil, rowExpires: nil)
        sevenths = try PendingTable(
            role: "icd10cm-seventh-characters", directory: directory, file: stem + "-seventh-characters.csv",
            columns: ["code", "character", "meaning"], key: ["code", "character"], rowEffective: nil, rowExpires: nil)
    }

    // MARK: Reading

    mutating func importFile(_ path: String, stats: inout SourceStats) -> Bool {
        guard files.isEmpty else {
            issues.error(ImportIssue.cannotRead, file: path, line: 1,
                         "one tabular file per import (\(files[0]) is this release's): import each release on its own")
            return false
        }
        let bytes: [UInt8]
        do {
            bytes = try ICD10CMImporter.contents(path)
        } catch {
            issues.error(ImportIssue.cannotRead, file: path, line: 1, "cannot read: \(error.message)")
            return false
        }
        let reader = TabularReader(file: path, tree: tree)
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = reader
        let parsed = parser.parse()
        tree = reader.tree
        if !parsed || reader.chapters == 0 {
            let detail = parser.parserError.map { " (\($0.localizedDescription))" } ?? ""
            let line = parser.lineNumber
            issues.error(
                ImportIssue.cannotRead, file: path, line: max(1, line),
                parsed ? "no <chapter> in the file: not an ICD-10-CM tabular list" : "the XML does not parse\(detail)")
            return false
        }
        stats.rowsRead += reader.diags
        files.append(path)
        return true
    }

    /// A file's bytes, inflated when it starts with the gzip magic bytes.
    static func contents(_ path: String) throws(XLSXError) -> [UInt8] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw XLSXError(message: error.localizedDescription)
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw XLSXError(message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    out.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
                }
                if out.count > maxBytes { status = Z_MEM_ERROR }
            }
        }
        guard status == Z_STREAM_END else {
            throw XLSXError(message: status == Z_MEM_ERROR ? "larger than \(maxBytes >> 20) MiB" : "gzip data is corrupt or cut short (zlib \(status))")
        }
        return out
    }

    // MARK: Writing

    /// Writes the five tables from the tree read.
    mutating func finish() {
        let file = files.first ?? ""
        let expanded = expandCodes(file: file)
        writeExcludes(file: file, codes: expanded)
        writeManifestations(codes: expanded)
        writeRestrictions(file: file, codes: expanded)
        for node in tree.nodes where node.kind == .diag && !node.sevenths.isEmpty {
            for (character, meaning) in node.sevenths { sevenths.writer.row([node.code, character, meaning]) }
        }
        let billable = expanded.billable.count
        codesWritten = codes.writer.rows
        notes.append("codes: \(billable) billable codes (leaves, with 7th characters expanded from sevenChrDef: a code shorter than 6 characters is padded with X), \(codes.writer.rows - billable) headers (billable 0).")
        notes.append("excludes1: prefix ranges, not expanded pairs (expanded to billable codes they are \(excludePairs) pairs). A diagnosis c is in [from, to] when its first len(from) characters are >= from and its first len(to) characters are <= to; an Excludes1 row applies to every code in [code_from, code_to] (the code the note is on, and its children).")
        if excludesWithoutCodes > 0 {
            notes.append("excludes1: \(excludesWithoutCodes) notes name no code (headings such as 'polyneuropathy (in):' or '… - see body system-related chapters') and give no row.")
        }
    }

    /// Billable codes in order, with the node each came from, and each node's range of them.
    struct Expanded {
        var billable: [String] = []
        /// Per node: the range of `billable` under it (itself and its descendants).
        var ranges: [Range<Int>] = []
    }

    private mutating func expandCodes(file: String) -> Expanded {
        var out = Expanded()
        out.ranges = Array(repeating: 0..<0, count: tree.nodes.count)
        let writer = codes.writer
        // Depth-first in document order: the tabular is in code order.
        func visit(_ index: Int, chapter: String, seventh: [(String, String)], seventhOn: Int?) {
            let node = tree.nodes[index]
            let start = out.billable.count
            var seventh = seventh
            var seventhOn = seventhOn
            if !node.sevenths.isEmpty {
                seventh = node.sevenths
                seventhOn = index
            }
            if node.kind == .diag {
                let isLeaf = !node.children.contains { tree.nodes[$0].kind == .diag }
                let category = String(node.code.prefix(3))
                if isLeaf && !seventh.isEmpty {
                    writer.row([node.code, "0", chapter, category, node.desc])
                    let padded = node.code.count < 6 ? node.code + String(repeating: "X", count: 6 - node.code.count) : node.code
                    let excluded = seventhOn.map { tree.nodes[$0].excludedSevenths } ?? []
                    for (character, meaning) in seventh {
                        if excluded.contains(where: { $0.character == character && $0.sixth.contains(Character(String(node.code.last ?? " "))) && node.code.count == 6 }) {
                            continue
                        }
                        let code = padded + character
                        writer.row([code, "1", chapter, category, node.desc + ", " + meaning])
                        out.billable.append(code)
                    }
                } else if isLeaf {
                    writer.row([node.code, "1", chapter, category, node.desc])
                    out.billable.append(node.code)
                } else {
                    writer.row([node.code, "0", chapter, category, node.desc])
                }
            }
            for child in node.children {
                visit(child, chapter: node.kind == .chapter ? node.code : chapter, seventh: seventh, seventhOn: seventhOn)
            }
            out.ranges[index] = start..<out.billable.count
        }
        for root in tree.roots { visit(root, chapter: tree.nodes[root].code, seventh: [], seventhOn: nil) }
        return out
    }

    private var excludePairs = 0
    private var excludesWithoutCodes = 0

    /// Rows a note's two ranges become at most; past it the note is written as one range row.
    static let maxExpandedExcludes = 5_000

    private mutating func writeExcludes(file: String, codes: Expanded) {
        let sorted = codes.billable.sorted()
        let parser = CodeReference.Parser()
        // Every tabular code (categories, subcategories, codes), to expand a range into the codes it names.
        let tabular = tree.nodes.filter { $0.kind == .diag }.map(\.code).sorted()
        /// The tabular codes of a range whose two ends have one length (A04.0-A04.4 → A040 … A044), each a
        /// prefix a diagnosis can be looked up by; `[from]` for a single prefix; empty when the ends differ in
        /// length (the range is then written as it is).
        func members(_ from: String, _ to: String) -> [String] {
            if from == to { return [from] }
            guard from.count == to.count else { return [] }
            return tabular.filter { $0.count == from.count && $0 >= from && $0 <= to }
        }
        for (index, node) in tree.nodes.enumerated() {
            guard !node.excludes1.isEmpty else { continue }
            let (from, to) = node.range
            for note in node.excludes1 {
                switch parser.parse(note.text) {
                case .none:
                    excludesWithoutCodes += 1
                case .notUnderstood(let part):
                    issues.warning(
                        ImportIssue.noteNotUnderstood, file: note.file, line: note.line, field: "excludes1",
                        "Excludes1 note on \(node.label) names codes in a form not imported ('\(part)'): \"\(note.text)\"")
                case .ranges(let ranges):
                    var named = 0
                    for range in ranges {
                        let count = CodeReference.count(range, in: sorted)
                        // Categories generated from "E08-E13 with .52" that the release lacks match nothing.
                        if count == 0 && range.generated { continue }
                        named += count
                        let left = members(from, to), right = members(range.from, range.to)
                        if left.isEmpty || right.isEmpty || left.count * right.count > Self.maxExpandedExcludes {
                            excludes.writer.row([from, to, range.from, range.to, note.text])
                        } else {
                            // One row per member pair: a lookup by the diagnoses' prefixes then finds each.
                            for l in left { for r in right { excludes.writer.row([l, l, r, r, note.text]) } }
                        }
                        excludePairs += codes.ranges[index].count * count
                    }
                    if named == 0 {
                        issues.warning(
                            ImportIssue.noteNotUnderstood, file: note.file, line: note.line, field: "excludes1",
                            "Excludes1 note on \(node.label) names no code of this release (written as it is): \"\(note.text)\"")
                    }
                }
            }
        }
    }

    private func writeManifestations(codes: Expanded) {
        let titled = tree.nodes.map { node in
            node.kind == .diag && node.desc.lowercased().contains("diseases classified elsewhere")
                && (node.desc.lowercased().contains("in diseases classified elsewhere")
                    || node.desc.lowercased().contains("in other diseases classified elsewhere"))
        }
        /// The "code first" notes that make a titled code a manifestation code: its own, else the nearest
        /// code above it that has one; nil when its title does not say "in (other) diseases classified elsewhere".
        func codeFirst(_ index: Int) -> [TabularNote]? {
            guard titled[index] else { return nil }
            var at: Int? = index
            while let current = at, tree.nodes[current].kind == .diag {
                if !tree.nodes[current].codeFirst.isEmpty { return tree.nodes[current].codeFirst }
                at = tree.nodes[current].parent
            }
            return nil
        }
        for index in tree.nodes.indices {
            guard let notes = codeFirst(index) else { continue }
            // Written once, from the highest such title (its rows cover the codes under it).
            var up = tree.nodes[index].parent
            var covered = false
            while let current = up, !covered {
                covered = codeFirst(current) != nil
                up = tree.nodes[current].parent
            }
            if covered { continue }
            let text = notes.map(\.text).joined(separator: "; ")
            for code in codes.billable[codes.ranges[index]] {
                manifestations.writer.row([code, tree.nodes[index].code, text])
            }
        }
    }

    private func writeRestrictions(file: String, codes: Expanded) {
        // The nearest stated restriction wins (a category's note over its chapter's).
        var restriction = Array<(String, String, String)?>(repeating: nil, count: codes.billable.count)
        func visit(_ index: Int) {
            let node = tree.nodes[index]
            for note in node.notes {
                switch RecordRestriction.classify(note.text) {
                case .none: break
                case .conflicting:
                    issues.warning(ImportIssue.noteNotUnderstood, file: note.file, line: note.line, field: "notes",
                                   "note on \(node.label) limits its codes to both maternal and newborn records; not imported: \"\(note.text)\"")
                case .some(let kind):
                    for position in codes.ranges[index] { restriction[position] = (kind, node.label, note.text) }
                }
            }
            for child in node.children { visit(child) }
        }
        for root in tree.roots { visit(root) }
        for (position, value) in restriction.enumerated() {
            guard let (kind, source, text) = value else { continue }
            restrictions.writer.row([codes.billable[position], kind, source, text])
        }
    }
}

// MARK: The tabular as a tree

struct TabularNote {
    var text: String
    var file: String
    var line: Int
}

struct TabularNode {
    enum Kind { case chapter, section, diag }
    var kind: Kind
    /// Chapter number, section id (`A00-A09`) or code without its point.
    var code = ""
    var desc = ""
    var line = 0
    var parent: Int?
    var children: [Int] = []
    var excludes1: [TabularNote] = []
    var codeFirst: [TabularNote] = []
    var notes: [TabularNote] = []
    var sevenths: [(String, String)] = []
    /// From a note "7th characters D and S do not apply to codes in category S06 with 6th character 7 … or 8 …".
    var excludedSevenths: [(character: String, sixth: [Character])] = []
    /// The range of codes the node covers: a code's own prefix, a section's or chapter's first and last.
    var range = ("", "")

    var label: String {
        switch kind {
        case .chapter: return "chapter \(code)"
        case .section: return "block \(code)"
        case .diag: return code
        }
    }
}

struct Tree {
    var nodes: [TabularNode] = []
    var roots: [Int] = []
}

/// XMLParser delegate building the tree (one file).
final class TabularReader: NSObject, XMLParserDelegate {
    let file: String
    var tree: Tree
    var chapters = 0
    var diags = 0
    private var stack: [Int] = []
    private var elements: [String] = []
    private var text = ""
    private var noteLine = 0
    private var extensionChar = ""

    init(file: String, tree: Tree) {
        self.file = file
        self.tree = tree
    }

    private var current: Int? { stack.last }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(name)
        switch name {
        case "chapter", "section", "diag":
            let kind: TabularNode.Kind = name == "chapter" ? .chapter : name == "section" ? .section : .diag
            var node = TabularNode(kind: kind)
            node.line = parser.lineNumber
            node.parent = current
            if kind == .section, let id = attributes["id"] {
                node.code = id
                let parts = id.split(separator: "-").map(String.init)
                node.range = (parts.first ?? id, parts.last ?? id)
            }
            let index = tree.nodes.count
            tree.nodes.append(node)
            if let parent = current { tree.nodes[parent].children.append(index) } else { tree.roots.append(index) }
            stack.append(index)
            if kind == .chapter { chapters += 1 }
            if kind == .diag { diags += 1 }
        case "name", "desc", "note":
            text = ""
            noteLine = parser.lineNumber
        case "extension":
            text = ""
            extensionChar = attributes["char"] ?? ""
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        elements.removeLast()
        let container = elements.last ?? ""
        switch name {
        case "chapter", "section", "diag":
            stack.removeLast()
        case "name":
            guard let index = current, container == "diag" || container == "chapter" else { break }
            let code = text.trimmedText.withoutPoints
            tree.nodes[index].code = code
            if container == "diag" { tree.nodes[index].range = (code, code) }
        case "desc":
            guard let index = current, container == "diag" || container == "chapter" || container == "section" else { break }
            let desc = text.trimmedText
            tree.nodes[index].desc = desc
            if container == "chapter", let match = desc.firstMatch(of: #/\(([A-Z][0-9A-Z]{2})-([A-Z][0-9A-Z]{2})\)\s*$/#) {
                tree.nodes[index].range = (String(match.1), String(match.2))
            }
        case "note":
            guard let index = current else { break }
            let note = TabularNote(text: text.trimmedText, file: file, line: noteLine)
            switch container {
            case "excludes1": tree.nodes[index].excludes1.append(note)
            case "codeFirst": tree.nodes[index].codeFirst.append(note)
            case "inclusionTerm":
                // Z37 and Z38 state their record restrictions as inclusion terms.
                if note.text.lowercased().contains("record") { tree.nodes[index].notes.append(note) }
            case "notes":
                tree.nodes[index].notes.append(note)
                if note.text.contains("do not apply"), let rule = SeventhCharacterException.parse(note.text) {
                    tree.nodes[index].excludedSevenths += rule
                }
            default: break
            }
        case "extension":
            guard let index = current, container == "sevenChrDef" else { break }
            tree.nodes[index].sevenths.append((extensionChar, text.trimmedText))
        default:
            break
        }
    }
}

// MARK: Notes

/// Code references in a note's text: `(A15-A19)`, `(K25.-)`, `(E10.-, E11.-)`, `(R40.2-)`, `(Q65.0-Q65.2)`,
/// `(E08-E13 with .52)`, or one bare reference at the end (`… syndrome E72.4`).
enum CodeReference: Equatable {
    /// No code-like text: a heading or a cross-reference in words.
    case none
    /// Codes written in a form not imported (`I69. with final characters -23`, `with fifth character 2`).
    case notUnderstood(String)
    case ranges([CodeRange])

    struct CodeRange: Equatable {
        /// Dotless prefixes, inclusive.
        var from: String
        var to: String
        /// Made from a category range "with .NN" (E08-E13 with .52 → E0852 … E1352): dropped when the
        /// release has no such code (there is no E12).
        var generated = false
    }

    /// Parses with regular expressions compiled once (Swift compiles a regex literal at each use).
    static func parse(_ note: String) -> CodeReference { Parser().parse(note) }

    /// The compiled expressions; one per import.
    struct Parser {
        /// A code-like word (`G6PD` is not one).
        let codeToken = #/\b[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?(?![0-9A-Za-z])/#
        let group = #/\(([^()]*)\)/#
        let single = #/([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?:\.?-)?(?:-([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?:\.?-)?)?/#
        let with = #/([A-Z][0-9][0-9A-Z])-([A-Z][0-9][0-9A-Z]) with \.([0-9A-Z]{1,4})-?(?:\.([0-9A-Z]{1,4})-?)?/#

        func parse(_ note: String) -> CodeReference {
            var ranges: [CodeRange] = []
            var problem: String?
            var sawCode = false
            for match in note.matches(of: group) {
                let group = String(match.1)
                guard group.contains(codeToken) else { continue }
                sawCode = true
                var groupRanges: [CodeRange] = []
                var ok = true
                for part in group.split(separator: ",") {
                    if let found = range(String(part)) { groupRanges += found } else {
                        ok = false
                        problem = problem ?? part.trimmingCharacters(in: .whitespaces)
                    }
                }
                if ok { ranges += groupRanges }
            }
            if ranges.isEmpty && problem == nil, let last = note.split(separator: " ").last.map(String.init),
               last.contains(codeToken) {
                sawCode = true
                if let found = range(last) { ranges = found } else { problem = last }
            }
            if let problem { return .notUnderstood(problem) }
            if !sawCode { return .none }
            return .ranges(ranges)
        }

        /// One reference: `A15`, `A15-A19`, `K25.-`, `R40.2-`, `I69.81- I69.91-`, `E08-E13 with .52`.
        func range(_ text: String) -> [CodeRange]? {
            let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "- ", with: "-")
                .replacingOccurrences(of: " -", with: "-")
            if let m = trimmed.wholeMatch(of: single) {
                let from = String(m.1).withoutPoints
                let to = String(m.2 ?? m.1).withoutPoints
                return from <= to ? [CodeRange(from: from, to: to)] : nil
            }
            // "E08-E13 with .52": the subcategory .52 of each category from E08 to E13; "with .51-.52",
            // "with .62-": a range of subcategories, or with their children.
            if let m = trimmed.wholeMatch(of: with) {
                guard let categories = CodeReference.categoryRange(String(m.1), String(m.2)) else { return nil }
                let last = m.4 ?? m.3
                guard m.3 <= last else { return nil }
                return categories.map { CodeRange(from: $0 + m.3, to: $0 + last, generated: true) }
            }
            return nil
        }
    }

    /// The three-character categories from `from` to `to` (E08 … E13: E08, E09, E10 … E13), the third
    /// character counting through 0–9 then A–Z; the ones the release lacks match no code and are dropped.
    static func categoryRange(_ from: String, _ to: String) -> [String]? {
        guard from.count == 3, to.count == 3, from.first == to.first, from <= to, let letter = from.first else { return nil }
        let characters = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var out: [String] = []
        for second in characters where second.isNumber {
            for third in characters {
                let category = String([letter, second, third])
                if category >= from && category <= to { out.append(category) }
            }
        }
        return out
    }

    /// How many of the sorted codes fall in the range.
    static func count(_ range: CodeRange, in sorted: [String]) -> Int {
        func firstIndex(where predicate: (String) -> Bool) -> Int {
            var low = 0, high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if predicate(sorted[mid]) { high = mid } else { low = mid + 1 }
            }
            return low
        }
        // Both bounds are monotone in code order: codes >= from, then codes whose prefix passes `to`.
        let start = firstIndex { $0 >= range.from }
        let end = firstIndex { $0.prefix(range.to.count) > range.to }
        return max(0, end - start)
    }
}

/// "7th characters D and S do not apply to codes in category S06 with 6th character 7 - …, or 8 - …".
enum SeventhCharacterException {
    static func parse(_ note: String) -> [(character: String, sixth: [Character])]? {
        guard let m = note.firstMatch(of: #/7th characters? ([A-Z])(?: and ([A-Z]))? do not apply to codes in category [A-Z0-9]{3} with 6th character (\d)(?:[^,]*, or (\d))?/#) else {
            return nil
        }
        let sixth = [m.3, m.4].compactMap { $0 }.compactMap(\.first)
        return [m.1, m.2].compactMap { $0 }.map { (String($0), sixth) }
    }
}

/// What a note says about the records a code may be used on.
enum RecordRestriction: Equatable {
    case none
    case some(String)
    case conflicting

    /// `maternal` ("for use only on maternal records", "on the mother's record"), `newborn` ("on newborn
    /// records only", "the initial record of a newborn"), `not-maternal` ("not for use on maternal
    /// records"); clause by clause, a clause with "not"/"never" negating its record.
    static func classify(_ note: String) -> RecordRestriction {
        var maternal = false, newborn = false, notMaternal = false
        let clauses = note.lowercased().replacingOccurrences(of: "’", with: "'")
            .split(whereSeparator: { $0 == "." || $0 == "," || $0 == ";" })
        for clause in clauses {
            let words = " " + clause + " "
            let negated = words.contains(" not ") || words.contains(" never ")
            if words.contains("maternal record") || words.contains("mother's record") {
                if negated { notMaternal = true } else { maternal = true }
            }
            if (words.contains("newborn record") || words.contains("record of a newborn")) && !negated { newborn = true }
        }
        if maternal && newborn { return .conflicting }
        if maternal { return .some("maternal") }
        if newborn { return .some("newborn") }
        if notMaternal { return .some("not-maternal") }
        return .none
    }
}

extension String {
    /// Without leading and trailing white space (a cheaper `trimmingCharacters(in: .whitespacesAndNewlines)`).
    var trimmedText: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }

    /// Without decimal points (`A01.00` → `A0100`, as X12 writes codes).
    var withoutPoints: String { contains(".") ? String(filter { $0 != "." }) : self }
}
