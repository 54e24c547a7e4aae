import Tables

/// Medically unlikely edits: CMS's MUE CSVs (`MCR_MUE_PractitionerServices_Eff_07-01-2026.csv`: the AMA
/// notice record, the header with `"HCPCS/␊CPT Code"`, MAI cells such as `2 Date of Service Edit: Policy`,
/// Latin-1) and the repo's narrow copies (`hcpcs_code,mue_units,mue_mai,mue_rationale,mue_service`).
struct MUEImporter {
    /// The columns written, as the shipped MUE tables and `docs/examples/starter/starter.yaml` name them.
    static let columns = ["hcpcs_code", "mue_units", "mue_mai", "mue_rationale", "mue_service"]

    /// CMS's text after each adjudication indicator digit (compared ignoring case, spaces and punctuation).
    static let indicatorTexts: [UInt8: String] = [
        0x31: "Line Edit",
        0x32: "Date of Service Edit: Policy",
        0x33: "Date of Service Edit: Clinical",
    ]

    struct Header: HeaderMap {
        var code: Int
        var units: Int
        var indicator: Int
        var rationale: Int?
        var service: Int?
        /// The setting named by CMS's units header (`Practitioner Services MUE Values` → `Practitioner`).
        var serviceFromHeader: String
        var keyColumns: [Int] { [code] }
    }

    static func header(_ names: [String]) -> Header? {
        var code: Int?, units: Int?, mai: Int?, rationale: Int?, service: Int?
        var setting = ""
        for (index, raw) in names.enumerated() {
            let name = normalizedName(raw)
            if name.isEmpty { continue }
            if name == "hcpcscptcode" || name == "hcpcscode" || name == "hcpcs" { code = code ?? index }
            else if name == "mueunits" || name.hasSuffix("muevalues") || name.hasSuffix("muevalue") {
                if units == nil {
                    units = index
                    // "Practitioner Services MUE Values" → "Practitioner".
                    let words = raw.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" }).map(String.init)
                    if let at = words.firstIndex(where: { $0.lowercased() == "services" }), at > 0 {
                        setting = words[..<at].joined(separator: " ")
                    }
                }
            }
            else if name.contains("adjudicationindicator") || name == "muemai" { mai = mai ?? index }
            else if name.contains("rationale") { rationale = rationale ?? index }
            else if name == "mueservice" { service = service ?? index }
        }
        guard let code, let units, let mai else { return nil }
        return Header(code: code, units: units, indicator: mai, rationale: rationale, service: service, serviceFromHeader: setting)
    }

    let writer: TableWriter
    let issues: IssueSink
    /// Codes written so far, with where: one row per code.
    private var seen: [String: (file: String, line: Int)] = [:]

    init(writer: TableWriter, issues: IssueSink) {
        self.writer = writer
        self.issues = issues
    }

    mutating func importFile(_ path: String, stats: inout SourceStats) -> Bool {
        readDelimited(
            path: path, tab: PTPImporter.isTabDelimited(path), issues: issues, stats: &stats,
            what: "MUEs (HCPCS/CPT Code, MUE Values, MUE Adjudication Indicator)",
            header: MUEImporter.header,
            row: { reader, header, stats in self.row(reader, header, path: path, stats: &stats) })
    }

    /// The indicator digit of a cell (`3`, `3 Date of Service Edit: Clinical`), or why it is not one.
    static func indicator(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<UInt8, IndicatorError> {
        guard let first = bytes.first, let expected = indicatorTexts[first] else { return .failure(.notAnIndicator) }
        if bytes.count == 1 { return .success(first) }
        let rest = String(decoding: UnsafeBufferPointer(rebasing: bytes[1...]), as: UTF8.self)
        guard rest.first == " " else { return .failure(.notAnIndicator) }
        return normalizedName(rest) == normalizedName(expected) ? .success(first) : .failure(.textDisagrees(expected))
    }

    enum IndicatorError: Error {
        case notAnIndicator
        /// The digit's text is this, not what the cell says.
        case textDisagrees(String)
    }

    private mutating func row(_ reader: borrowing RecordReader, _ h: Header, path: String, stats: inout SourceStats) {
        let line = reader.line
        var bad = false
        func fail(_ code: String, _ index: Int, _ field: String, _ message: String) {
            bad = true
            issues.error(code, file: path, line: line, column: reader.location(ofField: index).column, field: field,
                         message + "; the row is skipped")
        }
        var code = ""
        reader.withField(h.code) { bytes in
            if isProcedureCode(bytes) {
                code = String(decoding: bytes, as: UTF8.self)
            } else {
                fail(ImportIssue.badCode, h.code, "HCPCS/CPT Code",
                     "HCPCS/CPT code \(shown(bytes)) is not a code (5 digits or capital letters)")
            }
        }
        reader.withField(h.units) { bytes in
            if bytes.isEmpty || bytes.count > 6 || !bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                fail(ImportIssue.badValue, h.units, "MUE Values", "MUE value \(shown(bytes)) is not a whole number of units")
            }
        }
        var digit: UInt8 = 0
        reader.withField(h.indicator) { bytes in
            switch MUEImporter.indicator(bytes) {
            case .success(let value): digit = value
            case .failure(.notAnIndicator):
                fail(ImportIssue.badValue, h.indicator, "MUE Adjudication Indicator",
                     "adjudication indicator \(shown(bytes)) is not 1, 2 or 3 (optionally followed by CMS's text)")
            case .failure(.textDisagrees(let expected)):
                fail(ImportIssue.badValue, h.indicator, "MUE Adjudication Indicator",
                     "adjudication indicator \(shown(bytes)) contradicts itself: \(Character(Unicode.Scalar(bytes[0]))) is '\(expected)'")
            }
        }
        if !bad, let first = seen[code] {
            bad = true
            issues.error(ImportIssue.duplicate, file: path, line: line, column: reader.location(ofField: h.code).column,
                         field: "HCPCS/CPT Code",
                         "code \(code) already has an MUE (\(first.file):\(first.line)); the row is skipped")
        }
        if bad {
            stats.rowsSkipped += 1
            return
        }
        seen[code] = (path, line)
        reader.withField(h.code) { writer.field($0) }
        reader.withField(h.units) { writer.field($0) }
        writer.field([digit])
        if let index = h.rationale { reader.withField(index) { writer.field($0) } } else { writer.field([]) }
        if let index = h.service { reader.withField(index) { writer.field($0) } } else { writer.field(h.serviceFromHeader) }
        writer.endRow()
        stats.rowsWritten += 1
    }
}
