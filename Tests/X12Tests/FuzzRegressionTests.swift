import ClaimModel
import Foundation
import Testing
@testable import X12

/// Inputs that broke a promise FuzzX12 checks (scripts/fuzz), kept in Fixtures/fuzz/FuzzX12, which also seeds
/// every fuzz run.
@Suite("Fuzz regressions (X12)")
struct FuzzRegressionTests {
    private func read(_ bytes: [UInt8], chunkSize: Int) -> (claims: [Claim], issues: [X12Issue]) {
        let reader = X12Reader(bytes: bytes, name: "fuzz.837", chunkSize: chunkSize)
        return (Array(reader), reader.issues)
    }

    /// A file without an ISA whose first `~` lies past the first 4 KiB. The terminator used to be guessed from
    /// whatever the buffer held: `~` through a 1 MiB buffer, a newline through a 4 KiB one. The guess now looks at
    /// the first 512 bytes only, so the file reads the same through any buffer.
    @Test func theGuessedTerminatorDoesNotDependOnTheBuffer() throws {
        let bytes = try fixtureBytes("fuzz/FuzzX12/no-isa-first-tilde-past-4096.837")
        #expect(bytes.count == 4232)
        let small = read(bytes, chunkSize: 4096)
        let large = read(bytes, chunkSize: 1 << 20)
        #expect(small.issues == large.issues)
        #expect(small.claims == large.claims)
        #expect(large.issues.map(IssueKey.init) == [
            IssueKey("X12-NO-ISA", .warning, segment: 1, "ST"),
            IssueKey("X12-GS-MISSING", .warning, segment: 1, "ST"),
            IssueKey("X12-SE-CONTROL", .warning, segment: 3, "SE", element: 2),
        ])
        #expect(large.issues.first?.message.hasSuffix("delimiters guessed (element '*', terminator '\\n')") == true)
        // Read from the file (1 MiB chunks) it is the same again.
        let (_, fromFile, _) = try readFixture("fuzz/FuzzX12/no-isa-first-tilde-past-4096.837")
        #expect(fromFile.map(IssueKey.init) == large.issues.map(IssueKey.init))
    }

    /// Every input in Fixtures/fuzz/FuzzX12 reads the same through a 4 KiB and a 1 MiB buffer.
    @Test func everyRegressionInputReadsTheSameThroughAnyBuffer() throws {
        let folder = try Fixture.path("fuzz/FuzzX12")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let bytes = try fixtureBytes("fuzz/FuzzX12/" + name)
            let small = read(bytes, chunkSize: 4096)
            let large = read(bytes, chunkSize: 1 << 20)
            #expect(small.issues == large.issues, "\(name)")
            #expect(small.claims == large.claims, "\(name)")
        }
    }
}
