// Tables: CSV files with named columns and row dates, code sets and ranges, content hashes.

/// A problem in a table file, located at file:line:column (1-based; column of the field).
///
/// Codes: `TABLE001` cannot read the file; `TABLE002` wrong field count; `TABLE003` bad date;
/// `TABLE004` a column named in the spec is missing (or no header line names every key column);
/// `TABLE005` unterminated quote; `TABLE006` a column named in the spec appears more than once;
/// `TABLE007` empty key field; `TABLE008` text after a closing quote; `TABLE009` too many problems
/// (the rest are counted, not listed).
public struct TableDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var file: String
    public var line: Int
    public var column: Int

    public init(code: String, message: String, file: String, line: Int, column: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column): error[\(code)]: \(message)" }
}

extension TableDiagnostic {
    /// The file could not be opened, read or decompressed.
    public static let cannotRead = "TABLE001"
    /// A data row has more or fewer fields than the header.
    public static let wrongFieldCount = "TABLE002"
    /// A date field is not CCYYMMDD, YYYY-MM-DD, M/D/YYYY or YYYYDDD (nor `*` or empty).
    public static let badDate = "TABLE003"
    /// A column named in the spec is not in the header, or no line names every key column.
    public static let missingColumn = "TABLE004"
    /// A quoted field is not closed before the end of the file.
    public static let unterminatedQuote = "TABLE005"
    /// A column named in the spec matches more than one header field.
    public static let duplicateColumn = "TABLE006"
    /// A key field of a data row is empty.
    public static let emptyKey = "TABLE007"
    /// A closing quote is followed by something other than a delimiter or a line end.
    public static let textAfterQuote = "TABLE008"
    /// More problems than `Table.maxListedDiagnostics`; the rest are counted in this one's message.
    public static let tooManyProblems = "TABLE009"
}
