/// HCPCS Level II: CMS's ANWEB file as CSV (`HCPC2026_OCT_ANWEB.csv`: one header row `HCPC,SEQNUM,RECID,LONG
/// DESCRIPTION,…,ADD DT,ACT EFF DT,TERM DT,ACTION CD`, 48 columns; modifiers right-aligned in 5 characters).
/// Every column but the two descriptions is written, under its CMS name in snake case; dates as `YYYYMMDD`.
///
/// Also the repo's converted copy (`shared/data/cms/hcpcs-level2-indicators-2024.csv`, northstar's columns
/// `hcpcs_code,price,multi,cov,…,date_action`, ISO dates), mapped onto the same written columns: its joined
/// multi-valued cells are split back into CMS's numbered columns (`price` `11:21` → `price1` 11, `price2` 21;
/// `tos` on `:`; `cim`, `mcm`, `lab`, `xref` on `, `), `recid` is derived from the code's length (the copy
/// holds only 5-character procedure codes: RECID 3), and the columns northstar dropped are written empty.
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

    /// Where a written column's value sits in a source cell that joins several of CMS's columns.
    struct Part: Equatable {
        var separator: String
        /// 0-based position of the value in the cell.
        var index: Int
        /// How many of CMS's columns the cell joins (more values than this is an error).
        var count: Int
    }

    struct Header: HeaderMap {
        /// Source index of each `layout` column; nil when the file lacks it (written empty).
        var sources: [Int?]
        /// For the repo's converted copy: the part of a joined cell each `layout` column is (nil: the whole cell).
        var parts: [Part?]
        /// The repo's converted copy: ISO dates, no RECID (derived from the code's length).
        var repoCopy: Bool
        var keyColumns: [Int] { [sources[0] ?? 0] }
    }

    /// The repo's converted copy: each written column's source column (northstar's name, normalized) and,
    /// for a joined cell, its separator and how many of CMS's columns it joins. Absent: not in the copy.
    static let repoCopyLayout: [String: (source: String, separator: String?, count: Int)] = {
        var map: [String: (String, String?, Int)] = [
            "hcpcs": ("hcpcscode", nil, 1), "mult_pi": ("multi", nil, 1), "statute": ("statute", nil, 1),
            "cov": ("cov", nil, 1), "asc_grp": ("ascgrp", nil, 1), "asc_dt": ("dateasc", nil, 1),
            "procnote": ("proc", nil, 1), "betos": ("betos", nil, 1), "anest_bu": ("anes", nil, 1),
            "add_date": ("dateadded", nil, 1), "action_effective_date": ("dateaction", nil, 1),
            "termination_date": ("dateterm", nil, 1), "action_code": ("action", nil, 1),
        ]
        for n in 1...2 { map["price\(n)"] = ("price", ":", 2) }
        for n in 1...4 { map["tos\(n)"] = ("tos", ":", 4) }
        for n in 1...2 { map["cim\(n)"] = ("cim", ", ", 2) }
        for n in 1...3 { map["mcm\(n)"] = ("mcm", ", ", 3) }
        for n in 1...4 { map["labcert\(n)"] = ("lab", ", ", 4) }
        for n in 1...2 { map["xref\(n)"] = ("xref", ", ", 2) }
        return map
    }()

    /// Columns the repo's copy must have: the code, its coverage, action and dates.
    static let repoCopyRequired: Set<String> = ["hcpcscode", "cov", "dateadded", "dateterm", "action"]

    /// Columns a file must have: the code, its record type and the dates.
    static let required: Set<String> = ["hcpc", "recid", "adddt", "termdt", "actioncd"]

    static func header(_ names: [String], previous: [[String]]) -> Header? {
        let normalized = names.map(normalizedName)
        if repoCopyRequired.isSubset(of: normalized) { return repoCopyHeader(normalized) }
        var sources: [Int?] = []
        for column in layout {
            let index = normalized.firstIndex(of: column.source) ?? (column.source == "hcpc" ? normalized.firstIndex(of: "hcpcs") : nil)
            if index == nil && required.contains(column.source) { return nil }
            sources.append(index)
        }
        return Header(sources: sources, parts: sources.map { _ in nil }, repoCopy: false)
    }

    /// The repo's converted copy's header, mapped onto `layout`.
    static func repoCopyHeader(_ normalized: [String]) -> Header {
        var sources: [Int?] = []
        var parts: [Part?] = []
        for column in layout {
            guard let mapped = repoCopyLayout[column.written], let index = normalized.firstIndex(of: mapped.source) else {
                sources.append(nil)
                parts.append(nil)
                continue
            }
            sources.append(index)
            if let separator = mapped.separator {
                // price1 → part 0, price2 → part 1 …: the trailing digits of the written name.
                let number = Int(String(column.written.reversed().prefix { $0.isNumber }.reversed())) ?? 1
                parts.append(Part(separator: separator, index: number - 1, count: mapped.count))
            } else {
                parts.append(nil)
            }
        }
        return Header(sources: sources, parts: parts, repoCopy: true)
    }

    let writer: TableWriter
    let issues: IssueSink
    private var dates = DateField(compactOnly: true)
    /// The repo's copy writes ISO dates.
    private var isoDates = DateField()
    /// Files read in the repo's converted layout.
    private(set) var repoCopies: [String] = []
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
            if sawHeader.repoCopy { repoCopies.append(path) }
            let missing = zip(HCPCSImporter.layout, sawHeader.sources).filter { $0.1 == nil }.map(\.0.written)
                .filter { !(sawHeader.repoCopy && $0 == "recid") }
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
        let codeIndex = h.sources[0] ?? 0
        let code = row.fields[codeIndex].trimmingSpaces
        // The repo's copy has no RECID: its codes are procedures (5 characters, RECID 3); a 2-character code
        // would be a modifier (RECID 7).
        let recidIndex = h.sources[2] ?? codeIndex
        let recid = h.sources[2].map { row.fields[$0].trimmingSpaces } ?? (code.utf8.count == 2 ? "7" : "3")
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
        var splitChecked: Set<Int> = []
        for (position, column) in HCPCSImporter.layout.enumerated() {
            if position == 2 && h.sources[2] == nil {
                values.append(recid)
                continue
            }
            guard position > 0, let index = h.sources[position] else {
                values.append(position == 0 ? code : "")
                continue
            }
            var text = row.fields[index].trimmingSpaces
            if let part = h.parts[position] {
                let pieces = text.isEmpty ? [] : text.components(separatedBy: part.separator).map(\.trimmingSpaces)
                if pieces.count > part.count, splitChecked.insert(index).inserted {
                    fail(ImportIssue.badValue, index, column.written,
                         "'\(text)' holds \(pieces.count) values; CMS's layout has \(part.count) columns for it")
                }
                text = part.index < pieces.count ? pieces[part.index] : ""
            }
            guard column.date else {
                values.append(text)
                continue
            }
            let outcome = h.repoCopy ? parseDate(text, &isoDates) : parseDate(text, &dates)
            switch outcome {
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
                fail(ImportIssue.badDate, index, column.written, "\(column.written) '\(text)' is not a date (\(h.repoCopy ? "YYYY-MM-DD" : "YYYYMMDD"))")
                values.append("")
            }
        }
        let action = values[HCPCSImporter.layout.count - 1]
        if !(action.utf8.count == 1 && action.isDigitsOrCapitals), let index = h.sources.last ?? nil {
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
