import ClaimModel
import Foundation
import Testing
@testable import X12

/// Paths of the fixture files copied into the test bundle.
enum Fixture {
    static var directory: String {
        get throws {
            let base = try #require(Bundle.module.resourcePath, "the test bundle has no resources")
            return base + "/Fixtures"
        }
    }

    /// A public sample from `Fixtures/samples` (see its SOURCES.md and LICENSES.md).
    static func sample(_ name: String) throws -> String { try directory + "/samples/" + name }

    /// A hand-written fixture from `Fixtures/<folder>`.
    static func path(_ relative: String) throws -> String { try directory + "/" + relative }
}

/// Reads a whole file or text and returns claims and issues.
func read(path: String) -> (claims: [Claim], issues: [X12Issue]) { X12Reader.read(path: path) }

func read(text: String, name: String = "test.837") -> (claims: [Claim], issues: [X12Issue]) {
    let reader = X12Reader(text: text, name: name)
    let claims = Array(reader)
    return (claims, reader.issues)
}

extension Array where Element == X12Issue {
    func with(code: String) -> [X12Issue] { filter { $0.code == code } }
    var errors: [X12Issue] { filter { $0.severity == .error } }
}
