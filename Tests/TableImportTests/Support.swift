import ClaimModel
import Foundation
import Testing
@testable import TableImport

/// Paths of the fixture files copied into the test bundle (see Fixtures/README.md).
enum Fixture {
    static func path(_ name: String) throws -> String {
        let base = try #require(Bundle.module.resourcePath, "the test bundle has no resources")
        return base + "/Fixtures/" + name
    }
}

func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate { CalendarDate(year: year, month: month, day: day)! }

/// The test process's scratch root, removed when the process exits.
enum Scratch {
    static var root: String { NSTemporaryDirectory() + "TableImportTests-\(getpid())" }
    static let cleanupRegistered: Bool = {
        atexit { try? FileManager.default.removeItem(atPath: Scratch.root) }
        return true
    }()
}

/// A fresh empty directory for one test's output.
func scratchDirectory() throws -> String {
    _ = Scratch.cleanupRegistered
    let path = Scratch.root + "/" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Imports fixtures into a scratch directory.
func importFixtures(
    _ kind: ImportKind, _ names: [String], release: String? = nil, effective: CalendarDate? = nil
) throws -> (report: ImportReport, directory: String) {
    let directory = try scratchDirectory()
    let files = try names.map { try Fixture.path($0) }
    let report = TableImporter.run(ImportRequest(
        kind: kind, files: files, outputDirectory: directory, release: release, effective: effective))
    return (report, directory)
}

/// The lines of a written table (inflated when gzip).
func lines(_ directory: String, _ file: String) throws -> [String] {
    let bytes = try ICD10CMImporter.contents(directory + "/" + file)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.hasSuffix("\n"), "\(file) does not end with a line end")
    return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}

/// The issues as `CODE line:column` with the file's base name, for exact comparisons.
func located(_ issues: [ImportIssue]) -> [String] {
    issues.map { issue in
        let name = issue.file.split(separator: "/").last.map(String.init) ?? issue.file
        return "\(issue.code) \(name):\(issue.line)\(issue.column.map { ":\($0)" } ?? "")"
    }
}

extension ImportReport {
    /// The table with this role.
    func table(_ role: String) throws -> OutputTable {
        try #require(tables.first { $0.role == role }, "no \(role) table in \(tables.map(\.role))")
    }
}
