import ArgumentParser
import ClaimModel
import Foundation
import Rules

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// True when standard output (or error) is a terminal, for colour.
func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

/// A `YYYY-MM-DD` option value.
struct DateArgument: ExpressibleByArgument {
    var date: CalendarDate
    init?(argument: String) {
        guard argument.count == 10, let date = CalendarDate(argument) else { return nil }
        self.date = date
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// Prints rule-file diagnostics (sorted, with source line and caret) to standard error.
func report(_ result: RuleSetLoader.Result) {
    guard !result.diagnostics.isEmpty else { return }
    let renderer = DiagnosticRenderer(sources: result.sources, useColor: isTerminal(2))
    printError(renderer.render(result.diagnostics))
    let errors = result.diagnostics.filter { $0.severity == .error }.count
    let warnings = result.diagnostics.count - errors
    printError("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
}
