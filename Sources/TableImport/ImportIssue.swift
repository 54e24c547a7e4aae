// TableImport: CMS's release files (NCCI PTP, MUE, add-on codes; ICD-10-CM tabular XML; PFS RVUs, HCPCS Level II, place of service) into the tables
// the rule packs load.

/// A problem found while importing, located in its source file.
///
/// An `error` is a row (or note) that was not imported; a `warning` was imported and is noted. Codes:
/// `IMPORT001` cannot read the file; `IMPORT002` wrong field count; `IMPORT003` bad date; `IMPORT004` no
/// usable header (or a required column missing); `IMPORT005` bad code; `IMPORT006` bad value (indicator,
/// units, edit type); `IMPORT007` duplicate row; `IMPORT008` a record that cannot be split (quotes);
/// `IMPORT009` the file may be truncated; `IMPORT010` an ICD-10-CM note or reference not understood;
/// `IMPORT011` more problems than are listed.
public struct ImportIssue: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        /// The row was skipped.
        case error
        /// The row was kept; something about it is worth a look.
        case warning
    }

    public var severity: Severity
    public var code: String
    /// The source file as given on the command line.
    public var file: String
    /// 1-based line of the file.
    public var line: Int
    /// 1-based column (of the field), when known.
    public var column: Int?
    /// The column or element the problem is in, when there is one.
    public var field: String?
    public var message: String

    public init(
        _ severity: Severity, _ code: String, file: String, line: Int, column: Int? = nil, field: String? = nil,
        message: String
    ) {
        self.severity = severity
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `file:line:column: error[CODE]: message` (no column when unknown).
    public var description: String {
        let place = column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
        return "\(place): \(severity.rawValue)[\(code)]: \(message)"
    }
}

extension ImportIssue {
    public static let cannotRead = "IMPORT001"
    public static let wrongFieldCount = "IMPORT002"
    public static let badDate = "IMPORT003"
    public static let noHeader = "IMPORT004"
    public static let badCode = "IMPORT005"
    public static let badValue = "IMPORT006"
    public static let duplicate = "IMPORT007"
    public static let badRecord = "IMPORT008"
    public static let truncated = "IMPORT009"
    public static let noteNotUnderstood = "IMPORT010"
    public static let tooManyProblems = "IMPORT011"
}

/// Issues of one import, with a cap on how many are listed per file (the rest are counted).
struct IssueList {
    static let maxListedPerFile = 1000
    private(set) var items: [ImportIssue] = []
    private var listedPerFile: [String: Int] = [:]
    private var unlistedPerFile: [String: (count: Int, first: ImportIssue)] = [:]
    private var fileOrder: [String] = []
    /// Rows skipped (errors), listed or not.
    private(set) var errorCount = 0
    private(set) var warningCount = 0

    mutating func add(_ issue: ImportIssue) {
        if issue.severity == .error { errorCount += 1 } else { warningCount += 1 }
        let listed = listedPerFile[issue.file, default: 0]
        if listed == 0 && unlistedPerFile[issue.file] == nil { fileOrder.append(issue.file) }
        if listed < IssueList.maxListedPerFile {
            listedPerFile[issue.file] = listed + 1
            items.append(issue)
        } else if let unlisted = unlistedPerFile[issue.file] {
            unlistedPerFile[issue.file] = (unlisted.count + 1, unlisted.first)
        } else {
            unlistedPerFile[issue.file] = (1, issue)
        }
    }

    /// Every listed issue, then one `IMPORT011` per file whose issues were not all listed.
    func finished() -> [ImportIssue] {
        var out = items
        for file in fileOrder {
            guard let (count, first) = unlistedPerFile[file] else { continue }
            out.append(ImportIssue(
                .warning, ImportIssue.tooManyProblems, file: file, line: first.line, column: first.column,
                message: "\(count) more problems from here on are not listed"))
        }
        return out
    }
}
