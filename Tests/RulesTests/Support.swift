import ClaimModel
import Foundation
import Testing
@testable import Rules
@testable import RuleGraph

enum RulesFixture {
    static var directory: String {
        get throws {
            let base = try #require(Bundle.module.resourcePath, "the test bundle has no resources")
            return base + "/Fixtures"
        }
    }

    static func path(_ relative: String) throws -> String { try directory + "/" + relative }

    /// The repository's own Rules/ directory (the shipped packs).
    static var shippedRules: String { repository("Rules") }

    /// The rule language's teaching pack (docs/examples/starter).
    static var starterExample: String { repository("docs/examples/starter") }

    static func repository(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }
}

/// Loads rule files and returns diagnostics as (file name, line, column, code) for exact comparison.
func diagnostics(_ relative: String) throws -> [(String, Int, Int, String)] {
    let result = RuleSetLoader.load(paths: [try RulesFixture.path(relative)])
    return result.diagnostics.map { (URL(fileURLWithPath: $0.location.file).lastPathComponent, $0.location.line, $0.location.column, $0.code) }
}

/// Writes a pack (and optional tables) into a fresh temporary directory and loads it.
func loadPack(_ yaml: String, files: [String: String] = [:]) throws -> RuleSetLoader.Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-rules-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try yaml.write(to: directory.appendingPathComponent("pack.yaml"), atomically: true, encoding: .utf8)
    for (name, text) in files {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return RuleSetLoader.load(paths: [directory.path])
}

/// A minimal professional claim with the given lines (code, modifiers, units, date).
func claim(_ id: String, member: String = "M1", filing: String? = nil, lines: [(String, [String], Int, String)],
           diagnoses: [String] = ["M1711"]) -> Claim {
    var claim = Claim(type: .professional, id: id, totalCharge: Money(cents: 1000), billingProvider: nil,
                      subscriber: Subscriber(memberID: member, name: PersonName(last: "TESTPATIENT"), claimFilingIndicator: filing),
                      patient: Patient(name: PersonName(last: "TESTPATIENT"), isSubscriber: true), payer: nil)
    claim.diagnoses = diagnoses.enumerated().map {
        Diagnosis(code: $0.element, system: .icd10cm, role: $0.offset == 0 ? .principal : .other, qualifier: $0.offset == 0 ? "ABK" : "ABF")
    }
    claim.lines = lines.enumerated().map { index, line in
        ServiceLine(number: index + 1, procedureCode: ProcedureCode(line.0), modifiers: line.1.map { Modifier($0) },
                    charge: Money(cents: 1000), units: Quantity(line.2), diagnosisPointers: [1],
                    serviceDate: DateOrRange(x12: line.3.replacingOccurrences(of: "-", with: ""), format: "D8"))
    }
    return claim
}
