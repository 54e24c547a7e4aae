import ArgumentParser
import ClaimModel
import Engine
import Foundation
import Reports
import RuleGraph
import X12

/// `claimscrub scrub`: checks claims against the rules and prints the edits.
struct ScrubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrub",
        abstract: "Check claims (X12 837 files or JSON claims) against the rules and report every edit.",
        discussion: """
            Each line is checked against the rules and table releases in force on its date of service, unless
            --as-of is given. The report goes to standard output; rule and reading problems go to standard error.
            Exit codes: 0 no error edit; 1 some error-severity edit; 2 some input or rule file could not be read.
            """)

    @Argument(help: "Claim files: X12 837P/837I, or JSON claims (.json).")
    var files: [String]

    @Option(name: .customLong("rules"), help: "Rules directory (or file); repeat to load several.")
    var rules: [String] = ["Rules"]

    @Option(help: "Report format: text, json or csv.")
    var format: Format = .text

    @Option(help: "The day the claims are filed (YYYY-MM-DD); default: each file's creation date (BHT04).")
    var today: DateArgument?

    @Option(name: .customLong("as-of"), help: "Evaluate with the rules as they stood on this date (YYYY-MM-DD).")
    var asOf: DateArgument?

    @Option(help: "Claims already sent (X12 or JSON), for pairs, day totals and duplicates across claims.")
    var history: [String] = []

    @Flag(help: "Show, for each edit, the conditions that held.")
    var explain = false

    @Option(help: ArgumentHelp(
        "Write DIR/ready.837 (the claims with no error edit) and DIR/held.837 (the others), each with its own envelopes.",
        valueName: "DIR"))
    var release: String?

    @Option(name: .customLong("control-number"),
            help: "First interchange/group control number of the released files; default: the next one DIR keeps from its last release, or from the clock.")
    var controlNumber: Int?

    @Flag(name: .customLong("hold-not-checked"),
          help: "With --release: hold also the claims some rule could not check (no table release for the date of service).")
    var holdNotChecked = false

    func validate() throws {
        if holdNotChecked && release == nil { throw ValidationError("--hold-not-checked goes with --release DIR") }
        if release != nil, let json = files.first(where: { $0.hasSuffix(".json") }) {
            throw ValidationError("--release copies X12 segments; \(json) is a JSON claims file (convert nothing back: scrub X12 files to release them)")
        }
        if let controlNumber, !(1...999_999_999).contains(controlNumber) {
            throw ValidationError("--control-number must be 1…999999999 (nine digits in ISA13)")
        }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    func run() throws {
        let (loaded, result) = Scrubber.load(rules: rules)
        report(result)
        guard let scrubber = loaded else { throw ExitCode(2) }
        let batch = ClaimInput.read(files)
        let past = ClaimInput.read(history)
        for issue in past.issues where issue.severity == .error { printError("history: \(issue)") }
        let context = EvaluationContext(today: today?.date, asOf: asOf?.date, history: past.claims, explain: explain)
        let scrubReport = scrubber.scrub(batch, context: context)
        let reportFormat = ReportFormat(rawValue: format.rawValue) ?? .text
        FileHandle.standardOutput.write(Data(ReportRenderer.render(scrubReport, as: reportFormat, color: isTerminal(1)).utf8))
        for issue in batch.issues where issue.severity == .error { printError(issue.description) }
        for error in batch.inputErrors { printError("\(error.file): error[\(error.code)]: \(error.message)") }
        if let release, !writeRelease(into: release, report: scrubReport, batch: batch) { throw ExitCode(2) }
        if batch.hasUnreadableInput || past.hasUnreadableInput { throw ExitCode(2) }
        if scrubReport.hasErrorEdits { throw ExitCode(1) }
    }
}

extension ScrubCommand {
    /// Writes the ready and held files; false (with the reasons on standard error) when they could not be
    /// written or a claim of the report is in neither.
    func writeRelease(into directory: String, report: ScrubReport, batch: ClaimBatch) -> Bool {
        guard let timestamp = ClaimRelease.now() else {
            printError("release: error: the time of writing (UTC) could not be read from the clock")
            return false
        }
        let summary: ClaimRelease.Summary
        do {
            summary = try ClaimRelease.write(report, inputs: files, directory: directory,
                                             firstControlNumber: controlNumber, writtenAt: timestamp,
                                             holdNotChecked: holdNotChecked)
        } catch {
            printError(error.description)
            return false
        }
        for issue in summary.issues { printError("release: \(issue)") }
        for key in summary.missing {
            printError("\(key.file): segment \(key.segment): error[RELEASE-MISSING]: the claim was scrubbed but could not be copied to the release")
        }
        let unreadable = batch.issues.filter { $0.severity == .error }.count
        func describe(_ output: X12Release.Output) -> String {
            output.claims == 0 ? "no claim (no file written)" : "\(output.claims) claim\(output.claims == 1 ? "" : "s") in \(output.path)"
        }
        printError("release: ready \(describe(summary.ready)); held \(describe(summary.held)); "
                   + "\(unreadable) reading error\(unreadable == 1 ? "" : "s") (claims left out are listed above)")
        return summary.isComplete
    }
}
