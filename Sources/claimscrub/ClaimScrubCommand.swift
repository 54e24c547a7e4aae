import ArgumentParser

/// `claimscrub`: checks US medical claims before they are submitted.
@main
struct ClaimScrubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimscrub",
        abstract: "Check medical claims (X12 837P/837I) against payer and compliance rules before they are submitted.",
        discussion: """
            Exit codes: 0 success; 1 some error-severity edit; 2 some input could not be read or used.
            The report goes to standard output; diagnostics and progress go to standard error.
            """,
        version: "0.1.0",
        subcommands: [ConvertCommand.self, ScrubCommand.self, RulesCommand.self, TablesCommand.self])
}
