import ArgumentParser
import Engine
import Foundation
import RuleGraph
import Rules

/// `claimscrub rules`: check, test and draw rule packs.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, test and draw rule packs.",
        subcommands: [Check.self, Test.self, Graph.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and check every rule file; print every problem as file:line:column with the source line.",
            discussion: "Exit codes: 0 no error; 2 some rule file has an error.")

        @Argument(help: "Rules directories or files.")
        var paths: [String] = ["Rules"]

        func run() throws {
            let result = RuleSetLoader.load(paths: paths)
            report(result)
            guard !result.hasErrors, let ruleSet = result.ruleSet else { throw ExitCode(2) }
            let graph = RuleGraph(ruleSet)
            print("Rule set \(ruleSet.version)")
            print("Layering order:")
            for pack in ruleSet.packs {
                let scope = pack.payers.map { p in
                    " for " + (p.payerIDs.sorted().map { "payer \($0)" } + p.filingIndicators.sorted().map { "filing \($0)" }).joined(separator: ", ")
                } ?? ""
                let extends = pack.extends.map { ", extends \($0)\(scope)" } ?? ""
                print("  \(pack.name)\(pack.label.map { " \($0)" } ?? "") (\(pack.file)): \(pack.rules.count) rules, \(pack.overrides.count) overrides, \(pack.disables.count) disabled, \(pack.tables.count) tables, \(pack.tests.count) tests\(extends)")
            }
            let s = graph.statistics
            print("Compiled: \(s.rules) rules, \(s.conditionsWritten) conditions written → \(s.nodes) nodes; \(s.indexedRules) rules indexed by key, \(s.lookupDispatchedRules) by table lookup, \(s.genericRules) tried on every binding")
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the tests the rule files carry and print per-rule coverage.",
            discussion: "A rule is covered when a test expects it and a test forbids it. Exit codes: 0 all pass (and coverage is at least --min-coverage); 1 a test failed or coverage is short; 2 the rules do not load.")

        @Argument(help: "Rules directories or files.")
        var paths: [String] = ["Rules"]

        @Option(name: .customLong("min-coverage"), help: "Fail when fewer than this percentage of rules are covered.")
        var minCoverage: Double = 0

        @Flag(help: "List every rule's coverage, not only the uncovered ones.")
        var verbose = false

        func run() throws {
            let (loaded, result) = Scrubber.load(rules: paths)
            report(result)
            guard let scrubber = loaded else { throw ExitCode(2) }
            let outcome = RuleTestRunner(ruleSet: scrubber.ruleSet, graph: scrubber.graph).run()
            for failure in outcome.failures { print("FAIL \(failure)") }
            print("\(outcome.testsRun) tests, \(outcome.failures.count) failed")
            print("Coverage (a triggering and a non-triggering test per rule):")
            for rule in outcome.coverage where verbose || !rule.isCovered {
                print("  \(rule.isCovered ? "✓" : "✗") \(rule.pack)/\(rule.ruleID): \(rule.triggering) triggering, \(rule.nonTriggering) non-triggering")
            }
            let covered = outcome.coverage.filter(\.isCovered).count
            print(String(format: "%d of %d rules covered (%.1f%%)", covered, outcome.coverage.count, outcome.coveragePercent))
            if !outcome.failures.isEmpty { throw ExitCode(1) }
            if outcome.coveragePercent < minCoverage {
                print(String(format: "coverage %.1f%% is under --min-coverage %.1f%%", outcome.coveragePercent, minCoverage))
                throw ExitCode(1)
            }
        }
    }

    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the compiled evaluation graph (Graphviz dot).")

        @Argument(help: "Rules directories or files.")
        var paths: [String] = ["Rules"]

        @Option(help: "Output format (dot).")
        var format: String = "dot"

        func run() throws {
            guard format == "dot" else { throw ValidationError("only --format dot is supported") }
            let (loaded, result) = Scrubber.load(rules: paths)
            report(result)
            guard let scrubber = loaded else { throw ExitCode(2) }
            print(scrubber.graph.dot(), terminator: "")
        }
    }
}
