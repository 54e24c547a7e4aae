import Tables

/// A data row of a delimited file as text, with each field's 1-based column in the source line: for the
/// importers whose rows are small and checked field by field (PFS, HCPCS, place of service).
struct TextRow {
    var fields: [String]
    var columns: [Int]
    var line: Int

    /// Reports a problem with field `index` as an error: the row is skipped.
    func fail(_ issues: IssueSink, _ code: String, _ index: Int, _ field: String, path: String, _ message: String) {
        issues.error(code, file: path, line: line, column: columns[index], field: field, message + "; the row is skipped")
    }
}

/// `readDelimited`, with each record's fields as text and the header callback given the records read
/// before it (most recent last, at most 8): CMS's PPRRVU caption spreads each column's name over the
/// five rows ending at the `HCPCS,MOD,…` row.
func readTextRows<H: HeaderMap>(
    path: String, issues: IssueSink, stats: inout SourceStats, what: String,
    header: ([String], [[String]]) -> H?, row: (TextRow, H, inout SourceStats) -> Void
) -> Bool {
    var previous: [[String]] = []
    return readDelimited(
        path: path, tab: PTPImporter.isTabDelimited(path), issues: issues, stats: &stats, what: what,
        header: { names in
            if let found = header(names, previous) { return found }
            previous.append(names)
            if previous.count > 8 { previous.removeFirst() }
            return nil
        },
        row: { reader, h, stats in
            let fields = (0..<reader.fieldCount).map { reader.text($0) }
            let columns = (0..<reader.fieldCount).map { reader.location(ofField: $0).column }
            row(TextRow(fields: fields, columns: columns, line: reader.line), h, &stats)
        })
}

/// Each column's name stacked from the caption rows above the header row: the header's cell preceded by
/// the cells of the same column in the `depth` records before it whose first `blankLeading` cells are
/// empty (caption rows), joined with spaces.
func stackedNames(_ names: [String], above previous: [[String]], depth: Int, blankLeading: Int) -> [String] {
    var captions: [[String]] = []
    for record in previous.reversed().prefix(depth) {
        guard record.prefix(blankLeading).allSatisfy({ $0.trimmingSpaces.isEmpty }) else { break }
        captions.insert(record, at: 0)
    }
    return names.indices.map { index in
        (captions.map { index < $0.count ? $0[index] : "" } + [names[index]])
            .map(\.trimmingSpaces).filter { !$0.isEmpty }.joined(separator: " ")
    }
}

extension String {
    /// Without leading and trailing spaces (CMS right-aligns HCPCS modifiers: `   A1`).
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }

    /// Every character an ASCII digit or capital letter.
    var isDigitsOrCapitals: Bool {
        !isEmpty && utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }
    }

    /// A decimal number as CMS writes RVUs and the conversion factor (`0.00`, `33.4009`, `.5`).
    var isDecimalNumber: Bool {
        let parts = split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }) else { return false }
        return parts.allSatisfy { $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }
}

/// A date cell of a text row as `DateField` reads it (`.open` for empty or `*`).
func parseDate(_ text: String, _ dates: inout DateField) -> DateField.DateOutcome {
    var text = text
    return text.withUTF8 { dates.parse($0) }
}
