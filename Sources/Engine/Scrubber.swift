import ClaimModel
import Reports
import RuleGraph
import Rules

/// Loads a rules directory and compiles it once; then scrubs batches against it.
public struct Scrubber: Sendable {
    public let ruleSet: RuleSet
    public let graph: RuleGraph

    /// Loads and compiles; nil with the diagnostics when the rules have errors.
    public static func load(rules paths: [String]) -> (scrubber: Scrubber?, result: RuleSetLoader.Result) {
        let result = RuleSetLoader.load(paths: paths)
        guard !result.hasErrors, let ruleSet = result.ruleSet else { return (nil, result) }
        return (Scrubber(ruleSet: ruleSet, graph: RuleGraph(ruleSet)), result)
    }

    public init(ruleSet: RuleSet, graph: RuleGraph) {
        self.ruleSet = ruleSet
        self.graph = graph
    }

    /// Scrubs a batch and builds the report.
    public func scrub(_ batch: ClaimBatch, context: EvaluationContext) -> ScrubReport {
        let results = graph.evaluate(batch.claims, context: context)
        return ScrubReport(ruleSet: ruleSet, claims: batch.claims, results: results, issues: batch.issues,
                           inputErrors: batch.inputErrors, today: context.today, asOf: context.asOf)
    }
}
