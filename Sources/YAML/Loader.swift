// The event loop: libyaml's parser events, read one at a time, into YAMLNode trees.

import CYaml

/// Loads YAML text into located trees, with diagnostics instead of thrown errors.
///
/// - Every document of the stream is returned, in order. An empty input, or one with only comments
///   and blank lines, has zero documents; a lone `---` is one document holding a null scalar.
/// - On a syntax error (YAML001), a limit (YAML003, YAML004, YAML005) or an alias to an incomplete
///   anchor (YAML004), loading stops: the documents completed before it plus the diagnostics so far.
/// - A duplicate scalar key (YAML002, at the second key) and an unknown anchor (YAML007; a null
///   plain scalar stands in for the alias) are reported and loading goes on; both pairs of a
///   duplicate stay in the mapping.
/// - Input that is not UTF-8, or larger than `maxFileBytes`, is refused whole with YAML006.
/// - Anchors are per document; an alias is a copy of the anchored node (locations included).
public enum YAMLLoader {
    /// What every load returns: the documents read, in order, and the diagnostics, in the order found.
    public typealias Loaded = (documents: [YAMLNode], diagnostics: [YAMLDiagnostic])

    /// Loads YAML from a string (already UTF-8); `file` names it in every location.
    public static func load(text: String, file: String, limits: YAMLLimits = YAMLLimits()) -> Loaded {
        var text = text
        return text.withUTF8 { run($0, file: file, limits: limits, knownUTF8: true) }
    }

    /// Loads YAML from raw bytes, which must be UTF-8 (a UTF-8 byte-order mark is allowed).
    public static func load(bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) -> Loaded {
        bytes.withUnsafeBufferPointer { run($0, file: file, limits: limits, knownUTF8: false) }
    }

    /// Loads a YAML file; the path as given names it in every location. A file that cannot be read
    /// gives one YAML006 diagnostic at `path:1:1`.
    public static func load(path: String, limits: YAMLLimits = YAMLLimits()) -> Loaded {
        switch Bytes.readFile(path, limit: limits.maxFileBytes) {
        case .bytes(let bytes):
            return load(bytes: bytes, file: path, limits: limits)
        case .problem(let message):
            return ([], [YAMLDiagnostic(code: "YAML006", message: message, location: SourceLocation(file: path, line: 1, column: 1))])
        }
    }

    /// The one function that owns a libyaml parser: it lives and dies here, on this thread.
    private static func run(
        _ input: UnsafeBufferPointer<UInt8>, file: String, limits: YAMLLimits, knownUTF8: Bool
    ) -> Loaded {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if input.count > limits.maxFileBytes {
            let message = Bytes.tooLargeMessage(input.count, limit: limits.maxFileBytes)
            return ([], [YAMLDiagnostic(code: "YAML006", message: message, location: start)])
        }
        if !knownUTF8, let bad = Bytes.firstInvalidUTF8(input) {
            let (line, column) = Bytes.lineAndColumn(of: bad, in: input)
            return ([], [YAMLDiagnostic(code: "YAML006", message: invalidUTF8Message(input, at: bad),
                                        location: SourceLocation(file: file, line: line, column: column))])
        }
        guard let base = input.baseAddress, !input.isEmpty else { return ([], []) }

        var builder = TreeBuilder(file: file, limits: limits)

        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            return ([], [YAMLDiagnostic(code: "YAML001", message: "out of memory", location: start)])
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, base, input.count)

        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        event.initialize(to: yaml_event_t())
        defer { event.deallocate() }

        events: while true {
            guard yaml_parser_parse(parser, event) != 0 else {
                builder.diagnostics.append(syntaxError(parser.pointee, input: input, file: file))
                break events
            }
            defer { yaml_event_delete(event) }
            switch event.pointee.type {
            case YAML_SCALAR_EVENT:
                let location = location(event.pointee.start_mark, file)
                let scalar = event.pointee.data.scalar
                let length = Int(truncatingIfNeeded: scalar.length)
                if length > limits.maxScalarBytes {
                    builder.diagnostics.append(YAMLDiagnostic(
                        code: "YAML005",
                        message: "a scalar of \(length) bytes is over the limit of \(limits.maxScalarBytes) bytes (maxScalarBytes)",
                        location: location))
                    break events
                }
                let text = length == 0 || scalar.value == nil
                    ? "" : String(decoding: UnsafeBufferPointer(start: scalar.value, count: length), as: UTF8.self)
                guard builder.scalar(
                    text, style: style(scalar.style), tag: tag(scalar.tag), anchor: name(scalar.anchor), at: location)
                else { break events }
            case YAML_SEQUENCE_START_EVENT:
                let properties = event.pointee.data.sequence_start
                let location = location(event.pointee.start_mark, file)
                guard builder.open(mapping: false, tag: tag(properties.tag), anchor: name(properties.anchor), at: location)
                else { break events }
            case YAML_MAPPING_START_EVENT:
                let properties = event.pointee.data.mapping_start
                let location = location(event.pointee.start_mark, file)
                guard builder.open(mapping: true, tag: tag(properties.tag), anchor: name(properties.anchor), at: location)
                else { break events }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                builder.closeCollection()
            case YAML_ALIAS_EVENT:
                let location = location(event.pointee.start_mark, file)
                guard builder.alias(name(event.pointee.data.alias.anchor) ?? "", at: location) else { break events }
            case YAML_DOCUMENT_START_EVENT:
                builder.startDocument()
            case YAML_DOCUMENT_END_EVENT:
                builder.endDocument()
            case YAML_STREAM_END_EVENT:
                break events
            default:
                continue events
            }
        }
        return (builder.documents, builder.diagnostics)
    }

    // MARK: - Event fields into Swift values

    private static let standardTagPrefix = "tag:yaml.org,2002:"

    /// A libyaml mark (0-based) as a 1-based location.
    private static func location(_ mark: yaml_mark_t, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: Int(truncatingIfNeeded: mark.line) &+ 1, column: Int(truncatingIfNeeded: mark.column) &+ 1)
    }

    private static func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// An anchor or alias name (NUL-terminated UTF-8), or nil.
    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    /// An explicit tag, with `tag:yaml.org,2002:` written back as `!!`.
    private static func tag(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let full = name(pointer) else { return nil }
        if full.hasPrefix(standardTagPrefix) { return "!!" + full.dropFirst(standardTagPrefix.count) }
        return full
    }

    private static func strlen(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> Int {
        var count = 0
        while pointer[count] != 0 { count += 1 }
        return count
    }

    private static func syntaxError(_ parser: yaml_parser_t, input: UnsafeBufferPointer<UInt8>, file: String) -> YAMLDiagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        let line: Int
        let column: Int
        switch parser.error {
        case YAML_READER_ERROR:
            // The reader reports a byte offset, not a mark.
            (line, column) = Bytes.lineAndColumn(of: Int(truncatingIfNeeded: parser.problem_offset), in: input)
            if parser.problem_value >= 0 {
                message += " (U+\(hex(UInt32(truncatingIfNeeded: parser.problem_value), digits: 4)))"
            }
        case YAML_MEMORY_ERROR:
            line = 1
            column = 1
            message = "out of memory"
        default:
            line = Int(truncatingIfNeeded: parser.problem_mark.line) &+ 1
            column = Int(truncatingIfNeeded: parser.problem_mark.column) &+ 1
            if let context = parser.context {
                let mark = parser.context_mark
                message += " (\(String(cString: context)) started at \(Int(truncatingIfNeeded: mark.line) &+ 1):\(Int(truncatingIfNeeded: mark.column) &+ 1))"
            }
        }
        return YAMLDiagnostic(code: "YAML001", message: message, location: SourceLocation(file: file, line: line, column: column))
    }

    private static func invalidUTF8Message(_ input: UnsafeBufferPointer<UInt8>, at offset: Int) -> String {
        if offset == 0, input.count >= 2, (input[0] == 0xFF && input[1] == 0xFE) || (input[0] == 0xFE && input[1] == 0xFF) {
            return "the input is UTF-16 (it starts with a UTF-16 byte-order mark); YAML here must be UTF-8"
        }
        return "invalid UTF-8: byte 0x\(hex(UInt32(input[offset]), digits: 2)) at byte offset \(offset); YAML here must be UTF-8"
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// The tree under construction: the open collections, the nodes they hold so far, the anchors of
/// the current document, and the node count. Holds only Swift values; libyaml's events never reach it.
///
/// All open collections share one stack of finished nodes (`values`); a collection takes its own
/// slice when it closes, so each list or mapping is allocated once, at its exact size.
private struct TreeBuilder: ~Copyable {
    let file: String
    let limits: YAMLLimits
    var documents: [YAMLNode] = []
    var diagnostics: [YAMLDiagnostic] = []

    private var frames: [Frame] = []
    private var values = NodeStack()
    /// The scalar keys of the open mappings that are still small, with their index in `values`.
    private var keyTexts: [String] = []
    private var keyIndices: [Int] = []
    private var root: YAMLNode?
    private var anchors: [String: Anchored] = [:]
    private var totalNodes = 0

    /// Mappings with more scalar keys than this find duplicates through a dictionary, not a scan.
    private static let linearScanLimit = 12

    private struct Anchored {
        var node: YAMLNode
        var count: Int   // nodes in the subtree
        var height: Int  // collection levels in the subtree (0 for a scalar)
    }

    private struct Frame {
        var isMapping: Bool
        var location: SourceLocation
        var tag: String?
        var anchor: String?
        var start: Int        // index in `values` of the first child
        var count = 1         // nodes in the subtree so far
        var height = 1        // collection levels in the subtree so far
        var keyStart: Int     // index in `keyTexts` of the mapping's first scanned key
        var firstKeys: [String: Int]?  // key text → index in `values`, once the mapping is large
    }

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
        frames.reserveCapacity(min(max(limits.maxDepth, 0), 256) + 1)
    }

    mutating func startDocument() {
        anchors.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        values.removeAll()
        keyTexts.removeAll(keepingCapacity: true)
        keyIndices.removeAll(keepingCapacity: true)
        root = nil
    }

    mutating func endDocument() {
        if let root { documents.append(root) }
        root = nil
        anchors.removeAll(keepingCapacity: true)
    }

    mutating func scalar(
        _ text: consuming String, style: ScalarStyle, tag: String?, anchor: String?, at location: consuming SourceLocation
    ) -> Bool {
        guard count(1, at: location, alias: nil) else { return false }
        guard let anchor else {
            add(YAMLNode(.scalar(text), location: location, tag: tag, style: style), count: 1, height: 0)
            return true
        }
        let node = YAMLNode(.scalar(text), location: location, tag: tag, style: style)
        anchors[anchor] = Anchored(node: node, count: 1, height: 0)
        add(node, count: 1, height: 0)
        return true
    }

    mutating func open(mapping: Bool, tag: String?, anchor: String?, at location: SourceLocation) -> Bool {
        if frames.count >= limits.maxDepth {
            diagnostics.append(YAMLDiagnostic(
                code: "YAML003",
                message: "\(mapping ? "a mapping" : "a list") nested deeper than \(limits.maxDepth) levels (maxDepth)",
                location: location))
            return false
        }
        guard count(1, at: location, alias: nil) else { return false }
        // A new definition hides an earlier one at once: an alias inside it refers to it (a loop).
        if let anchor { anchors[anchor] = nil }
        frames.append(Frame(
            isMapping: mapping, location: location, tag: tag, anchor: anchor, start: values.count, keyStart: keyTexts.count))
        return true
    }

    mutating func closeCollection() {
        guard let frame = frames.popLast() else { return }
        let node = frame.isMapping
            ? YAMLNode(.mapping(values.popPairs(from: frame.start)), location: frame.location, tag: frame.tag)
            : YAMLNode(.sequence(values.popItems(from: frame.start)), location: frame.location, tag: frame.tag)
        if frame.isMapping && frame.keyStart < keyTexts.count {
            keyTexts.removeSubrange(frame.keyStart...)
            keyIndices.removeSubrange(frame.keyStart...)
        }
        if let anchor = frame.anchor { anchors[anchor] = Anchored(node: node, count: frame.count, height: frame.height) }
        add(node, count: frame.count, height: frame.height)
    }

    mutating func alias(_ name: String, at location: SourceLocation) -> Bool {
        guard let target = anchors[name] else {
            if let open = frames.last(where: { $0.anchor == name }) {
                diagnostics.append(YAMLDiagnostic(
                    code: "YAML004",
                    message: "alias '*\(Self.short(name))' is inside the node it refers to ('&\(Self.short(name))' at \(open.location.line):\(open.location.column)): an alias loop",
                    location: location))
                return false
            }
            diagnostics.append(YAMLDiagnostic(
                code: "YAML007",
                message: "unknown anchor '\(Self.short(name))': no '&\(Self.short(name))' before this alias in the document",
                location: location))
            return scalar("", style: .plain, tag: nil, anchor: nil, at: location)
        }
        if frames.count + target.height > limits.maxDepth {
            diagnostics.append(YAMLDiagnostic(
                code: "YAML003",
                message: "alias '*\(Self.short(name))' nests its copy deeper than \(limits.maxDepth) levels (maxDepth)",
                location: location))
            return false
        }
        guard count(target.count, at: location, alias: name) else { return false }
        add(target.node, count: target.count, height: target.height)
        return true
    }

    // MARK: - Helpers

    /// Counts `nodes` more against maxNodes; false (with YAML004) once over it.
    private mutating func count(_ nodes: Int, at location: SourceLocation, alias: String?) -> Bool {
        let (sum, overflow) = totalNodes.addingReportingOverflow(nodes)
        totalNodes = sum
        guard overflow || sum > limits.maxNodes else { return true }
        let what = alias.map { "alias '*\(Self.short($0))' expands the stream" } ?? "the stream has"
        diagnostics.append(YAMLDiagnostic(
            code: "YAML004", message: "\(what) past \(limits.maxNodes) nodes (maxNodes)", location: location))
        return false
    }

    /// Puts a finished node into the open collection (as an item, a key or a value), or makes it the root.
    private mutating func add(_ node: consuming YAMLNode, count: Int, height: Int) {
        let top = frames.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        frames[top].count &+= count
        if height >= frames[top].height { frames[top].height = height + 1 }
        if frames[top].isMapping && (values.count - frames[top].start) & 1 == 0 {
            checkDuplicate(node, in: top)
        }
        values.append(node)
    }

    /// Reports a scalar key already present in the mapping at `top` (YAML002, at the later key).
    /// `key` is about to be appended to `values`.
    private mutating func checkDuplicate(_ key: YAMLNode, in top: Int) {
        guard case .scalar(let text) = key.kind else { return }
        let keyStart = frames[top].keyStart
        var firstIndex: Int?
        if frames[top].firstKeys != nil {
            firstIndex = frames[top].firstKeys?[text]
            if firstIndex == nil { frames[top].firstKeys?[text] = values.count }
        } else {
            var i = keyStart
            while i < keyTexts.count {
                if keyTexts[i] == text {
                    firstIndex = keyIndices[i]
                    break
                }
                i += 1
            }
            keyTexts.append(text)
            keyIndices.append(values.count)
            if keyTexts.count - keyStart > Self.linearScanLimit {
                // From here on this mapping uses a dictionary; its entries leave the scan stack.
                var index: [String: Int] = [:]
                index.reserveCapacity(2 * (keyTexts.count - keyStart))
                for j in keyStart..<keyTexts.count where index[keyTexts[j]] == nil {
                    index[keyTexts[j]] = keyIndices[j]
                }
                keyTexts.removeSubrange(keyStart...)
                keyIndices.removeSubrange(keyStart...)
                frames[top].firstKeys = index
            }
        }
        if let firstIndex, let first = values.location(at: firstIndex) {
            diagnostics.append(YAMLDiagnostic(
                code: "YAML002",
                message: "duplicate key '\(Self.short(text))' (first defined at \(first.line):\(first.column))",
                location: key.location))
        }
    }

    /// Text for a message: at most 60 characters.
    private static func short(_ text: String) -> String {
        text.count <= 60 ? text : text.prefix(57) + "..."
    }
}
