import Tables

/// NCCI add-on code edits: CMS's AOC file (`AOC_V2026Q2-MCR.xlsx`, or that sheet saved as CSV: the AMA
/// notice row, then `AOC_Edit_Type, Add-On_Code, AOC_DelDT, Primary_Code, Primary_Code_DelDT,
/// AOC_Edit_EffDT, AOC_Edit_DelDT, Special_Instruction_Notes`, Julian `YYYYDDD` dates), and the repo's
/// narrow 2024Q3 copy (`primary_code,add_on_code,aoc_edit_type`, no dates).
struct AddOnImporter {
    static let columns = [
        "add_on_code", "primary_code", "aoc_edit_type", "effective_date", "deletion_date", "add_on_deletion_date",
        "primary_deletion_date", "notes",
    ]

    struct Header: HeaderMap {
        var type: Int
        var addOn: Int
        var primary: Int
        var addOnDeletion: Int?
        var primaryDeletion: Int?
        var effective: Int?
        var deletion: Int?
        var notes: Int?
        var keyColumns: [Int] { [addOn, primary] }
    }

    static func header(_ names: [String]) -> Header? {
        var type: Int?, addOn: Int?, primary: Int?, addOnDel: Int?, primaryDel: Int?, eff: Int?, del: Int?, notes: Int?
        for (index, raw) in names.enumerated() {
            switch normalizedName(raw) {
            case "aocedittype": type = type ?? index
            case "addoncode": addOn = addOn ?? index
            case "primarycode": primary = primary ?? index
            case "aocdeldt": addOnDel = addOnDel ?? index
            case "primarycodedeldt": primaryDel = primaryDel ?? index
            case "aocediteffdt": eff = eff ?? index
            case "aoceditdeldt": del = del ?? index
            case "specialinstructionnotes", "notes": notes = notes ?? index
            default: break
            }
        }
        guard let type, let addOn, let primary else { return nil }
        return Header(type: type, addOn: addOn, primary: primary, addOnDeletion: addOnDel, primaryDeletion: primaryDel,
                      effective: eff, deletion: del, notes: notes)
    }

    let writer: TableWriter
    let issues: IssueSink
    private(set) var notes: [String] = []
    private var dates = DateField()

    init(writer: TableWriter, issues: IssueSink) {
        self.writer = writer
        self.issues = issues
    }

    mutating func importFile(_ path: String, stats: inout SourceStats) -> Bool {
        if path.lowercased().hasSuffix(".xlsx") { return importWorkbook(path, stats: &stats) }
        var sawHeader: Header?
        let ok = readDelimited(
            path: path, tab: PTPImporter.isTabDelimited(path), issues: issues, stats: &stats,
            what: "add-on code edits (AOC_Edit_Type, Add-On_Code, Primary_Code)",
            header: { names in
                let found = AddOnImporter.header(names)
                if found != nil { sawHeader = found }
                return found
            },
            row: { reader, header, stats in
                let fields = (0..<reader.fieldCount).map { reader.text($0) }
                let columns = (0..<reader.fieldCount).map { reader.location(ofField: $0).column }
                self.row(fields, columns: columns, header, path: path, line: reader.line, stats: &stats)
            })
        if let sawHeader, sawHeader.effective == nil { noteNoDates(path) }
        return ok
    }

    private mutating func noteNoDates(_ path: String) {
        notes.append("No AOC_Edit_EffDT column in \(baseName(path)): effective_date is empty (open) on its rows.")
    }

    /// The first worksheet of CMS's xlsx: rows by spreadsheet row number (reported as the line).
    private mutating func importWorkbook(_ path: String, stats: inout SourceStats) -> Bool {
        let sheet: [XLSXRow]
        do {
            sheet = try XLSXReader.firstSheet(path: path)
        } catch {
            issues.error(ImportIssue.cannotRead, file: path, line: 1, "cannot read the workbook: \(error.message)")
            return false
        }
        var header: Header?
        var width = 0
        var headerRow = 0
        for row in sheet {
            guard let h = header else {
                if let found = AddOnImporter.header(row.cells) {
                    header = found
                    headerRow = row.number
                    width = row.cells.count
                    if found.effective == nil { noteNoDates(path) }
                } else if row.number > 50 {
                    break
                }
                continue
            }
            if row.cells.allSatisfy(\.isEmpty) { continue }
            stats.rowsRead += 1
            if row.cells.count > width, row.cells[width...].contains(where: { !$0.isEmpty }) {
                stats.rowsSkipped += 1
                issues.error(ImportIssue.wrongFieldCount, file: path, line: row.number, column: width + 1,
                             "a cell right of the header's \(width) columns (row \(headerRow)) is filled; the row is skipped")
                continue
            }
            var cells = row.cells
            if cells.count < width { cells += Array(repeating: "", count: width - cells.count) }
            self.row(Array(cells.prefix(width)), columns: Array(1...max(1, width)), h, path: path, line: row.number, stats: &stats)
        }
        guard header != nil else {
            issues.error(ImportIssue.noHeader, file: path, line: 1,
                         "no header row of add-on code edits (AOC_Edit_Type, Add-On_Code, Primary_Code) in the first worksheet")
            return false
        }
        return true
    }

    private mutating func row(
        _ fields: [String], columns: [Int], _ h: Header, path: String, line: Int, stats: inout SourceStats
    ) {
        var bad = false
        func fail(_ code: String, _ index: Int, _ field: String, _ message: String) {
            bad = true
            issues.error(code, file: path, line: line, column: columns[index], field: field, message + "; the row is skipped")
        }
        func check(_ index: Int, _ name: String) {
            var text = fields[index]
            let ok = text.withUTF8 { isProcedureCode($0) }
            if !ok { fail(ImportIssue.badCode, index, name, "\(name) '\(fields[index])' is not a HCPCS/CPT code (5 digits or capital letters)") }
        }
        check(h.addOn, "Add-On_Code")
        check(h.primary, "Primary_Code")
        let type = fields[h.type]
        if !(type == "1" || type == "2" || type == "3") {
            fail(ImportIssue.badValue, h.type, "AOC_Edit_Type", "edit type '\(type)' is not 1, 2 or 3")
        }
        func date(_ index: Int?, _ name: String, required: Bool) -> [UInt8]? {
            guard let index else { return nil }
            var text = fields[index]
            switch text.withUTF8({ dates.parse($0) }) {
            case .open:
                if required { fail(ImportIssue.badDate, index, name, "\(name) is empty: every add-on code edit has one") }
                return nil
            case .date(let bytes, _): return bytes
            case .invalid:
                fail(ImportIssue.badDate, index, name, "\(name) '\(text)' is not a date (YYYYDDD, YYYYMMDD or M/D/YYYY)")
                return nil
            }
        }
        let effective = date(h.effective, "AOC_Edit_EffDT", required: true)
        let deletion = date(h.deletion, "AOC_Edit_DelDT", required: false)
        let addOnDeletion = date(h.addOnDeletion, "AOC_DelDT", required: false)
        let primaryDeletion = date(h.primaryDeletion, "Primary_Code_DelDT", required: false)
        if let effective, let deletion, deletion.lexicographicallyPrecedes(effective), let index = h.deletion {
            fail(ImportIssue.badDate, index, "AOC_Edit_DelDT", "the edit's deletion date is before its effective date")
        }
        if bad {
            stats.rowsSkipped += 1
            return
        }
        writer.field(fields[h.addOn])
        writer.field(fields[h.primary])
        writer.field(type)
        writer.field(effective ?? [])
        writer.field(deletion ?? openDeletionDate)
        writer.field(addOnDeletion ?? openDeletionDate)
        writer.field(primaryDeletion ?? openDeletionDate)
        writer.field(h.notes.map { fields[$0] } ?? "")
        writer.endRow()
        stats.rowsWritten += 1
    }
}
