/// The Physician Fee Schedule relative value file: CMS's PPRRVU CSV (`PPRRVU2026_Jul_nonQPP.csv`: five banner
/// rows, then each column's name spread over five caption rows ending at `HCPCS,MOD,DESCRIPTION,CODE,…`;
/// 32 columns, CRLF), or any CSV with one header row naming the same columns (`STATUS CODE`, `WORK RVU`,
/// `NON-FAC PE RVU`, `NON-FAC NA INDICATOR` …). The description (CPT short descriptors: AMA's) is never read.
struct PFSImporter {
    static let columns = [
        "hcpcs", "modifier", "status_code", "pctc_indicator", "global_days", "multiple_procedure",
        "bilateral_surgery", "assistant_surgery", "co_surgeons", "team_surgery", "work_rvu",
        "non_facility_pe_rvu", "non_facility_na_indicator", "facility_pe_rvu", "facility_na_indicator",
        "conversion_factor",
    ]

    /// The source column of each written column but the first two, by its stacked name (letters and digits).
    static let sourceNames: [(written: String, names: [String])] = [
        ("status_code", ["statuscode"]),
        ("pctc_indicator", ["pctcind", "pctcindicator"]),
        ("global_days", ["globdays", "globaldays"]),
        ("multiple_procedure", ["multproc"]),
        ("bilateral_surgery", ["bilatsurg"]),
        ("assistant_surgery", ["asstsurg"]),
        ("co_surgeons", ["cosurg"]),
        ("team_surgery", ["teamsurg"]),
        ("work_rvu", ["workrvu"]),
        ("non_facility_pe_rvu", ["nonfacpervu", "nonfacilitypervu"]),
        ("non_facility_na_indicator", ["nonfacnaindicator", "nonfacilitynaindicator"]),
        ("facility_pe_rvu", ["facilitypervu"]),
        ("facility_na_indicator", ["facilitynaindicator"]),
        ("conversion_factor", ["convfactor", "conversionfactor"]),
    ]

    struct Header: HeaderMap {
        var code: Int
        var modifier: Int
        /// Source index of each of `sourceNames`, in order; nil when absent (only the conversion factor may be).
        var sources: [Int?]
        var keyColumns: [Int] { [code] }
    }

    /// The header row: its first two cells `HCPCS` and `MOD`, the names stacked from up to four caption rows
    /// above it (their first two cells empty).
    static func header(_ names: [String], previous: [[String]]) -> Header? {
        guard names.count >= 2, normalizedName(names[0]) == "hcpcs", normalizedName(names[1]) == "mod" else { return nil }
        let stacked = stackedNames(names, above: previous, depth: 4, blankLeading: 2).map(normalizedName)
        var sources: [Int?] = []
        for (written, accepted) in sourceNames {
            let index = stacked.firstIndex { accepted.contains($0) }
            if index == nil && written != "conversion_factor" { return nil }
            sources.append(index)
        }
        return Header(code: 0, modifier: 1, sources: sources)
    }

    static let globalDays: Set<String> = ["000", "010", "090", "XXX", "YYY", "ZZZ", "MMM"]

    let issues: IssueSink
    let writer: TableWriter
    private var seen: [String: String] = [:]
    private(set) var filesWithoutConversionFactor: [String] = []

    init(writer: TableWriter, issues: IssueSink) {
        self.writer = writer
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
        if let sawHeader, sawHeader.sources.last! == nil { filesWithoutConversionFactor.append(path) }
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
        if !bad, let first = seen[code + " " + modifier] {
            bad = true
            issues.error(ImportIssue.duplicate, file: path, line: row.line, column: row.columns[h.code], field: "HCPCS",
                         "\(code) \(modifier.isEmpty ? "without a modifier" : "with modifier \(modifier)") is already on \(first); the row is skipped")
        }
        if bad {
            stats.rowsSkipped += 1
            return
        }
        seen[code + " " + modifier] = "\(baseName(path)):\(row.line)"
        writer.row([code, modifier] + values)
        stats.rowsWritten += 1
    }
}
