/// The place-of-service code set: a CSV with one header row naming the code and the name (CMS's list as
/// the repo keeps it, `place-of-service.csv`: `pos_code,pos_type,pos_name,pos_description`; or CMS's table
/// saved as CSV: `Place of Service Code(s)`, `Place of Service Name`, `Place of Service Description`), with
/// effective and termination date columns when the file has them. CMS publishes the list as a web page,
/// not a release file: the release name and effective date are given (`--release`, `--effective`).
struct POSImporter {
    static let columns = ["pos", "name", "description", "facility_setting", "effective_date", "termination_date"]

    struct Header: HeaderMap {
        var code: Int
        var name: Int
        var description: Int?
        var setting: Int?
        var effective: Int?
        var termination: Int?
        var keyColumns: [Int] { [code] }
    }

    static func header(_ names: [String], previous: [[String]]) -> Header? {
        var code: Int?, name: Int?, description: Int?, setting: Int?, effective: Int?, termination: Int?
        for (index, raw) in names.enumerated() {
            let n = normalizedName(raw)
            if ["poscode", "pos", "placeofservicecode", "placeofservicecodes", "code", "codes"].contains(n) { code = code ?? index }
            else if ["posname", "placeofservicename", "name"].contains(n) { name = name ?? index }
            else if n.hasSuffix("description") { description = description ?? index }
            else if n == "postype" || n == "facilitysetting" { setting = setting ?? index }
            else if n.contains("effective") { effective = effective ?? index }
            else if n.contains("termination") || n.contains("terminated") || n.contains("deleted") { termination = termination ?? index }
        }
        guard let code, let name else { return nil }
        return Header(code: code, name: name, description: description, setting: setting, effective: effective, termination: termination)
    }

    let writer: TableWriter
    let issues: IssueSink
    private var dates = DateField()
    private var seen: [String: String] = [:]
    private(set) var filesWithSetting: [String] = []

    init(writer: TableWriter, issues: IssueSink) {
        self.writer = writer
        self.issues = issues
    }

    mutating func importFile(_ path: String, stats: inout SourceStats) -> Bool {
        var sawHeader: Header?
        let ok = readTextRows(
            path: path, issues: issues, stats: &stats, what: "place-of-service codes (code, name)",
            header: { names, previous in
                let found = POSImporter.header(names, previous: previous)
                if found != nil { sawHeader = found }
                return found
            },
            row: { row, header, stats in self.row(row, header, path: path, stats: &stats) })
        if sawHeader?.setting != nil { filesWithSetting.append(path) }
        return ok
    }

    private mutating func row(_ row: TextRow, _ h: Header, path: String, stats: inout SourceStats) {
        var bad = false
        func fail(_ code: String, _ index: Int, _ field: String, _ message: String) {
            bad = true
            row.fail(issues, code, index, field, path: path, message)
        }
        let code = row.fields[h.code].trimmingSpaces
        if !(code.utf8.count == 2 && code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && code != "00") {
            fail(ImportIssue.badCode, h.code, "code", "place of service '\(code)' is not a code (two digits, 01–99)")
        }
        let name = row.fields[h.name].trimmingSpaces
        if name.isEmpty { fail(ImportIssue.badValue, h.name, "name", "the name is empty") }
        func date(_ index: Int?, _ field: String) -> (text: String, day: Int?) {
            guard let index else { return ("", nil) }
            let text = row.fields[index].trimmingSpaces
            switch parseDate(text, &dates) {
            case .date(let bytes, let day): return (String(decoding: bytes, as: UTF8.self), day)
            case .open: return ("", nil)
            case .invalid:
                fail(ImportIssue.badDate, index, field, "\(field) '\(text)' is not a date (YYYYMMDD, YYYY-MM-DD or M/D/YYYY)")
                return ("", nil)
            }
        }
        let effective = date(h.effective, "effective date")
        let termination = date(h.termination, "termination date")
        if let start = effective.day, let end = termination.day, end < start, let index = h.termination {
            fail(ImportIssue.badDate, index, "termination date", "the termination date is before the effective date")
        }
        if !bad, let first = seen[code] {
            bad = true
            issues.error(ImportIssue.duplicate, file: path, line: row.line, column: row.columns[h.code], field: "code",
                         "place of service \(code) is already on \(first); the row is skipped")
        }
        if bad {
            stats.rowsSkipped += 1
            return
        }
        seen[code] = "\(baseName(path)):\(row.line)"
        writer.row([
            code, name, h.description.map { row.fields[$0] } ?? "", h.setting.map { row.fields[$0] } ?? "",
            effective.text, termination.text.isEmpty ? "99991231" : termination.text,
        ])
        stats.rowsWritten += 1
    }
}
