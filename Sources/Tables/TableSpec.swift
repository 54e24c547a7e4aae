/// What to load: a CSV file (or `.csv.gz`, read through zlib), its key columns and row date columns.
///
/// The delimiter is a tab when the path (less a `.gz` suffix) ends in `.txt` or `.tsv` (CMS's PTP release
/// files), with no quoting; otherwise a comma with RFC 4180 quoting. Gzip input is recognised by its magic
/// bytes, whatever the name.
public struct TableSpec: Hashable, Sendable {
    /// The file to read, absolute or as given (relative to the working directory).
    public var path: String
    /// Columns whose values form the lookup key, in order (at least one).
    public var keyColumns: [String]
    /// Row start date column (CCYYMMDD, YYYY-MM-DD, M/D/YYYY or YYYYDDD; `*` or empty = open).
    public var effectiveColumn: String?
    /// Row end (deletion) date column, inclusive; `*` or empty = open-ended.
    public var expiresColumn: String?
    /// nil: the first record whose fields include every key column name is the header (banner lines before
    /// it are skipped); otherwise the 1-based line on which the header record starts.
    public var headerLine: Int?
    /// Key columns whose value may be empty (an empty PFS modifier means "no modifier"); an empty value in
    /// any other key column is `TABLE007`.
    public var optionalKeyColumns: [String]
    /// Only the rows whose column (the key) holds one of the values are loaded (a pack's `where:`); empty: every
    /// row. A filtered table is a view of the file: `global_days: ["090"]` makes the PFS's major surgeries.
    public var rowFilter: [String: [String]]

    public init(
        path: String, keyColumns: [String], effectiveColumn: String? = nil, expiresColumn: String? = nil,
        headerLine: Int? = nil, optionalKeyColumns: [String] = [], rowFilter: [String: [String]] = [:]
    ) {
        self.rowFilter = rowFilter
        self.path = path
        self.keyColumns = keyColumns
        self.effectiveColumn = effectiveColumn
        self.expiresColumn = expiresColumn
        self.headerLine = headerLine
        self.optionalKeyColumns = optionalKeyColumns
    }

    /// The field delimiter implied by the path.
    var isTabDelimited: Bool {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return name.hasSuffix(".txt") || name.hasSuffix(".tsv")
    }
}
