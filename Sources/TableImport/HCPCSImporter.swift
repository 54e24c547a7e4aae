/// HCPCS Level II: CMS's ANWEB file as CSV (`HCPC2026_OCT_ANWEB.csv`: one header row `HCPC,SEQNUM,RECID,LONG
/// DESCRIPTION,…,ADD DT,ACT EFF DT,TERM DT,ACTION CD`, 48 columns; modifiers right-aligned in 5 characters).
/// Every column but the two descriptions is written, under its CMS name in snake case; dates as `YYYYMMDD`.
struct HCPCSImporter {
    /// Written column, CMS's header name (letters and digits), whether it is a date.
    static let layout: [(written: String, source: String, date: Bool)] = {
        var out: [(String, String, Bool)] = [("hcpcs", "hcpc", false), ("seqnum", "seqnum", false), ("recid", "recid", false)]
        for n in 1...4 { out.append(("price\(n)", "price\(n)", false)) }
        out.append(("mult_pi", "multpi", false))
        for n in 1...3 { out.append(("cim\(n)", "cim\(n)", false)) }
        for n in 1...3 { out.append(("mcm\(n)", "mcm\(n)", false)) }
        out.append(("statute", "statute", false))
        for n in 1...8 { out.append(("labcert\(n)", "labcert\(n)", false)) }
        for n in 1...5 { out.append(("xref\(n)", "xref\(n)", false)) }
        out += [("cov", "cov", false), ("asc_grp", "ascgrp", false), ("asc_dt", "ascdt", true), ("opps", "opps", false),
                ("opps_pi", "oppspi", false), ("opps_dt", "oppsdt", true), ("procnote", "procnote", false),
                ("betos", "betos", false)]
        for n in 1...5 { out.append(("tos\(n)", "tos\(n)", false)) }
        out += [("anest_bu", "anestbu", false), ("add_date", "adddt", true), ("action_effective_date", "acteffdt", true),
                ("termination_date", "termdt", true), ("action_code", "actioncd", false)]
        return out
    }()

    static var columns: [String] { layout.map(\.written) }

    struct Header: HeaderMap {
        /// Source index of each `layout` column; nil when the file lacks it (written empty).
        var sources: [Int?]
        var keyColumns: [Int] { [sources[0]!] }
    }

    /// Columns a file must have: the code, its record type and the dates.
    static let required: Set<String> = ["hcpc", "recid", "adddt", "termdt", "actioncd"]

    static func header(_ names: [String], previous: [[String]]) -> Header? {
        let normalized = names.map(normalizedName)
        var sources: [Int?] = []
        for column in layout {
            let index = normalized.firstIndex(of: column.source) ?? (column.source == "hcpc" ? normalized.firstIndex(of: "hcpcs") : nil)
            if index == nil && required.contains(column.source) { return nil }
            sources.append(index)
        }
        return Header(sources: sources)
    }

    let writer: TableWriter
    let issues: IssueSink
    private var dates = DateField(compactOnly: true)
    private var seen: [String: String] = [:]
    private(set) var missingColumns: [String: [String]] = [:]
    /// Description continuation records (RECID 4, 8) read and not written.
    private(set) var continuations = 0

    init(writer: TableWriter, issues: IssueSink) {
        self.writer = writer
        self.issues = issues
    }

    mutating func importFile(_ path: String, stats: inout SourceStats) -> Bool {
        var sawHeader: Header?
        let ok = readTextRows(
            path: path, issues: issues, stats: &stats,
            what: "HCPCS Level II codes (HCPC, RECID, ADD DT, TERM DT, ACTION CD)",
            header: { names, previous in
                let found = HCPCSImporter.header(names, previous: previous)
                if found != nil { sawHeader = found }
                return found
            },
            row: { row, header, stats in self.row(row, header, path: path, stats: &stats) })
        if let sawHeader {
            let missing = zip(HCPCSImporter.layout, sawHeader.sources).filter { $0.1 == nil }.map(\.0.written)
            if !missing.isEmpty { missingColumns[path] = missing }
        }
        return ok
    }

    private mutating func row(_ row: TextRow, _ h: Header, path: String, stats: inout SourceStats) {
        var bad = false
        func fail(_ code: String, _ index: Int, _ field: String, _ message: String) {
            bad = true
            row.fail(issues, code, index, field, path: path, message)
        }
        let codeIndex = h.sources[0]!
        let code = row.fields[codeIndex].trimmingSpaces
        let recidIndex = h.sources[2]!
        let recid = row.fields[recidIndex].trimmingSpaces
        switch recid {
        case "3", "7": break
        case "4", "8":
            // A long description continued (CMS's text layout); descriptions are not written.
            continuations += 1
            return
        default:
            fail(ImportIssue.badValue, recidIndex, "RECID", "record type '\(recid)' is not 3 (procedure) or 7 (modifier)")
        }
        let width = recid == "7" ? 2 : 5
        if !(code.utf8.count == width && code.isDigitsOrCapitals) {
            fail(ImportIssue.badCode, codeIndex, "HCPC",
                 "HCPCS code '\(code)' is not \(width == 2 ? "a modifier (2" : "a code (5") digits or capital letters)")
        }
        var values: [String] = []
        var added: Int?
        for (position, column) in HCPCSImporter.layout.enumerated() {
            guard position > 0, let index = h.sources[position] else {
                values.append(position == 0 ? code : "")
                continue
            }
            let text = row.fields[index].trimmingSpaces
            guard column.date else {
                values.append(text)
                continue
            }
            switch parseDate(text, &dates) {
            case .date(let bytes, let day):
                if column.written == "add_date" { added = day }
                if column.written == "termination_date", let added, day < added {
                    fail(ImportIssue.badDate, index, column.written, "the termination date is before the add date")
                }
                values.append(String(decoding: bytes, as: UTF8.self))
            case .open:
                if column.written == "add_date" {
                    fail(ImportIssue.badDate, index, column.written, "the add date is empty: every HCPCS record has one")
                }
                values.append(column.written == "termination_date" ? "99991231" : "")
            case .invalid:
                fail(ImportIssue.badDate, index, column.written, "\(column.written) '\(text)' is not a date (YYYYMMDD)")
                values.append("")
            }
        }
        let action = values[HCPCSImporter.layout.count - 1]
        if !(action.utf8.count == 1 && action.isDigitsOrCapitals), let index = h.sources.last! {
            fail(ImportIssue.badValue, index, "ACTION CD", "action code '\(action)' is not one letter")
        }
        if !bad, let first = seen[code] {
            bad = true
            issues.error(ImportIssue.duplicate, file: path, line: row.line, column: row.columns[codeIndex], field: "HCPC",
                         "code \(code) is already on \(first); the row is skipped")
        }
        if bad {
            stats.rowsSkipped += 1
            return
        }
        seen[code] = "\(baseName(path)):\(row.line)"
        writer.row(values)
        stats.rowsWritten += 1
    }
}
