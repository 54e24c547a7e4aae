/// The Physician Fee Schedule relative value file: CMS's PPRRVU CSV (`PPRRVU2026_Jul_nonQPP.csv`: five banner
/// rows, then each column's name spread over five caption rows ending at `HCPCS,MOD,DESCRIPTION,CODE,…`;
/// 32 columns, CRLF), or any CSV with one header row naming the same columns (`STATUS CODE`, `WORK RVU`,
/// `NON-FAC PE RVU`, `NON-FAC NA INDICATOR` …). The description (CPT short descriptors: AMA's) is never read.
struct PFSImporter {
    /// The columns of the modifier table (`<release>-modifiers.csv`); the global table has all but `modifier`.
    static let columns = [
        "hcpcs", "modifier", "status_code", "pctc_indicator", "global_days", "multiple_procedure",
        "bilateral_surgery", "assistant_surgery", "co_surgeons", "team_surgery", "work_rvu",
        "non_facility_pe_rvu", "non_facility_na_indicator", "facility_pe_rvu", "facility_na_indicator",
        "conversion_factor",
    ]
    /// The columns of the global table (`<release>.csv`): one row per code, its row without a modifier.
    static let globalColumns = columns.filter { $0 != "modifier" }

    /// The source column of each written column but the first two, by its stacked name (letters and digits).
    static let sourceNames: [(written: String, names: [String])] = [
        ("status_code", ["statuscode", "status"]),
        ("pctc_indicator", ["pctcind", "pctcindicator", "pctc"]),
        ("global_days", ["globdays", "globaldays", "glob"]),
        ("multiple_procedure", ["multproc"]),
        ("bilateral_surgery", ["bilatsurg"]),
        ("assistant_surgery", ["asstsurg"]),
        ("co_surgeons", ["cosurg"]),
        ("team_surgery", ["teamsurg"]),
        ("work_rvu", ["workrvu", "rvuwork"]),
        ("non_facility_pe_rvu", ["nonfacpervu", "nonfacilitypervu", "rvunonpe"]),
        ("non_facility_na_indicator", ["nonfacnaindicator", "nonfacilitynaindicator", "nonna"]),
        ("facility_pe_rvu", ["facilitypervu", "rvufacpe"]),
        ("facility_na_indicator", ["facilitynaindicator", "facna"]),
        ("conversion_factor", ["convfactor", "conversionfactor", "cf"]),
    ]

    /// Which columns a file has: all (CMS's PPRRVU), or one half of the repo's pair of converted copies
    /// (`pfs-rvu-indicators-2024.csv`, `pfs-rvu-amounts-2024.csv`, joined on code and modifier).
    enum Form { case whole, indicators, amounts }

    /// `sourceNames` positions of the RVUs: with the conversion factor, the amounts copy's columns.
    static let amountPositions: Set<Int> = [8, 9, 11]

    struct Header: HeaderMap {
        var form = Form.whole
        var code: Int
        var modifier: Int
        /// Source index of each of `sourceNames`, in order; nil when absent (only the conversion factor may be).
        var sources: [Int?]
        var keyColumns: [Int] { [code] }
    }

    /// The header row: its first two cells `HCPCS` and `MOD`, the names stacked from up to four caption rows
    /// above it (their first two cells empty).
    static func header(_ names: [String], previous: [[String]]) -> Header? {
        guard names.count >= 2, ["hcpcs", "hcpcscode"].contains(normalizedName(names[0])), normalizedName(names[1]) == "mod"
        else { return nil }
        let stacked = stackedNames(names, above: previous, depth: 4, blankLeading: 2).map(normalizedName)
        let sources = sourceNames.map { _, accepted in stacked.firstIndex { accepted.contains($0) } }
        let present = Set(sources.indices.filter { sources[$0] != nil })
        let all = Set(sourceNames.indices)
        let cf = sourceNames.count - 1
        let indicatorPositions = all.subtracting(amountPositions).subtracting([cf])
        let form: Form
        if present.isSuperset(of: all.subtracting([cf])) { form = .whole }
        else if present == indicatorPositions { form = .indicators }
        else if present.subtracting([cf]) == amountPositions { form = .amounts }
        else { return nil }
        return Header(form: form, code: 0, modifier: 1, sources: sources)
    }

    static let globalDays: Set<String> = ["000", "010", "090", "XXX", "YYY", "ZZZ", "MMM"]

    let issues: IssueSink
    /// Each code's global row (no modifier), keyed on the code alone.
    let writer: TableWriter
    /// The rows with a modifier (26, TC, 53 …), keyed on code and modifier, so a pack never confuses them with
    /// the global row and no key field is ever empty (the loader refuses one: TABLE007).
    let modifierWriter: TableWriter
    private var seen: [String: String] = [:]
    private(set) var filesWithoutConversionFactor: [String] = []
    /// Rows of the repo's half files, by `code modifier`, until both halves are read.
    private var halves: [String: (values: [String?], places: [(path: String, line: Int, column: Int)])] = [:]
    private var halfOrder: [String] = []

    init(writer: TableWriter, modifierWriter: TableWriter, issues: IssueSink) {
        self.writer = writer
        self.modifierWriter = modifierWriter
        self.issues = issues
    }

    mutating func importFile(_ path: String, stats: inout SourceStats) -> Bool {
        var sawHeader: Header?
        let ok = readTextRows(
            path: path, issues: issues, stats: &stats,
            what: "PFS relative values (HCPCS, MOD, STATUS CODE, WORK RVU …)",
            header: { names, previous in
                let found = PFSImporter.header(names, previous: previous)
                if found != nil { sawHeader = found }
                return found
            },
            row: { row, header, stats in self.row(row, header, path: path, stats: &stats) })
        if let sawHeader, sawHeader.form != .indicators, sawHeader.sources.last! == nil {
            filesWithoutConversionFactor.append(path)
        }
        return ok
    }

    private mutating func row(_ row: TextRow, _ h: Header, path: String, stats: inout SourceStats) {
        var bad = false
        func fail(_ code: String, _ index: Int, _ field: String, _ message: String) {
            bad = true
            row.fail(issues, code, index, field, path: path, message)
        }
        let code = row.fields[h.code]
        if !(code.utf8.count == 5 && code.isDigitsOrCapitals) {
            fail(ImportIssue.badCode, h.code, "HCPCS", "HCPCS '\(code)' is not a code (5 digits or capital letters)")
        }
        let modifier = row.fields[h.modifier]
        if !(modifier.isEmpty || (modifier.utf8.count == 2 && modifier.isDigitsOrCapitals)) {
            fail(ImportIssue.badCode, h.modifier, "MOD", "modifier '\(modifier)' is not empty or 2 digits or capital letters")
        }
        var values: [String] = []
        for (position, source) in h.sources.enumerated() {
            guard let index = source else {
                values.append("")
                continue
            }
            let value = row.fields[index]
            let name = PFSImporter.sourceNames[position].written
            values.append(value)
            func digit(_ what: String) {
                if !(value.utf8.count == 1 && value.utf8.first! >= 0x30 && value.utf8.first! <= 0x39) {
                    fail(ImportIssue.badValue, index, name, "\(what) '\(value)' is not one digit")
                }
            }
            switch name {
            case "status_code":
                if !(value.utf8.count == 1 && value.isDigitsOrCapitals && value.utf8.first! >= 0x41) {
                    fail(ImportIssue.badValue, index, name, "status code '\(value)' is not one capital letter")
                }
            case "pctc_indicator": digit("PC/TC indicator")
            case "multiple_procedure": digit("multiple procedure indicator")
            case "bilateral_surgery": digit("bilateral surgery indicator")
            case "assistant_surgery": digit("assistant at surgery indicator")
            case "co_surgeons": digit("co-surgeons indicator")
            case "team_surgery": digit("team surgery indicator")
            case "global_days":
                if !PFSImporter.globalDays.contains(value) {
                    fail(ImportIssue.badValue, index, name, "global days '\(value)' is not 000, 010, 090, XXX, YYY, ZZZ or MMM")
                }
            case "non_facility_na_indicator", "facility_na_indicator":
                if !(value.isEmpty || value == "NA") {
                    fail(ImportIssue.badValue, index, name, "NA indicator '\(value)' is not empty or NA")
                }
            case "conversion_factor":
                if !(value.isEmpty || value.isDecimalNumber) {
                    fail(ImportIssue.badValue, index, name, "conversion factor '\(value)' is not a number")
                }
            default:  // RVUs
                if !value.isDecimalNumber {
                    fail(ImportIssue.badValue, index, name, "RVU '\(value)' is not a number")
                }
            }
        }
        let key = code + " " + modifier
        if !bad, h.form != .whole {
            var entry = halves[key] ?? (Array(repeating: nil, count: values.count), [])
            let mine = h.sources.indices.filter { h.sources[$0] != nil }
            if let place = entry.places.first(where: { $0.path == path }) ?? (mine.contains { entry.values[$0] != nil } ? entry.places.first : nil) {
                issues.error(ImportIssue.duplicate, file: path, line: row.line, column: row.columns[h.code], field: "HCPCS",
                             "\(code) \(modifier.isEmpty ? "without a modifier" : "with modifier \(modifier)") is already on \(baseName(place.path)):\(place.line); the row is skipped")
                stats.rowsSkipped += 1
                return
            }
            if entry.places.isEmpty { halfOrder.append(key) }
            for position in mine { entry.values[position] = values[position] }
            entry.places.append((path, row.line, row.columns[h.code]))
            halves[key] = entry
            return
        }
        if !bad, let first = seen[key] {
            bad = true
            issues.error(ImportIssue.duplicate, file: path, line: row.line, column: row.columns[h.code], field: "HCPCS",
                         "\(code) \(modifier.isEmpty ? "without a modifier" : "with modifier \(modifier)") is already on \(first); the row is skipped")
        }
        if bad {
            stats.rowsSkipped += 1
            return
        }
        seen[key] = "\(baseName(path)):\(row.line)"
        write(code, modifier, values)
        stats.rowsWritten += 1
    }

    /// A row into the global table (no modifier: the code's own row) or the modifier table.
    private func write(_ code: String, _ modifier: String, _ values: [String]) {
        if modifier.isEmpty { writer.row([code] + values) } else { modifierWriter.row([code, modifier] + values) }
    }

    /// Writes the rows of the repo's half files whose other half was read (in the order first read) and
    /// reports the others; rows written and skipped per file.
    mutating func finish() -> [String: (written: Int, skipped: Int)] {
        var counts: [String: (written: Int, skipped: Int)] = [:]
        for key in halfOrder {
            guard let entry = halves[key] else { continue }
            let parts = key.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let missingAmounts = PFSImporter.amountPositions.contains { entry.values[$0] == nil }
            let missingIndicators = entry.values.indices.contains {
                $0 != entry.values.count - 1 && !PFSImporter.amountPositions.contains($0) && entry.values[$0] == nil
            }
            if missingAmounts || missingIndicators {
                let place = entry.places[0]
                counts[place.path, default: (0, 0)].skipped += 1
                issues.error(ImportIssue.badValue, file: place.path, line: place.line, column: place.column, field: "HCPCS",
                             "\(parts[0]) \(parts[1].isEmpty ? "without a modifier" : "with modifier \(parts[1])") has no row in the \(missingAmounts ? "amounts" : "indicators") file; the row is skipped")
                continue
            }
            write(parts[0], parts[1], entry.values.map { $0 ?? "" })
            for place in entry.places { counts[place.path, default: (0, 0)].written += 1 }
        }
        return counts
    }
}
