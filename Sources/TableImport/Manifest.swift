import ClaimModel
import Foundation

/// The provenance note written beside the tables (`<release>.manifest.json`): the release, each source
/// file's name, size, SHA-256 and row counts, each table's file, digest, columns and key, so that a pack
/// can cite exactly what it loads. It holds no clock time: importing the same files again writes the same
/// bytes.
struct Manifest: Encodable {
    struct Source: Encodable {
        var file: String
        var bytes: Int?
        var sha256: String?
        var rowsRead: Int
        var rowsWritten: Int
        var rowsSkipped: Int
    }

    var manifestVersion = 1
    var kind: String
    var release: String
    var effective: String
    var suggestedExpires: String?
    var sources: [Source]
    var tables: [OutputTable]
    var errors: Int
    var warnings: Int
    var notes: [String]

    init(report: ImportReport) {
        kind = report.kind.rawValue
        release = report.release ?? ""
        effective = report.effective?.description ?? ""
        suggestedExpires = report.suggestedExpires?.description
        sources = report.sources.map {
            Source(file: baseName($0.path), bytes: $0.bytes, sha256: $0.sha256, rowsRead: $0.rowsRead,
                   rowsWritten: $0.rowsWritten, rowsSkipped: $0.rowsSkipped)
        }
        tables = report.tables
        errors = report.issues.filter { $0.severity == .error }.count
        warnings = report.issues.count - errors
        notes = report.notes
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

extension ImportReport {
    /// A `tables:` entry for a rule pack (docs/rules.md) per table written, with `FILE_PREFIX` before each
    /// file name (the output directory as the pack sees it).
    public func packSnippet(filePrefix: String) -> String {
        var out = ""
        for table in tables {
            out += "  \(table.role):\n"
            out += "    file: \(filePrefix)\(table.file)\n"
            out += "    key: [\(table.key.joined(separator: ", "))]\n"
            if let column = table.rowEffective { out += "    row-effective: \(column)\n" }
            if let column = table.rowExpires { out += "    row-expires: \(column)\n" }
            if let release { out += "    release: \(release)\n" }
            if let effective { out += "    effective: \(effective)\n" }
            if let suggestedExpires { out += "    expires: \(suggestedExpires)\n" }
        }
        return out
    }
}
