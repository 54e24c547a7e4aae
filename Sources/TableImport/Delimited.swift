import ClaimModel
import Tables

/// Issues of one import, shared by the importers and their drivers (one thread).
final class IssueSink {
    private(set) var list = IssueList()
    /// Errors (skipped rows) per file.
    private(set) var skipped: [String: Int] = [:]

    func error(_ code: String, file: String, line: Int, column: Int? = nil, field: String? = nil, _ message: String) {
        skipped[file, default: 0] += 1
        list.add(ImportIssue(.error, code, file: file, line: line, column: column, field: field, message: message))
    }

    func warning(_ code: String, file: String, line: Int, column: Int? = nil, field: String? = nil, _ message: String) {
        list.add(ImportIssue(.warning, code, file: file, line: line, column: column, field: field, message: message))
    }
}

/// What happened to one source file.
public struct SourceStats: Hashable, Sendable {
    /// The path as given.
    public var path: String
    /// Data records read (header, banner and blank lines excluded).
    public var rowsRead = 0
    /// Rows written to the table(s).
    public var rowsWritten = 0
    /// Rows skipped as malformed.
    public var rowsSkipped = 0
    /// False when the file could not be opened, read to the end, or has no usable header.
    public var readable = true
    /// SHA-256 of the file as stored.
    public var sha256: String?
    /// Size in bytes as stored.
    public var bytes: Int?

    public init(path: String) { self.path = path }
}

/// A header found in a delimited file: the column index for each role the importer needs.
protocol HeaderMap {
    /// Columns that are never empty on a data row (a wrapped header's continuation lines have them empty).
    var keyColumns: [Int] { get }
}

/// Reads a CMS delimited file: banner lines before the header are skipped, the header is the first
/// record `header` accepts (within the first `maxHeaderSearch` records), up to 5 records right after a
/// header that is not on line 1 whose key columns are all empty are its wrapped continuation, blank lines
/// are skipped, a record with a field count other than the header's is reported and skipped, and every
/// other record goes to `row`. Returns false when the file cannot be read or has no header (`IMPORT001`,
/// `IMPORT004`); the rows already passed to `row` stay passed.
func readDelimited<H: HeaderMap>(
    path: String, tab: Bool, issues: IssueSink, stats: inout SourceStats, what: String,
    header: ([String]) -> H?, row: (borrowing RecordReader, H, inout SourceStats) -> Void
) -> Bool {
    var reader: RecordReader
    do {
        reader = try RecordReader(path: path, tab: tab)
    } catch {
        issues.error(ImportIssue.cannotRead, file: path, line: 1, "cannot read: \(error.message)")
        return false
    }
    let maxHeaderSearch = 50
    var found: H?
    var headerLine = 0
    var headerCount = 0
    var records = 0
    while found == nil {
        switch reader.next() {
        case .end:
            issues.error(
                ImportIssue.noHeader, file: path, line: 1,
                "no header row of \(what) found (looked at the first \(records) records); is this the right file?")
            return false
        case .failed(let message, let line):
            issues.error(ImportIssue.cannotRead, file: path, line: line, "cannot read: \(message)")
            return false
        case .malformed:
            records += 1
        case .record:
            records += 1
            let names = (0..<reader.fieldCount).map { reader.text($0) }
            if let map = header(names) {
                found = map
                headerLine = reader.line
                headerCount = reader.fieldCount
            }
        }
        if found == nil && records >= maxHeaderSearch {
            issues.error(
                ImportIssue.noHeader, file: path, line: reader.line,
                "no header row of \(what) in the first \(maxHeaderSearch) records; is this the right file?")
            return false
        }
    }
    guard let map = found else { return false }
    var continuation = headerLine > 1 ? 5 : 0
    while true {
        switch reader.next() {
        case .end:
            return true
        case .failed(let message, let line):
            issues.error(ImportIssue.cannotRead, file: path, line: line, "cannot read past here: \(message)")
            return false
        case .malformed(_, let message, let line, let column):
            continuation = 0
            stats.rowsRead += 1
            stats.rowsSkipped += 1
            issues.error(ImportIssue.badRecord, file: path, line: line, column: column, message + "; the row is skipped")
            continue
        case .record:
            break
        }
        if reader.isBlankLine { continue }
        let count = reader.fieldCount
        if continuation > 0 {
            continuation -= 1
            if map.keyColumns.allSatisfy({ $0 >= count || reader.isEmpty($0) }) { continue }
            continuation = 0
        }
        stats.rowsRead += 1
        guard count == headerCount else {
            let (line, column) = count > headerCount ? reader.location(ofField: headerCount) : reader.locationAfterLastField()
            stats.rowsSkipped += 1
            issues.error(
                ImportIssue.wrongFieldCount, file: path, line: line, column: column,
                "expected \(headerCount) fields, as in the header on line \(headerLine), found \(count); the row is skipped")
            continue
        }
        if reader.endedAtEndOfInput && reader.line > headerLine + 1 {
            issues.warning(
                ImportIssue.truncated, file: path, line: reader.line,
                "the file ends inside this row (no line end after it): if the file was cut short, its last field may be incomplete")
        }
        row(reader, map, &stats)
    }
}

// MARK: Field checks shared by the NCCI importers

/// A HCPCS/CPT code as CMS's NCCI files write it: five characters, digits and capital letters.
func isProcedureCode(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard bytes.count == 5 else { return false }
    for byte in bytes where !((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)) { return false }
    return true
}

/// A header name reduced to lowercase letters and digits (`"HCPCS/␊CPT Code"` → `hcpcscptcode`).
func normalizedName(_ name: String) -> String {
    String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter {
        ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9")
    }))
}

/// Text of bytes for messages (UTF-8, else Latin-1), shortened past 60 characters.
func shown(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    var text = String(decoding: bytes, as: UTF8.self)
    if String(validating: bytes, as: UTF8.self) == nil {
        text = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
    if text.count > 60 { text = String(text.prefix(57)) + "…" }
    return "'\(text)'"
}

/// Writes dates as `YYYYMMDD` (the form of the shipped PTP tables), caching the last one: CMS's files
/// repeat the same dates row after row.
struct DateField {
    /// Only CCYYMMDD (and `*` or empty): CMS's PTP files, where a 7-digit value is a typing error, not a
    /// Julian date.
    let compactOnly: Bool
    private var lastInput: [UInt8] = []
    private var lastOutput: DateOutcome = .invalid

    init(compactOnly: Bool = false) { self.compactOnly = compactOnly }

    enum DateOutcome: Equatable {
        case open
        case date([UInt8], Int)
        case invalid
    }

    /// Parses CCYYMMDD, YYYY-MM-DD, M/D/YYYY or YYYYDDD (Julian) as `Table.load` does; `*` or empty is open.
    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> DateOutcome {
        if !lastInput.isEmpty && lastInput.elementsEqual(bytes) { return lastOutput }
        let outcome: DateOutcome
        if compactOnly && !(bytes.count == 8 && bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }))
            && !(bytes.isEmpty || (bytes.count == 1 && bytes[0] == 0x2A)) {
            outcome = .invalid
        } else {
            switch TableDateValue(bytes) {
            case .open: outcome = .open
            case .invalid: outcome = .invalid
            case .date(let date): outcome = .date(Array(compactDate(date).utf8), date.dayNumber)
            }
        }
        lastInput = Array(bytes)
        lastOutput = outcome
        return outcome
    }
}

/// `YYYYMMDD`.
func compactDate(_ date: CalendarDate) -> String {
    func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return pad(date.year, 4) + pad(date.month, 2) + pad(date.day, 2)
}

/// The written form of an open deletion date, as in the shipped tables (CMS prints `*`).
let openDeletionDate: [UInt8] = Array("99991231".utf8)
