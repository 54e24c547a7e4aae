import ClaimModel
import Engine
import Foundation
import Reports
import Testing
import X12
@testable import RuleGraph

/// `scrub --release`: the claims with an error edit are held, the others are ready; every claim is in one file.
@Suite("Release")
struct ClaimReleaseTests {
    static let pack = """
        pack: release-test
        effective: 2020-01-01
        rules:
          - { id: HOLD-99213, category: c, severity: error, for: line, citation: t, message: m, when: [ { line.code: "99213" } ] }
          - { id: WARN-36415, category: c, severity: warning, for: line, citation: t, message: m, when: [ { line.code: "36415" } ] }
        """

    @Test func errorClaimsAreHeldAndTheOthersReady() throws {
        let ruleSet = try #require(try loadPack(Self.pack).ruleSet)
        let scrubber = Scrubber(ruleSet: ruleSet, graph: RuleGraph(ruleSet))
        let input = try RulesFixture.path("release/three-subscribers-dependents-one-billing-provider.837")
        let batch = ClaimInput.read([input])
        #expect(batch.claims.count == 6)
        let report = scrubber.scrub(batch, context: EvaluationContext(today: CalendarDate("2024-08-01")))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-release-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let timestamp = X12Release.Timestamp(date: CalendarDate(year: 2024, month: 8, day: 1) ?? .distantPast, hour: 12, minute: 0)
        let summary = try ClaimRelease.write(report, inputs: [input], directory: directory, firstControlNumber: 1000,
                                             writtenAt: timestamp)
        #expect(summary.isComplete)
        #expect(summary.ready.claims == 4 && summary.held.claims == 2)
        let ready = X12Reader.read(path: directory + "/ready.837")
        let held = X12Reader.read(path: directory + "/held.837")
        // The claim with a warning only (36415) is ready; the two with 99213 are held.
        #expect(ready.claims.map(\.id) == ["CLAIM-A2", "CLAIM-B1", "CLAIM-C0", "CLAIM-C1"])
        #expect(held.claims.map(\.id) == ["CLAIM-A1", "CLAIM-C2"])
        #expect((ready.issues + held.issues).errors.isEmpty)
        // Scrubbing the released files gives the same edits, claim for claim.
        let again = scrubber.scrub(ClaimInput.read([directory + "/ready.837", directory + "/held.837"]),
                                   context: EvaluationContext(today: CalendarDate("2024-08-01")))
        func edits(_ report: ScrubReport) -> [String: [String]] {
            Dictionary(uniqueKeysWithValues: report.claims.map { ($0.claimId, $0.edits.map { "\($0.ruleID)@\($0.line ?? 0)" }) })
        }
        #expect(edits(again) == edits(report))
        #expect(again.claims.filter { $0.status == "error" }.map(\.claimId) == ["CLAIM-A1", "CLAIM-C2"])
    }

    @Test func holdNotCheckedHoldsTheClaimsARuleCouldNotCheck() throws {
        // A table released after the claims' dates of service: its rule is not checked on any of them.
        let pack = Self.pack + """

            tables:
              later: { file: later.csv, key: [code], release: LATER, effective: 2030-01-01 }
            """ .replacingOccurrences(of: "\n            ", with: "\n")
        let rule = """
          - { id: LATER-TABLE, category: c, severity: warning, for: line, citation: t, message: m, when: [ { lookup: { table: later, key: [line.code] } } ] }

        """
        let text = pack.replacingOccurrences(of: "rules:\n", with: "rules:\n" + rule)
        let loaded = try loadPack(text, files: ["later.csv": "code\n99213\n"])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        let ruleSet = try #require(loaded.ruleSet)
        let scrubber = Scrubber(ruleSet: ruleSet, graph: RuleGraph(ruleSet))
        let input = try RulesFixture.path("release/three-subscribers-dependents-one-billing-provider.837")
        let report = scrubber.scrub(ClaimInput.read([input]), context: EvaluationContext(today: CalendarDate("2024-08-01")))
        #expect(report.claims.allSatisfy { !$0.notChecked.isEmpty })
        let timestamp = X12Release.Timestamp(date: CalendarDate(year: 2024, month: 8, day: 1) ?? .distantPast, hour: 12, minute: 0)
        for hold in [false, true] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-release-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let summary = try ClaimRelease.write(report, inputs: [input], directory: directory, firstControlNumber: 1,
                                                 writtenAt: timestamp, holdNotChecked: hold)
            #expect(summary.isComplete)
            #expect((summary.ready.claims, summary.held.claims) == (hold ? (0, 6) : (4, 2)))
        }
    }

    @Test func theDirectoryKeepsTheNextControlNumberAcrossRuns() throws {
        let ruleSet = try #require(try loadPack(Self.pack).ruleSet)
        let scrubber = Scrubber(ruleSet: ruleSet, graph: RuleGraph(ruleSet))
        let input = try RulesFixture.path("release/three-subscribers-dependents-one-billing-provider.837")
        let report = scrubber.scrub(ClaimInput.read([input]), context: EvaluationContext(today: CalendarDate("2024-08-01")))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-release-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let timestamp = X12Release.Timestamp(date: CalendarDate(year: 2024, month: 8, day: 1) ?? .distantPast, hour: 12, minute: 0)
        func controls() -> Set<String> {
            Set((X12Reader.read(path: directory + "/ready.837").claims + X12Reader.read(path: directory + "/held.837").claims)
                .compactMap(\.source?.interchangeControlNumber))
        }
        _ = try ClaimRelease.write(report, inputs: [input], directory: directory, firstControlNumber: nil, writtenAt: timestamp)
        let first = controls()
        let kept = try String(contentsOfFile: directory + "/" + ClaimRelease.controlNumberFile, encoding: .utf8)
        _ = try ClaimRelease.write(report, inputs: [input], directory: directory, firstControlNumber: nil, writtenAt: timestamp)
        let second = controls()
        #expect(first.count == 2 && second.count == 2)
        #expect(first.isDisjoint(with: second), "a second run in the same second reuses no control number")
        #expect(second.compactMap { Int($0) }.min() == Int(kept.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}

extension Array where Element == X12Issue {
    var errors: [X12Issue] { filter { $0.severity == .error } }
}
