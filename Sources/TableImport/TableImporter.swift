import ClaimModel
import Foundation
import Tables

/// The kinds of CMS release file `claimscrub tables import` reads.
public enum ImportKind: String, CaseIterable, Sendable {
    /// NCCI procedure-to-procedure edits.
    case ptp = "ncci-ptp"
    /// NCCI medically unlikely edits.
    case mue
    /// NCCI add-on code edits.
    case addOn = "add-on"
    /// The ICD-10-CM tabular list (XML).
    case icd10cm
    /// The Physician Fee Schedule relative value file (PPRRVU).
    case pfsRVU = "pfs-rvu"
    /// HCPCS Level II codes and modifiers (CMS's ANWEB file).
    case hcpcs
    /// The place-of-service code set.
    case pos
}

/// One import: the files of one release of one kind, into one output directory.
public struct ImportRequest: Sendable {
    public var kind: ImportKind
    public var files: [String]
    public var outputDirectory: String
    /// The release's name (`NCCI-PTP-PRACTITIONER-2026Q3`); nil: from the file names.
    public var release: String?
    /// The day the release takes effect; nil: from the file names.
    public var effective: CalendarDate?

    public init(kind: ImportKind, files: [String], outputDirectory: String, release: String? = nil, effective: CalendarDate? = nil) {
        self.kind = kind
        self.files = files
        self.outputDirectory = outputDirectory
        self.release = release
        self.effective = effective
    }
}

/// A table file an import wrote, with what a pack needs to declare it.
public struct OutputTable: Hashable, Sendable, Codable {
    /// What the table is, within its kind (`ptp`, `mue`, `add-on`, `codes`, `excludes1` …).
    public var role: String
    /// The file name inside the output directory.
    public var file: String
    public var rows: Int
    /// SHA-256 of the file as stored (`Tables.ContentHash`; compressed for `.gz`).
    public var sha256: String
    public var columns: [String]
    /// The key a pack's lookups use.
    public var key: [String]
    public var rowEffective: String?
    public var rowExpires: String?
}

/// What an import did: the release, every source file's counts and digest, the tables written, and every
/// problem located in its file.
public struct ImportReport: Sendable {
    public var kind: ImportKind
    public var release: String?
    public var effective: CalendarDate?
    /// The day before the kind's next scheduled update, suggested as the pack's `expires`.
    public var suggestedExpires: CalendarDate?
    public var sources: [SourceStats] = []
    public var tables: [OutputTable] = []
    /// The manifest file written beside the tables (nil when nothing was written).
    public var manifest: String?
    public var issues: [ImportIssue] = []
    /// Why nothing could be imported at all (no release name, output directory unusable …).
    public var failure: String?
    /// Notes on what the output means (written into the manifest too).
    public var notes: [String] = []

    /// Rows skipped as malformed, over all files.
    public var rowsSkipped: Int { sources.reduce(0) { $0 + $1.rowsSkipped } }
    /// Some file could not be read (or used), or the import could not start.
    public var hasUnreadableInput: Bool { failure != nil || sources.contains { !$0.readable } }

    /// 0: every row imported; 1: some rows skipped (the tables hold the rest); 2: some file could not be
    /// read or used, and nothing was written.
    public var exitCode: Int32 { hasUnreadableInput ? 2 : (rowsSkipped > 0 || issues.contains { $0.severity == .error }) ? 1 : 0 }
}

/// Runs imports.
public enum TableImporter {
    /// Reads every file of the request and writes the tables and the manifest into the output directory.
    /// Nothing is written when a file cannot be read (a table missing a file's rows would pass claims).
    public static func run(_ request: ImportRequest) -> ImportReport {
        var report = ImportReport(kind: request.kind)
        guard !request.files.isEmpty else {
            report.failure = "no input file"
            return report
        }
        // The release: as given, else from the file names (which must agree).
        let guesses = request.files.map { ReleaseGuess.from(fileName: $0, kind: request.kind) }
        let distinct = Set(guesses.compactMap { $0 })
        if distinct.count > 1 && (request.release == nil || request.effective == nil) {
            report.failure = "the file names name different releases ("
                + distinct.map { "\($0.name) from \($0.effective)" }.sorted().joined(separator: ", ")
                + "); import each release on its own, or give --release and --effective"
            return report
        }
        let guess = distinct.first
        report.release = request.release ?? guess?.name
        report.effective = request.effective ?? guess?.effective
        guard let release = report.release, let effective = report.effective else {
            report.failure = "the file names do not say which release this is: give "
                + [report.release == nil ? "--release NAME" : nil, report.effective == nil ? "--effective YYYY-MM-DD" : nil]
                    .compactMap { $0 }.joined(separator: " and ")
            return report
        }
        guard release.unicodeScalars.allSatisfy({ ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }),
              !release.isEmpty, !release.hasPrefix(".") else {
            report.failure = "release name '\(release)' must be letters, digits, '-', '_' or '.' (it names the output files)"
            return report
        }
        report.suggestedExpires = ReleaseGuess.suggestedExpiry(kind: request.kind, effective: effective)
        do {
            try FileManager.default.createDirectory(atPath: request.outputDirectory, withIntermediateDirectories: true)
        } catch {
            report.failure = "cannot create the output directory \(request.outputDirectory): \(error.localizedDescription)"
            return report
        }
        let stem = release.lowercased()
        let issues = IssueSink()
        var outputs: [PendingTable] = []
        do {
            switch request.kind {
            case .ptp:
                let table = try PendingTable(
                    role: "ptp", directory: request.outputDirectory, file: stem + ".csv.gz", columns: PTPImporter.columns,
                    key: ["column_1", "column_2"], rowEffective: "effective_date", rowExpires: "deletion_date")
                outputs = [table]
                var importer = PTPImporter(writer: table.writer, issues: issues)
                for file in request.files {
                    var stats = SourceStats(path: file)
                    stats.readable = importer.importFile(file, stats: &stats)
                    report.sources.append(stats)
                }
                if !importer.filesWithoutEffective.isEmpty {
                    report.notes.append(
                        "No effective-date column in " + importer.filesWithoutEffective.map(baseName).joined(separator: ", ")
                            + ": effective_date is empty (open) on its rows; they are in force from the release's effective date up to their deletion date.")
                }
                report.notes.append("deletion_date 99991231 means no deletion date (CMS writes '*').")
            case .mue:
                let table = try PendingTable(
                    role: "mue", directory: request.outputDirectory, file: stem + ".csv", columns: MUEImporter.columns,
                    key: ["hcpcs_code"], rowEffective: nil, rowExpires: nil)
                outputs = [table]
                var importer = MUEImporter(writer: table.writer, issues: issues)
                for file in request.files {
                    var stats = SourceStats(path: file)
                    stats.readable = importer.importFile(file, stats: &stats)
                    report.sources.append(stats)
                }
                report.notes.append("mue_mai is the adjudication indicator's digit (1 line, 2 date of service: policy, 3 date of service: clinical); CMS's MUE files have no per-row dates, so rows are in force for the whole release.")
            case .addOn:
                let table = try PendingTable(
                    role: "add-on", directory: request.outputDirectory, file: stem + ".csv", columns: AddOnImporter.columns,
                    key: ["add_on_code", "primary_code"], rowEffective: "effective_date", rowExpires: "deletion_date")
                outputs = [table]
                var importer = AddOnImporter(writer: table.writer, issues: issues)
                for file in request.files {
                    var stats = SourceStats(path: file)
                    stats.readable = importer.importFile(file, stats: &stats)
                    report.sources.append(stats)
                }
                report.notes.append(contentsOf: importer.notes)
            case .pfsRVU:
                // Two tables: each code's global row keyed on the code alone, and the rows with a modifier keyed on
                // code and modifier (an empty modifier would be an empty key field, which a pack cannot load).
                let table = try PendingTable(
                    role: "pfs-rvu", directory: request.outputDirectory, file: stem + ".csv", columns: PFSImporter.globalColumns,
                    key: ["hcpcs"], rowEffective: nil, rowExpires: nil)
                let modifiers = try PendingTable(
                    role: "pfs-rvu-modifiers", directory: request.outputDirectory, file: stem + "-modifiers.csv",
                    columns: PFSImporter.columns, key: ["hcpcs", "modifier"], rowEffective: nil, rowExpires: nil)
                outputs = [table, modifiers]
                var importer = PFSImporter(writer: table.writer, modifierWriter: modifiers.writer, issues: issues)
                for file in request.files {
                    var stats = SourceStats(path: file)
                    stats.readable = importer.importFile(file, stats: &stats)
                    report.sources.append(stats)
                }
                let halves = importer.finish()
                for index in report.sources.indices {
                    guard let counts = halves[report.sources[index].path] else { continue }
                    report.sources[index].rowsWritten += counts.written
                    report.sources[index].rowsSkipped += counts.skipped
                }
                if !halves.isEmpty {
                    report.notes.append("Rows of the repo's converted copies (pfs-rvu-indicators, pfs-rvu-amounts) are joined on code and modifier; their numbers are as northstar printed them (0.00 as 0).")
                }
                report.notes.append("One row per code and modifier (modifier empty, 26, TC, 53 …), as CMS lists them: each code's global row (no modifier) in the pfs-rvu table, keyed on hcpcs; the rows with a modifier in pfs-rvu-modifiers, keyed on hcpcs and modifier; the PFS file has no per-row dates: rows are in force for the whole release. RVUs and the conversion factor are written as CMS prints them; *_na_indicator is NA where CMS does not price the service in that setting (its PE RVU is then not used). The description column (CPT descriptors) is not read.")
                if !importer.filesWithoutConversionFactor.isEmpty {
                    report.notes.append("No CONV FACTOR column in " + importer.filesWithoutConversionFactor.map(baseName).joined(separator: ", ") + ": conversion_factor is empty.")
                }
            case .hcpcs:
                let table = try PendingTable(
                    role: "hcpcs", directory: request.outputDirectory, file: stem + ".csv", columns: HCPCSImporter.columns,
                    key: ["hcpcs"], rowEffective: "add_date", rowExpires: "termination_date")
                outputs = [table]
                var importer = HCPCSImporter(writer: table.writer, issues: issues)
                for file in request.files {
                    var stats = SourceStats(path: file)
                    stats.readable = importer.importFile(file, stats: &stats)
                    report.sources.append(stats)
                }
                report.notes.append("One row per HCPCS Level II code (RECID 3) and modifier (RECID 7, two characters), CMS's columns without the long and short descriptions; dates YYYYMMDD, termination_date 99991231 when none. A code is valid from add_date to termination_date; action_effective_date is when action_code (the latest change) took effect.")
                if !importer.repoCopies.isEmpty {
                    report.notes.append("Read in the repo's converted layout (northstar's columns, ISO dates): " + importer.repoCopies.map(baseName).joined(separator: ", ")
                        + ". Its joined cells are split back into CMS's numbered columns (price on ':' into price1-price2, tos on ':' into tos1-tos4, cim on ', ' into cim1-cim2, mcm into mcm1-mcm3, lab into labcert1-labcert4, xref into xref1-xref2); recid is 3 (every code of the copy is a 5-character procedure code; the copy has no modifier records).")
                }
                if importer.continuations > 0 {
                    report.notes.append("\(importer.continuations) description continuation records (RECID 4 or 8) were read and not written (they hold only description text).")
                }
                for (file, missing) in importer.missingColumns.sorted(by: { $0.key < $1.key }) {
                    report.notes.append("Not in \(baseName(file)), written empty: " + missing.joined(separator: ", ") + ".")
                }
            case .pos:
                let table = try PendingTable(
                    role: "pos", directory: request.outputDirectory, file: stem + ".csv", columns: POSImporter.columns,
                    key: ["pos"], rowEffective: "effective_date", rowExpires: "termination_date")
                outputs = [table]
                var importer = POSImporter(writer: table.writer, issues: issues)
                for file in request.files {
                    var stats = SourceStats(path: file)
                    stats.readable = importer.importFile(file, stats: &stats)
                    report.sources.append(stats)
                }
                report.notes.append("One row per place-of-service code, unassigned codes included (name 'Unassigned'); effective_date empty when the source has none (in force from the release's effective date), termination_date 99991231 when none.")
                if !importer.filesWithSetting.isEmpty {
                    report.notes.append("facility_setting (Facility / Non-Facility / Unassigned) is from " + importer.filesWithSetting.map(baseName).joined(separator: ", ") + ": northstar's annotation (the PFS setting), not part of CMS's list.")
                }
            case .icd10cm:
                var importer = try ICD10CMImporter(directory: request.outputDirectory, stem: stem, issues: issues)
                outputs = importer.tables
                for file in request.files {
                    var stats = SourceStats(path: file)
                    stats.readable = importer.importFile(file, stats: &stats)
                    report.sources.append(stats)
                }
                if !report.hasUnreadableInput {
                    importer.finish()
                    report.sources[0].rowsWritten = importer.codesWritten
                }
                report.notes.append(contentsOf: importer.notes)
            }
        } catch {
            report.failure = error.description
            outputs.forEach { $0.writer.discard() }
            report.issues = issues.list.finished()
            return report
        }
        report.issues = issues.list.finished()
        for index in report.sources.indices {
            let path = report.sources[index].path
            report.sources[index].sha256 = ContentHash.sha256(fileAt: path)
            report.sources[index].bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        }
        if report.hasUnreadableInput {
            outputs.forEach { $0.writer.discard() }
            return report
        }
        do {
            var written: [OutputTable] = []
            for table in outputs {
                let digest = try table.writer.finish()
                written.append(OutputTable(
                    role: table.role, file: table.file, rows: table.writer.rows, sha256: digest, columns: table.columns,
                    key: table.key, rowEffective: table.rowEffective, rowExpires: table.rowExpires))
            }
            report.tables = written
            for table in outputs { try table.writer.commit() }
            let manifestPath = request.outputDirectory + "/" + stem + ".manifest.json"
            try Manifest(report: report).write(to: manifestPath)
            report.manifest = manifestPath
        } catch let error as WriteError {
            outputs.forEach { $0.writer.discard() }
            report.tables = []
            report.failure = error.description
        } catch {
            outputs.forEach { $0.writer.discard() }
            report.tables = []
            report.failure = "cannot write the manifest: \(error)"
        }
        return report
    }
}

/// A table being written.
final class PendingTable {
    let role: String
    let file: String
    let columns: [String]
    let key: [String]
    let rowEffective: String?
    let rowExpires: String?
    let writer: TableWriter

    init(role: String, directory: String, file: String, columns: [String], key: [String], rowEffective: String?, rowExpires: String?) throws(WriteError) {
        self.role = role
        self.file = file
        self.columns = columns
        self.key = key
        self.rowEffective = rowEffective
        self.rowExpires = rowExpires
        writer = try TableWriter(path: directory + "/" + file)
        writer.header(columns)
    }
}

func baseName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
