import ClaimModel
import Foundation
import Testing
@testable import X12

/// Reads a hand-written fixture (`Fixtures/<relative>`) from its file; `path` is what issue locations name.
func readFixture(_ relative: String, limits: X12Reader.Limits = X12Reader.Limits()) throws
    -> (claims: [Claim], issues: [X12Issue], path: String) {
    let path = try Fixture.path(relative)
    let (claims, issues) = X12Reader.read(path: path, limits: limits)
    return (claims, issues, path)
}

/// The fixture's bytes as written.
func fixtureBytes(_ relative: String) throws -> [UInt8] {
    let path = try Fixture.path(relative)
    let data = try #require(FileManager.default.contents(atPath: path), "cannot read \(path)")
    return [UInt8](data)
}

/// The bytes a claim's `source` names (its loop 2300, from CLM to its last segment's terminator), as text.
func sourceText(of claim: Claim, in bytes: [UInt8]) throws -> String {
    let offset = Int(try #require(claim.source?.byteOffset))
    let length = Int(try #require(claim.source?.byteLength))
    try #require(offset >= 0 && length > 0 && offset + length <= bytes.count, "range \(offset)+\(length) of \(bytes.count)")
    return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
}

/// The text of the claim `id` as a person finds it in the file: from `CLM<e><id><e>` up to, not including, the
/// line break before the first of `nextSegments` that follows (the segment that ends loop 2300).
func expectedLoopText(claim id: String, in bytes: [UInt8], element: String = "*",
                      nextSegments: [String] = ["HL", "CLM", "SE"]) throws -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    let start = try #require(text.range(of: "CLM\(element)\(id)\(element)"), "no CLM \(id)")
    let rest = text[start.lowerBound...]
    let ends = nextSegments.compactMap { rest.range(of: "\n\($0)\(element)")?.lowerBound }
    let end = try #require(ends.min(), "no segment after claim \(id)")
    var loop = String(rest[..<end])
    while loop.hasSuffix("\r") { loop.removeLast() }
    return loop
}

/// An issue reduced to what the bad-input tests pin down: code, severity, where, and which claim.
struct IssueKey: Equatable, CustomStringConvertible {
    var code: String
    var severity: X12Issue.Severity
    var segment: Int
    var segmentID: String
    var element: Int?
    var claimID: String?

    init(_ code: String, _ severity: X12Issue.Severity, segment: Int, _ segmentID: String, element: Int? = nil,
         claim: String? = nil) {
        self.code = code; self.severity = severity; self.segment = segment; self.segmentID = segmentID
        self.element = element; self.claimID = claim
    }

    init(_ issue: X12Issue) {
        self.init(issue.code, issue.severity, segment: issue.location.segment, issue.location.segmentID,
                  element: issue.location.element, claim: issue.claimID)
    }

    var description: String {
        "\(severity) \(code) @\(segment) \(segmentID)\(element.map { "[\($0)]" } ?? "")\(claimID.map { " claim \($0)" } ?? "")"
    }
}

extension Array where Element == X12Issue {
    var keys: [IssueKey] { map(IssueKey.init) }
}

extension Array where Element == Claim {
    /// The claim with CLM01 `id`; fails the test when there is none.
    func claim(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Claim {
        try #require(first { $0.id == id }, "no claim \(id) among \(map(\.id))", sourceLocation: sourceLocation)
    }
}

/// Shorthands for expected values: a day (`"20240102"`) and a range of days, each required to be a real date.
func d8(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> DateOrRange {
    DateOrRange(try #require(CalendarDate(text), "\(text) is not a date", sourceLocation: sourceLocation))
}
func rd8(_ from: String, _ to: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> DateOrRange {
    DateOrRange(from: try #require(CalendarDate(from), sourceLocation: sourceLocation),
                to: try #require(CalendarDate(to), sourceLocation: sourceLocation))
}
func cents(_ value: Int64) -> Money { Money(cents: value) }
func units(_ thousandths: Int64) -> Quantity { Quantity(thousandths: thousandths) }
