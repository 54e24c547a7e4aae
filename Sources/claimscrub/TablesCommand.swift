import ArgumentParser
import Foundation
import TableImport

/// `claimscrub tables`: bring CMS's table releases into the rule packs.
struct TablesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "Import CMS's table releases (NCCI PTP, MUE, add-on codes, ICD-10-CM, PFS RVUs, HCPCS, place of service) for the rule packs.",
        subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read CMS's release files of one kind and write the tables the rule packs load, with a manifest.",
            discussion: """
                KIND and the FILEs it reads (docs/tables.md):
                  ncci-ptp  CMS's PTP text files (ccipra-v322r0-f1.txt … f4) or their
                            CSV twins; the repo's ncci-ptp-*.csv.gz copies. All FILEs
                            form one table.
                  mue       CMS's MUE CSVs (MCR_MUE_*_Eff_MM-DD-YYYY.csv); the repo's
                            ncci-mue-*.csv copies.
                  add-on    CMS's AOC workbook (AOC_V2026Q2-MCR.xlsx) or its sheet as
                            CSV; the repo's ncci-add-on-codes-*.csv copies.
                  icd10cm   one ICD-10-CM tabular XML file (.xml or .xml.gz).
                  pfs-rvu   CMS's PFS relative value file as CSV
                            (PPRRVU2026_Jul_nonQPP.csv: banner and caption rows).
                  hcpcs     CMS's HCPCS Level II ANWEB file as CSV
                            (HCPC2026_OCT_ANWEB.csv); descriptions not written.
                  pos       the place-of-service list as CSV (the repo's
                            place-of-service.csv); give --release and --effective.

                The release name and effective date come from the file names when
                they say them (v32.2 = 2026Q3, _Eff_07-01-2026, AOC_V2026Q2,
                April-1-2026, PPRRVU2026_Jul, HCPC2026_OCT); --release and --effective override them.

                Writes DIR/<release>.csv or .csv.gz (ICD-10-CM: five tables) and
                DIR/<release>.manifest.json, and prints a tables: entry for a pack.
                Malformed rows go to standard error as
                file:line:column: error[IMPORTnnn]: message, and are skipped.

                Exit codes: 0 every row imported; 1 some rows skipped (the tables
                hold every other row); 2 some file could not be read or used
                (nothing is written).
                """)

        @Argument(help: "What the files are: ncci-ptp, mue, add-on, icd10cm, pfs-rvu, hcpcs or pos.")
        var kind: String

        @Argument(help: "The release files (CMS's, or the repo's converted copies).")
        var files: [String]

        @Option(help: "The directory the tables and the manifest are written into (created if needed).")
        var out: String

        @Option(help: "The day the release takes effect (YYYY-MM-DD); default: from the file names.")
        var effective: DateArgument?

        @Option(help: "The release's name, which also names the output files; default: from the file names.")
        var release: String?

        func validate() throws {
            guard ImportKind(rawValue: kind) != nil else {
                throw ValidationError("unknown kind '\(kind)': use one of \(ImportKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !files.isEmpty else { throw ValidationError("give at least one file to import") }
        }

        func run() throws {
            guard let importKind = ImportKind(rawValue: kind) else { throw ExitCode(2) }
            let started = Date()
            let report = TableImporter.run(ImportRequest(
                kind: importKind, files: files, outputDirectory: out, release: release, effective: effective?.date))
            let seconds = Date().timeIntervalSince(started)
            for issue in report.issues { printError(issue.description) }
            if let failure = report.failure { printError("error: \(failure)") }
            for source in report.sources {
                let skipped = source.rowsSkipped > 0 ? ", \(source.rowsSkipped) skipped" : ""
                let state = source.readable ? "" : " (could not be read)"
                print("\(source.path): \(source.rowsRead) rows read, \(source.rowsWritten) written\(skipped)\(state)")
            }
            if report.hasUnreadableInput {
                printError("nothing was written: \(report.failure == nil ? "some file could not be read or used" : "the import could not run")")
                throw ExitCode(2)
            }
            print("Release \(report.release ?? "") effective \(report.effective.map { "\($0)" } ?? "")"
                + String(format: " (%.2f s)", seconds))
            for table in report.tables {
                print("  \(out)/\(table.file): \(table.rows) rows, sha256 \(table.sha256)")
            }
            if let manifest = report.manifest { print("  \(manifest)") }
            for note in report.notes { print("note: \(note)") }
            print("For a rule pack (tables:), with FILE relative to the pack file:")
            print(report.packSnippet(filePrefix: out.hasSuffix("/") ? out : out + "/"), terminator: "")
            if report.rowsSkipped > 0 || report.exitCode == 1 {
                let errors = report.issues.filter { $0.severity == .error }.count
                printError("\(report.rowsSkipped) rows skipped (\(errors) problems listed above)")
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
