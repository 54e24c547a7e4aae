import ClaimModel
import Engine
import Foundation
import Reports
import Testing
@testable import RuleGraph

@Suite("Reports")
struct ReportTests {
    /// Scrubs the golden claims against the golden rules, as the CLI does, with paths relative to Fixtures/.
    static func goldenReport() throws -> ScrubReport {
        let directory = try RulesFixture.directory
        let (loaded, result) = Scrubber.load(rules: [directory + "/golden/rules"])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let scrubber = try #require(loaded)
        let batch = ClaimInput.read([directory + "/golden/claims.json"])
        return scrubber.scrub(batch, context: EvaluationContext(today: CalendarDate("2024-08-01")))
    }

    @Test func jsonMatchesTheGoldenFile() throws {
        let directory = try RulesFixture.directory
        let rendered = ReportRenderer.json(try Self.goldenReport()).replacingOccurrences(of: directory + "/", with: "")
        let golden = try String(contentsOfFile: directory + "/golden/report.json", encoding: .utf8)
        #expect(rendered == golden)
    }

    @Test func jsonHasEveryKeyOfTheDocumentedShape() throws {
        let data = Data(ReportRenderer.json(try Self.goldenReport()).utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["reportVersion", "ruleSet", "today", "asOf", "claims", "readErrors", "warnings", "summary"])
        #expect(object["asOf"] is NSNull)
        let claims = try #require(object["claims"] as? [[String: Any]])
        let edit = try #require((claims.first?["edits"] as? [[String: Any]])?.first)
        #expect(Set(edit.keys) == ["ruleId", "ruleVersion", "pack", "category", "severity", "carc", "rarc", "claimId",
                                   "claimIndex", "line", "related", "message", "fix", "location", "citation", "stale",
                                   "explanation"])
    }

    @Test func theJSONReportReadsBackToTheSameReport() throws {
        let report = try Self.goldenReport()
        let json = ReportRenderer.json(report)
        let decoded = try JSONDecoder().decode(ScrubReport.self, from: Data(json.utf8))
        #expect(ReportRenderer.json(decoded) == json)
        #expect(decoded.claims.flatMap(\.edits) == report.claims.flatMap(\.edits))
        #expect(decoded.claims.first?.edits.first?.facts.citation == report.claims.first?.edits.first?.citation)
    }

    @Test func csvHasOneRowPerEditWithQuoting() throws {
        let csv = ReportRenderer.csv(try Self.goldenReport())
        let rows = csv.split(separator: "\n").map(String.init)
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("claim_id,source_file,source_segment,line,code,rule_id"))
        #expect(rows[1].hasPrefix("G-1,"))
        #expect(rows[1].contains(",2,76942,GOLDEN-PAIR,golden,error,CO-97,,code-pairing,G-1,1,76942 is bundled into 20610,Remove 76942,"))
        #expect(rows[2].contains(",GOLDEN-UNITS,golden,warning,CO-151,N362,units,,,4 units of 76942,,"))
    }

    @Test func textGroupsEditsByClaim() throws {
        let text = ReportRenderer.text(try Self.goldenReport(), color: false)
        #expect(text.contains("Claim G-1  TEST PAYER  $150.00  ✗ error"))
        #expect(text.contains("  line 2 76942-RT: error CO-97 [GOLDEN-PAIR] 76942 is bundled into 20610\n      fix: Remove 76942\n"))
        #expect(text.contains("Claim G-2  no payer  $50.00  ✓ clean"))
        #expect(text.hasSuffix("2 claims: 1 clean, 0 with warnings, 1 with errors; 2 edits\n"))
        #expect(!text.contains("\u{1B}["))
        #expect(ReportRenderer.text(try Self.goldenReport(), color: true).contains("\u{1B}[31m"))
    }
}
