// The YAML loader: libyaml events into a located, Sendable tree (see YAMLNode).
//
// Public surface: SourceLocation, YAMLNode (with Kind, ScalarStyle, YAMLPair), YAMLDiagnostic,
// YAMLLimits and YAMLLoader. The event loop lives in Loader.swift, the stack of pending nodes in
// NodeStack.swift, byte-level helpers (UTF-8 check, offsets, file reading) in Bytes.swift.

/// A position in a source file, 1-based; `column` counts Unicode scalars (libyaml's count), not bytes.
/// (A file that also imports Testing, which has its own `SourceLocation`, writes `YAML.SourceLocation`.)
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers and editors understand.
    public var description: String { "\(file):\(line):\(column)" }

    /// By file, then line, then column.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        if lhs.line != rhs.line { return lhs.line < rhs.line }
        return lhs.column < rhs.column
    }
}

/// How a scalar was written in the source; collections are always `.plain`.
public enum ScalarStyle: Hashable, Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One node of a loaded YAML document, with the place where it starts.
///
/// A node copied from an alias (`*name`) is an exact copy of the anchored node, locations included:
/// it compares equal to the anchored node.
public struct YAMLNode: Hashable, Sendable {
    /// What the node holds. Scalars stay text: no type is resolved (`1`, `true`, `null` are strings).
    public enum Kind: Hashable, Sendable {
        case scalar(String)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    // Declared in this order so that `style` fills the padding after `kind`, and the rare tag kept
    // behind one pointer: 64 bytes a node, not 80.
    public var kind: Kind
    /// The scalar's style; `.plain` for sequences and mappings.
    public var style: ScalarStyle
    /// Where the node starts (its anchor or tag when it has one, else its first character).
    public var location: SourceLocation
    private var storedTag: TagText?

    /// The explicit tag, if any; the standard prefix is written short (`!!str`, `!!int`), others as resolved.
    public var tag: String? {
        get { storedTag?.text }
        set { storedTag = newValue.map(TagText.init) }
    }

    public init(_ kind: Kind, location: SourceLocation, tag: String? = nil, style: ScalarStyle = .plain) {
        self.kind = kind
        self.location = location
        self.storedTag = tag.map(TagText.init)
        self.style = style
    }

    /// The text when the node is a scalar, else nil.
    public var scalar: String? {
        if case .scalar(let text) = kind { return text }
        return nil
    }

    /// The items when the node is a sequence, else nil.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The pairs, in source order and duplicates included, when the node is a mapping, else nil.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// True for a plain scalar `""` (an empty value), `~`, `null`, `Null` or `NULL` with no tag other
    /// than `!!null`; quoted scalars (`"null"`) and `!!str null` are not null.
    public var isNull: Bool {
        guard style == .plain, case .scalar(let text) = kind else { return false }
        if let tag, tag != "!!null" { return false }
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// "a scalar", "a list" or "a mapping", for messages such as "expected a mapping, found a list".
    public var typeName: String {
        switch kind {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One key and its value in a mapping.
public struct YAMLPair: Hashable, Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A problem found while loading YAML, with a stable code.
///
/// Codes: YAML001 syntax (libyaml's problem text), YAML002 duplicate key, YAML003 depth limit,
/// YAML004 node limit (alias expansion) or alias to an incomplete anchor, YAML005 scalar too large,
/// YAML006 not UTF-8, file too large or unreadable, YAML007 unknown anchor.
public struct YAMLDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var location: SourceLocation

    public init(code: String, message: String, location: SourceLocation) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// `file:line:column: error[CODE]: message`.
    public var description: String { "\(location): error[\(code)]: \(message)" }
}

/// Bounds that keep a hostile or broken file from costing unbounded time, memory or stack.
public struct YAMLLimits: Sendable {
    /// Deepest nesting of sequences and mappings (aliases count with the depth of what they copy).
    public var maxDepth = 64
    /// Total nodes in the stream after alias expansion (the billion-laughs guard).
    public var maxNodes = 5_000_000
    /// Bytes of one scalar's value.
    public var maxScalarBytes = 16 << 20
    /// Bytes of the whole input.
    public var maxFileBytes = 512 << 20

    public init() {}

    public init(
        maxDepth: Int = 64, maxNodes: Int = 5_000_000, maxScalarBytes: Int = 16 << 20,
        maxFileBytes: Int = 512 << 20
    ) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxScalarBytes = maxScalarBytes
        self.maxFileBytes = maxFileBytes
    }
}

/// A node's tag, boxed: most nodes have none, and a pointer is half the size of a `String?`.
private final class TagText: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: TagText, rhs: TagText) -> Bool { lhs.text == rhs.text }
    func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
