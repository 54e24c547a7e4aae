/// Where in an X12 file something was found: the file, the segment's 1-based number counted from the
/// file's first segment, its id, and the element (and component) position when one is to blame.
public struct X12Location: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var segment: Int
    public var segmentID: String
    /// 1-based element position (CLM02 is element 2), nil when the whole segment is meant.
    public var element: Int?
    /// 1-based component position inside the element (SV101-2), when one is meant.
    public var component: Int?

    public init(file: String, segment: Int, segmentID: String, element: Int? = nil, component: Int? = nil) {
        self.file = file; self.segment = segment; self.segmentID = segmentID
        self.element = element; self.component = component
    }

    /// The X12 reference of the element, e.g. `CLM02`, `SV101-2`, or the segment id alone.
    public var reference: String {
        guard let element else { return segmentID }
        let position = element < 10 ? "0\(element)" : "\(element)"
        if let component { return "\(segmentID)\(position)-\(component)" }
        return "\(segmentID)\(position)"
    }

    /// `file: segment 37 (SE01)`.
    public var description: String { "\(file): segment \(segment) (\(reference))" }
}

/// A problem the reader found. An `error` means something was left out (a claim whose structure could not
/// be read, or a whole unreadable file); a `warning` means the claims were still produced and the problem
/// is noted (an envelope count, a check digit, a value that does not parse).
public struct X12Issue: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Hashable { case error, warning }

    public var severity: Severity
    /// A stable code for the kind of problem (`X12-SE-COUNT`, `X12-HL-PARENT` …), documented in docs/claims.md.
    public var code: String
    public var message: String
    public var location: X12Location
    /// CLM01 of the claim concerned, when there is one.
    public var claimID: String?

    public init(severity: Severity, code: String, message: String, location: X12Location, claimID: String? = nil) {
        self.severity = severity; self.code = code; self.message = message; self.location = location
        self.claimID = claimID
    }

    /// `file: segment 37 (SE01): error[X12-SE-COUNT]: …`
    public var description: String {
        let claim = claimID.map { " [claim \($0)]" } ?? ""
        return "\(location): \(severity.rawValue)[\(code)]: \(message)\(claim)"
    }
}

/// A file that could not be opened or read at all.
public struct X12FileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): error: \(message)" }
    public init(file: String, message: String) { self.file = file; self.message = message }
}
