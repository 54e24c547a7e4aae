import Tables

/// NCCI procedure-to-procedure edits: CMS's tab-delimited release files (`ccipra-v322r0-f1.txt` …, banner
/// lines, header wrapped over four lines, `*` for no deletion date), their CSV twins, and the repo's
/// narrow copies (`column_1,column_2,deletion_date,modifier_indicator,rationale`, no effective date).
struct PTPImporter {
    /// The columns written, as the shipped PTP tables and `docs/examples/starter/starter.yaml` name them.
    static let columns = ["column_1", "column_2", "effective_date", "deletion_date", "modifier_indicator", "rationale"]

    struct Header: HeaderMap {
        var column1: Int
        var column2: Int
        var effective: Int?
        var deletion: Int?
        var modifier: Int
        var rationale: Int?
        var prior1996: Int?
        var keyColumns: [Int] { [column1, column2] }
    }

    /// The header row: names `Column 1`, `Column 2` and `Modifier` (CMS) or `column_1`, `column_2` and
    /// `modifier_indicator` (the repo's copies); the other columns are optional.
    static func header(_ names: [String]) -> Header? {
        var c1: Int?, c2: Int?, eff: Int?, del: Int?, mod: Int?, rat: Int?, prior: Int?
        for (index, raw) in names.enumerated() {
            let name = normalizedName(raw)
            if name.isEmpty { continue }
            if name == "column1" { c1 = c1 ?? index }
            else if name == "column2" { c2 = c2 ?? index }
            else if name.hasPrefix("effective") { eff = eff ?? index }
            else if name.hasPrefix("deletion") { del = del ?? index }
            else if name.hasPrefix("modifier") { mod = mod ?? index }
            else if name.contains("rationale") { rat = rat ?? index }
            else if name.contains("inexistence") || name.contains("prior") || name == "exist96" { prior = prior ?? index }
        }
        guard let c1, let c2, let mod else { return nil }
        return Header(column1: c1, column2: c2, effective: eff, deletion: del, modifier: mod, rationale: rat, prior1996: prior)
    }

    let writer: TableWriter
    let issues: IssueSink
    private var effectiveDates = DateField(compactOnly: true)
    private var deletionDates = DateField(compactOnly: true)
    /// Files read that had no effective-date column.
    private(set) var filesWithoutEffective: [String] = []

    init(writer: TableWriter, issues: IssueSink) {
        self.writer = writer
        self.issues = issues
    }

    static func isTabDelimited(_ path: String) -> Bool {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return name.hasSuffix(".txt") || name.hasSuffix(".tsv")
    }

    mutating func importFile(_ path: String, stats: inout SourceStats) -> Bool {
        var sawHeader: Header?
        let ok = readDelimited(
            path: path, tab: PTPImporter.isTabDelimited(path), issues: issues, stats: &stats,
            what: "NCCI PTP edits (Column 1, Column 2, Modifier)",
            header: { names in
                let found = PTPImporter.header(names)
                if found != nil { sawHeader = found }
                return found
            },
            row: { reader, header, stats in self.row(reader, header, path: path, stats: &stats) })
        if let sawHeader, sawHeader.effective == nil { filesWithoutEffective.append(path) }
        return ok
    }

    private mutating func row(_ reader: borrowing RecordReader, _ h: Header, path: String, stats: inout SourceStats) {
        let line = reader.line
        var bad = false
        func fail(_ code: String, _ index: Int, _ field: String, _ message: String) {
            bad = true
            issues.error(code, file: path, line: line, column: reader.location(ofField: index).column, field: field,
                         message + "; the row is skipped")
        }
        for (index, name) in [(h.column1, "Column 1"), (h.column2, "Column 2")] {
            reader.withField(index) { bytes in
                if !isProcedureCode(bytes) {
                    fail(ImportIssue.badCode, index, name,
                         "\(name) \(shown(bytes)) is not a HCPCS/CPT code (5 digits or capital letters)")
                }
            }
        }
        var effective: DateField.DateOutcome = .open
        var effectiveDay = Int.min
        if let index = h.effective {
            effective = reader.withField(index) { effectiveDates.parse($0) }
            switch effective {
            case .date(_, let day): effectiveDay = day
            case .open:
                // CMS writes every edit's effective date; `*` there means nothing.
                fail(ImportIssue.badDate, index, "Effective Date",
                     "the effective date is empty or '*': every PTP edit has one")
            case .invalid:
                reader.withField(index) { bytes in
                    fail(ImportIssue.badDate, index, "Effective Date",
                         "effective date \(shown(bytes)) is not a date (YYYYMMDD)")
                }
            }
        }
        var deletion: DateField.DateOutcome = .open
        if let index = h.deletion {
            deletion = reader.withField(index) { deletionDates.parse($0) }
            switch deletion {
            case .open: break
            case .date(_, let day):
                if day < effectiveDay {
                    fail(ImportIssue.badDate, index, "Deletion Date",
                         "the deletion date is before the effective date")
                }
            case .invalid:
                reader.withField(index) { bytes in
                    fail(ImportIssue.badDate, index, "Deletion Date",
                         "deletion date \(shown(bytes)) is not a date (YYYYMMDD, or '*' for none)")
                }
            }
        }
        reader.withField(h.modifier) { bytes in
            if !(bytes.count == 1 && (bytes[0] == 0x30 || bytes[0] == 0x31 || bytes[0] == 0x39)) {
                fail(ImportIssue.badValue, h.modifier, "Modifier",
                     "modifier indicator \(shown(bytes)) is not 0, 1 or 9")
            }
        }
        if let index = h.prior1996 {
            reader.withField(index) { bytes in
                if !(bytes.isEmpty || (bytes.count == 1 && bytes[0] == 0x2A)) {
                    fail(ImportIssue.badValue, index, "*=in existence prior to 1996",
                         "the prior-to-1996 flag \(shown(bytes)) is neither '*' nor empty")
                }
            }
        }
        if bad {
            stats.rowsSkipped += 1
            return
        }
        reader.withField(h.column1) { writer.field($0) }
        reader.withField(h.column2) { writer.field($0) }
        if case .date(let bytes, _) = effective { writer.field(bytes) } else { writer.field([]) }
        if case .date(let bytes, _) = deletion { writer.field(bytes) } else { writer.field(openDeletionDate) }
        reader.withField(h.modifier) { writer.field($0) }
        if let index = h.rationale { reader.withField(index) { writer.field($0) } } else { writer.field([]) }
        writer.endRow()
        stats.rowsWritten += 1
    }
}
