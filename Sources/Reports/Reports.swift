import ClaimModel
import Foundation
import RuleGraph
import Rules
import X12

/// The scrub report: one JSON shape for the CLI, the HTTP API and the web page (docs/report.md), and the
/// text and CSV renderings of the same content.
public struct ScrubReport: Codable, Sendable {
    public static let currentVersion = 1

    public struct PackInfo: Codable, Sendable {
        public var name: String
        public var version: String?
        public var effective: String?
        public var expires: String?
        public var extends: String?
        public var file: String
    }

    public struct RuleSetInfo: Codable, Sendable {
        public var version: String
        public var packs: [PackInfo]
    }

    public struct Source: Codable, Sendable {
        public var file: String
        public var segment: Int?
    }

    public struct PayerInfo: Codable, Sendable {
        public var id: String?
        public var name: String?
    }

    public struct LineInfo: Codable, Sendable {
        public var number: Int
        public var lx: String?
        public var code: String?
        public var modifiers: [String]
        public var units: Double?
        public var dateOfService: String?
    }

    public struct ClaimEntry: Codable, Sendable {
        public var claimId: String
        public var source: Source?
        public var payer: PayerInfo?
        public var chargeCents: Int64?
        public var status: String
        public var lines: [LineInfo]
        public var edits: [Edit]
        public var notChecked: [NotChecked]
        public var staleTables: [String]
    }

    public struct ReadError: Codable, Sendable {
        public var file: String
        public var segment: Int
        public var segmentId: String
        public var element: String?
        public var code: String
        public var claimId: String?
        public var message: String

        public init(file: String, segment: Int, segmentId: String, element: String?, code: String, claimId: String?,
                    message: String) {
            self.file = file; self.segment = segment; self.segmentId = segmentId; self.element = element
            self.code = code; self.claimId = claimId; self.message = message
        }
    }

    public struct Summary: Codable, Sendable {
        public var claims: Int
        public var clean: Int
        public var warning: Int
        public var error: Int
        public var edits: Int
        public var readErrors: Int
        public var warnings: Int
    }

    public var reportVersion: Int
    public var ruleSet: RuleSetInfo
    public var today: String?
    public var asOf: String?
    public var claims: [ClaimEntry]
    public var readErrors: [ReadError]
    public var warnings: [ReadError]
    public var summary: Summary

    public init(ruleSet: RuleSet, claims: [Claim], results: [ClaimResult], issues: [X12Issue], inputErrors: [ReadError] = [],
                today: CalendarDate?, asOf: CalendarDate?) {
        reportVersion = Self.currentVersion
        self.ruleSet = RuleSetInfo(version: ruleSet.version, packs: ruleSet.packs.map {
            PackInfo(name: $0.name, version: $0.label, effective: $0.window.effective?.description,
                     expires: $0.window.expires?.description, extends: $0.extends, file: $0.file)
        })
        self.today = today?.description
        self.asOf = asOf?.description
        self.claims = zip(claims, results).map { claim, result in
            ClaimEntry(
                claimId: claim.id,
                source: claim.source.map { Source(file: $0.file, segment: $0.segment) },
                payer: claim.payer.map { PayerInfo(id: $0.id, name: $0.name) },
                chargeCents: claim.totalCharge.cents, status: result.status,
                lines: claim.lines.map {
                    LineInfo(number: $0.number, lx: $0.lx, code: $0.procedureCode?.text, modifiers: $0.modifiers.map(\.text),
                             units: $0.units?.value, dateOfService: $0.serviceDate?.description)
                },
                edits: result.edits, notChecked: result.notChecked, staleTables: result.staleTables)
        }
        func entry(_ issue: X12Issue) -> ReadError {
            ReadError(file: issue.location.file, segment: issue.location.segment, segmentId: issue.location.segmentID,
                      element: issue.location.element == nil ? nil : issue.location.reference, code: issue.code,
                      claimId: issue.claimID, message: issue.message)
        }
        readErrors = issues.filter { $0.severity == .error }.map(entry) + inputErrors
        warnings = issues.filter { $0.severity == .warning }.map(entry)
        let statuses = results.map(\.status)
        summary = Summary(claims: claims.count, clean: statuses.filter { $0 == "clean" }.count,
                          warning: statuses.filter { $0 == "warning" }.count, error: statuses.filter { $0 == "error" }.count,
                          edits: results.reduce(0) { $0 + $1.edits.count }, readErrors: readErrors.count,
                          warnings: warnings.count)
    }

    enum CodingKeys: String, CodingKey {
        case reportVersion, ruleSet, today, asOf, claims, readErrors, warnings, summary
    }

    /// `today` and `asOf` are written as null when not set (the shape never depends on the run).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reportVersion, forKey: .reportVersion)
        try container.encode(ruleSet, forKey: .ruleSet)
        try container.encode(today, forKey: .today)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(claims, forKey: .claims)
        try container.encode(readErrors, forKey: .readErrors)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(summary, forKey: .summary)
    }

    /// True when some edit has error severity.
    public var hasErrorEdits: Bool { summary.error > 0 }
}

/// Renders a report as text, JSON or CSV.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, csv
}

public enum ReportRenderer {
    public static func render(_ report: ScrubReport, as format: ReportFormat, color: Bool = false) -> String {
        switch format {
        case .json: return json(report)
        case .csv: return csv(report)
        case .text: return text(report, color: color)
        }
    }

    public static func json(_ report: ScrubReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static let csvColumns = ["claim_id", "source_file", "source_segment", "line", "code", "rule_id", "pack", "severity",
                             "carc", "rarc", "category", "related_claim", "related_line", "message", "fix", "rule_file",
                             "rule_line", "citation", "stale"]

    public static func csv(_ report: ScrubReport) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [csvColumns.joined(separator: ",")]
        for claim in report.claims {
            for edit in claim.edits {
                let code = edit.line.flatMap { number in claim.lines.first { $0.number == number }?.code } ?? ""
                let row = [claim.claimId, claim.source?.file ?? "", claim.source?.segment.map(String.init) ?? "",
                           edit.line.map(String.init) ?? "", code, edit.ruleID, edit.pack, edit.severity.rawValue,
                           edit.carc ?? "", edit.rarc.joined(separator: " "), edit.category, edit.related?.claimID ?? "",
                           edit.related.map { String($0.line) } ?? "", edit.message, edit.fix ?? "", edit.location.file,
                           String(edit.location.line), edit.citation, edit.stale ? "true" : "false"]
                lines.append(row.map(field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func text(_ report: ScrubReport, color: Bool) -> String {
        let red = color ? "\u{1B}[31m" : "", yellow = color ? "\u{1B}[33m" : "", green = color ? "\u{1B}[32m" : ""
        let dim = color ? "\u{1B}[2m" : "", bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = ""
        let packs = report.ruleSet.packs.map { $0.name + ($0.version.map { " \($0)" } ?? "") }.joined(separator: ", ")
        out += "Rule set \(report.ruleSet.version.prefix(12)) (\(packs))"
        if let asOf = report.asOf { out += ", rules as of \(asOf)" }
        if let today = report.today { out += ", filing on \(today)" }
        out += "\n"
        var staleShown = Set<String>()
        for claim in report.claims {
            let mark: String
            switch claim.status {
            case "error": mark = "\(red)✗ error\(reset)"
            case "warning": mark = "\(yellow)! warning\(reset)"
            default: mark = "\(green)✓ clean\(reset)"
            }
            let charge = claim.chargeCents.map { Money(cents: $0).description } ?? "?"
            let payer = claim.payer?.name ?? claim.payer?.id ?? "no payer"
            let source = claim.source.map { " \(dim)(\($0.file), segment \($0.segment.map(String.init) ?? "?"))\(reset)" } ?? ""
            out += "\n\(bold)Claim \(claim.claimId)\(reset)  \(payer)  $\(charge)  \(mark)\(source)\n"
            for edit in claim.edits {
                let lineText: String
                if let number = edit.line, let line = claim.lines.first(where: { $0.number == number }) {
                    let modifiers = line.modifiers.isEmpty ? "" : "-" + line.modifiers.joined(separator: "-")
                    lineText = "line \(number) \(line.code ?? "?")\(modifiers)"
                } else {
                    lineText = "claim"
                }
                let severity: String
                switch edit.severity {
                case .error: severity = "\(red)error\(reset)"
                case .warning: severity = "\(yellow)warning\(reset)"
                case .info: severity = "info"
                }
                let carc = edit.carc.map { " \($0)" } ?? ""
                let rarc = edit.rarc.isEmpty ? "" : " (" + edit.rarc.joined(separator: ", ") + ")"
                out += "  \(lineText): \(severity)\(carc)\(rarc) [\(edit.ruleID)] \(edit.message)\(edit.stale ? " (stale table)" : "")\n"
                if let fix = edit.fix { out += "      fix: \(fix)\n" }
                out += "      \(dim)rule \(edit.pack)/\(edit.ruleID) \(edit.ruleVersion) at \(edit.location.file):\(edit.location.line); \(edit.citation)\(reset)\n"
                for step in edit.explanation ?? [] { out += "      \(dim)because \(step)\(reset)\n" }
            }
            for finding in claim.notChecked {
                let what = [finding.ruleID.map { "rule \($0)" }, finding.table.map { "table \($0)" }].compactMap { $0 }.joined(separator: ", ")
                out += "  \(dim)not checked: \(what): \(finding.reason)\(reset)\n"
            }
            for note in claim.staleTables where staleShown.insert(note).inserted {
                out += "  \(yellow)note:\(reset) \(note)\n"
            }
        }
        if !report.readErrors.isEmpty {
            out += "\nClaims that could not be read:\n"
            for error in report.readErrors {
                out += "  \(error.file): segment \(error.segment) (\(error.element ?? error.segmentId)): \(error.message)\n"
            }
        }
        let s = report.summary
        out += "\n\(s.claims) claim\(s.claims == 1 ? "" : "s"): \(s.clean) clean, \(s.warning) with warnings, \(s.error) with errors; \(s.edits) edit\(s.edits == 1 ? "" : "s")"
        if s.readErrors > 0 { out += "; \(s.readErrors) reading error\(s.readErrors == 1 ? "" : "s")" }
        if s.warnings > 0 { out += "; \(s.warnings) reading warning\(s.warnings == 1 ? "" : "s") (see --format json)" }
        return out + "\n"
    }
}
