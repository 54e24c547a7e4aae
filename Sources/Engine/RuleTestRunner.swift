import ClaimModel
import RuleGraph
import Rules
import X12

/// Runs the `tests:` that rule files carry, through the compiled graph (the path a real run takes), and
/// measures per-rule coverage: a rule is covered when some test expects it to fire and some test forbids it.
public struct RuleTestRunner {
    public struct Failure: Sendable, CustomStringConvertible {
        public var test: String
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): test '\(test)' failed: \(message)" }
    }

    public struct RuleCoverage: Sendable {
        public var pack: String
        public var ruleID: String
        public var triggering: Int
        public var nonTriggering: Int
        public var isCovered: Bool { triggering > 0 && nonTriggering > 0 }
    }

    public struct Outcome: Sendable {
        public var testsRun: Int
        public var failures: [Failure]
        public var coverage: [RuleCoverage]
        /// Covered rules as a share of all rules (0…100).
        public var coveragePercent: Double {
            coverage.isEmpty ? 100 : Double(coverage.filter(\.isCovered).count) * 100 / Double(coverage.count)
        }
    }

    public let ruleSet: RuleSet
    public let graph: RuleGraph

    public init(ruleSet: RuleSet, graph: RuleGraph) {
        self.ruleSet = ruleSet
        self.graph = graph
    }

    public func run() -> Outcome {
        var failures: [Failure] = []
        var triggering: [String: Int] = [:]
        var nonTriggering: [String: Int] = [:]
        var count = 0
        for (pack, test) in ruleSet.tests {
            count += 1
            var claims = test.claims
            for file in test.x12Files {
                let (read, issues) = X12Reader.read(path: file)
                claims += read
                for issue in issues where issue.severity == .error {
                    failures.append(Failure(test: test.name, file: test.location.file, line: test.location.line,
                                            message: "its X12 file does not read: \(issue)"))
                }
            }
            let context = EvaluationContext(today: test.today, asOf: test.asOf, history: test.history)
            let results = graph.evaluate(claims, context: context)
            let edits = results.flatMap(\.edits)
            func matches(_ edit: Edit, _ expectation: RuleTest.Expectation) -> Bool {
                edit.ruleID == expectation.rule
                    && (expectation.line == nil || edit.line == expectation.line)
                    && (expectation.claim == nil || edit.claimID == expectation.claim)
            }
            for expectation in test.expect {
                if edits.contains(where: { matches($0, expectation) }) {
                    triggering[key(pack, expectation.rule), default: 0] += 1
                } else {
                    let found = edits.map { "\($0.ruleID)\($0.line.map { " line \($0)" } ?? "")" }
                    failures.append(Failure(test: test.name, file: expectation.location.file, line: expectation.location.line,
                                            message: "expected \(expectation.rule)\(expectation.line.map { " on line \($0)" } ?? ""); the edits were: \(found.isEmpty ? "none" : found.joined(separator: ", "))"))
                }
            }
            for expectation in test.forbid {
                if let edit = edits.first(where: { matches($0, expectation) }) {
                    failures.append(Failure(test: test.name, file: expectation.location.file, line: expectation.location.line,
                                            message: "\(expectation.rule) must not fire, but it did\(edit.line.map { " on line \($0)" } ?? ""): \(edit.message)"))
                } else {
                    nonTriggering[key(pack, expectation.rule), default: 0] += 1
                }
            }
        }
        var seen = Set<String>()
        var coverage: [RuleCoverage] = []
        for rule in ruleSet.rules where seen.insert(rule.qualifiedID).inserted {
            // A test in any pack may exercise a rule; it counts for the rule's id.
            let t = ruleSet.packs.reduce(0) { $0 + (triggering[key($1, rule.id)] ?? 0) }
            let n = ruleSet.packs.reduce(0) { $0 + (nonTriggering[key($1, rule.id)] ?? 0) }
            coverage.append(RuleCoverage(pack: rule.pack, ruleID: rule.id, triggering: t, nonTriggering: n))
        }
        return Outcome(testsRun: count, failures: failures, coverage: coverage)
    }

    private func key(_ pack: Pack, _ rule: String) -> String { "\(pack.name)\u{1F}\(rule)" }
}
