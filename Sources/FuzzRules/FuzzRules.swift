// libFuzzer target for the rule loader (scripts/fuzz): one input is one rule file, taken through the path
// `claimscrub rules check` takes (YAMLLoader → PackParser → RuleSetLoader's layering and checks → diagnostics),
// then, when it loads without errors, compiled into a RuleGraph whose edits on the file's own test claims must
// equal the reference evaluator's. Built only with
// `swift build -c release --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --product FuzzRules`
// (../shared/TOOLCHAIN.md); libFuzzer supplies `main`.
//
// The input is written to `pack.yaml` in a private temporary folder that holds copies of the shipped
// tables (`tables/starter/*.csv`) and the golden fixture's `pairs.csv`, so seeds that name them load them.
import Foundation
import RuleGraph
import Rules
import YAML
#if canImport(Glibc)
import Glibc
#endif

// Constants live in a type, not at the top level: this file is the target's main file, and libFuzzer's `main`
// never runs its top-level code, so a top-level global would never be initialised.
private enum Setup {
    /// Limits small enough that fuzzed inputs reach them, large enough for the shipped packs.
    static let limits = YAMLLimits(maxDepth: 24, maxNodes: 50_000, maxScalarBytes: 8_192, maxFileBytes: 1 << 20)
    static let knownPrefixes = ["YAML", "RULE", "TABLE"]

    /// The folder the input is written into, with the tables seeds refer to; made once per process.
    static let workFile: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-fuzz-rules-\(getpid())")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let copies = [
            ("docs/examples/starter/tables/starter/ncci-ptp-practitioner-2024q3-excerpt.csv", "tables/starter/ncci-ptp-practitioner-2024q3-excerpt.csv"),
            ("docs/examples/starter/tables/starter/ncci-mue-practitioner-2024q3-excerpt.csv", "tables/starter/ncci-mue-practitioner-2024q3-excerpt.csv"),
            ("Tests/RulesTests/Fixtures/golden/rules/pairs.csv", "pairs.csv"),
        ]
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("tables/starter"), withIntermediateDirectories: true)
            for (from, to) in copies {
                let target = folder.appendingPathComponent(to)
                if !FileManager.default.fileExists(atPath: target.path) {
                    try? FileManager.default.copyItem(at: repository.appendingPathComponent(from), to: target)
                }
            }
        } catch {
            fatalError("FuzzRules: cannot make \(folder.path): \(error)")  // safe: fuzz harness setup, not an input path
        }
        return folder.appendingPathComponent("pack.yaml").path
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = Setup.workFile
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { fatalError("FuzzRules: cannot write \(path)") }  // safe: fuzz harness setup, not an input path
    var written = 0
    while written < size, let data {
        let n = write(descriptor, data + written, size - written)
        guard n > 0 else { fatalError("FuzzRules: cannot write \(path)") }  // safe: fuzz harness setup, not an input path
        written += n
    }
    close(descriptor)

    let result = RuleSetLoader.load(paths: [path], limits: Setup.limits)
    for diagnostic in result.diagnostics {
        let location = diagnostic.location
        if location.line < 1 || location.column < 1 { violated("diagnostic at \(location): \(diagnostic)") }
        if !Setup.knownPrefixes.contains(where: { diagnostic.code.hasPrefix($0) }) || diagnostic.message.isEmpty {
            violated("bad code or message: \(diagnostic)")
        }
        if location.file.isEmpty { violated("diagnostic names no file: \(diagnostic)") }
    }
    if result.diagnostics != result.diagnostics.sorted() { violated("diagnostics are not sorted") }
    // What `rules check` prints: the line and a caret under every location, whatever the column.
    _ = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)

    guard !result.hasErrors, let ruleSet = result.ruleSet else { return 0 }
    let graph = RuleGraph(ruleSet)
    for (_, test) in ruleSet.tests {
        let context = EvaluationContext(today: test.today, asOf: test.asOf, history: test.history)
        let compiled = graph.evaluate(test.claims, context: context)
        let reference = ReferenceEvaluator.evaluate(ruleSet, claims: test.claims, context: context)
        if compiled != reference {
            let first = zip(compiled, reference).first { $0 != $1 }.map { "graph \($0)\nreference \($1)" } ?? "counts differ"
            violated("the compiled graph and the reference evaluator disagree on test '\(test.name)':\n\(first)")
        }
    }
    return 0
}

private func violated(_ promise: String) -> Never {
    fatalError("FuzzRules invariant broken: \(promise)")  // safe: a fuzz target must trap on a broken invariant
}
