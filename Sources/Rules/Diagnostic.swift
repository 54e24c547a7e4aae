import YAML

/// A problem in a rule file, located at `file:line:column`. Every problem in every file is collected,
/// sorted by location and reported; nothing is silently defaulted.
public struct Diagnostic: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }

    public var severity: Severity
    /// A stable code (`RULE001` …, or `YAML001` …, `TABLE001` … passed through); listed in docs/rules.md.
    public var code: String
    public var message: String
    public var location: SourceLocation

    public init(_ severity: Severity = .error, _ code: DiagnosticCode, _ message: String, at location: SourceLocation) {
        self.severity = severity; self.code = code.rawValue; self.message = message; self.location = location
    }

    public init(severity: Severity, code: String, message: String, location: SourceLocation) {
        self.severity = severity; self.code = code; self.message = message; self.location = location
    }

    /// `file:line:column: error[RULE004]: message`
    public var description: String { "\(location): \(severity.rawValue)[\(code)]: \(message)" }

    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        if lhs.location != rhs.location { return lhs.location < rhs.location }
        return (lhs.code, lhs.message) < (rhs.code, rhs.message)
    }
}

/// The rule-language diagnostic codes.
public enum DiagnosticCode: String, Sendable, CaseIterable {
    case unknownKey = "RULE001"
    case wrongType = "RULE002"
    case missingKey = "RULE003"
    case unknownField = "RULE004"
    case unknownTable = "RULE005"
    case badCodeRange = "RULE006"
    case duplicateRule = "RULE007"
    case overlappingWindows = "RULE008"
    case unreachable = "RULE009"
    case cycle = "RULE010"
    case badDate = "RULE011"
    case badValue = "RULE012"
    case unknownOperator = "RULE013"
    case typeMismatch = "RULE014"
    case badTemplate = "RULE015"
    case unknownRule = "RULE016"
    case unknownPack = "RULE017"
    case badTest = "RULE018"
    case tableProblem = "RULE019"
    case badExpression = "RULE020"
    case noRules = "RULE021"
    case badDayWindow = "RULE022"

    /// What the code means, for `docs/rules.md` and `--explain`.
    public var summary: String {
        switch self {
        case .unknownKey: return "a key the rule language does not have (or not in this place)"
        case .wrongType: return "a value of the wrong shape (a list where a mapping is needed …)"
        case .missingKey: return "a required key is missing"
        case .unknownField: return "a field that does not exist in the rule's scope"
        case .unknownTable: return "a table that the pack does not declare, or a column it does not have"
        case .badCodeRange: return "a code range that cannot be expanded"
        case .duplicateRule: return "a rule id used twice in a pack without separate effective windows"
        case .overlappingWindows: return "two versions of a rule whose effective windows overlap"
        case .unreachable: return "a condition that can never hold, so the rule can never fire"
        case .cycle: return "rules that suppress each other in a cycle"
        case .badDate: return "a date that is not YYYY-MM-DD, or a window that ends before it starts"
        case .badValue: return "a value outside its allowed set (severity, scope, CARC …)"
        case .unknownOperator: return "a comparison the rule language does not have"
        case .typeMismatch: return "a comparison that does not fit the field's type"
        case .badTemplate: return "a message or fix template naming an unknown field"
        case .unknownRule: return "an override, disable or suppression naming a rule that does not exist"
        case .unknownPack: return "an overlay extending a pack that is not loaded"
        case .badTest: return "a rule test that cannot run (bad claim, unknown rule)"
        case .tableProblem: return "a table file that cannot be read, or a malformed row in it"
        case .badExpression: return "an arithmetic expression that does not parse"
        case .noRules: return "a directory with no rule files"
        case .badDayWindow: return "a line-pair day window (within-days) that is not two whole numbers from <= to, at most 366 days apart, or on a rule that is not a line pair"
        }
    }
}

/// Prints diagnostics with the source line and a caret under the column.
public struct DiagnosticRenderer: Sendable {
    /// The text of each file, by path, to show source lines from.
    public var sources: [String: String]
    public var useColor: Bool

    public init(sources: [String: String], useColor: Bool = false) {
        self.sources = sources
        self.useColor = useColor
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        let red = useColor ? "\u{1B}[1;31m" : "", yellow = useColor ? "\u{1B}[1;33m" : ""
        let bold = useColor ? "\u{1B}[1m" : "", reset = useColor ? "\u{1B}[0m" : ""
        let color = diagnostic.severity == .error ? red : yellow
        var text = "\(bold)\(diagnostic.location):\(reset) \(color)\(diagnostic.severity.rawValue)[\(diagnostic.code)]:\(reset) \(bold)\(diagnostic.message)\(reset)\n"
        if let source = sources[diagnostic.location.file], let line = Self.line(diagnostic.location.line, of: source) {
            let number = String(diagnostic.location.line)
            let gutter = String(repeating: " ", count: number.count)
            text += "\(gutter) |\n\(number) | \(line)\n"
            // The caret sits under the column; tabs before it are kept so it lines up.
            let prefix = line.prefix(max(0, diagnostic.location.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
            text += "\(gutter) | \(prefix)\(color)^\(reset)\n"
        }
        return text
    }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.sorted().map(render).joined()
    }

    static func line(_ number: Int, of text: String) -> Substring? {
        guard number >= 1 else { return nil }
        var current = 1
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\n" {
                if current == number { return text[start..<index] }
                current += 1
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return current == number ? text[start..<text.endIndex] : nil
    }
}
