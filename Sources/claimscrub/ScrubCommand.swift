import ArgumentParser
import ClaimModel
import Engine
import Foundation
import Reports
import RuleGraph

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
        if batch.hasUnreadableInput || past.hasUnreadableInput { throw ExitCode(2) }
        if scrubReport.hasErrorEdits { throw ExitCode(1) }
    }
}
