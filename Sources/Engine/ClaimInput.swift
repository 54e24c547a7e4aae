import ClaimModel
import Foundation
import Reports
import X12

/// Claims read from files: X12 837 files, or JSON claims documents (`.json`).
public struct ClaimBatch: Sendable {
    public var claims: [Claim]
    /// Reading problems of the X12 files, located.
    public var issues: [X12Issue]
    /// Files that could not be used at all (not found, not JSON, …), as report entries.
    public var inputErrors: [ScrubReport.ReadError]

    public init(claims: [Claim] = [], issues: [X12Issue] = [], inputErrors: [ScrubReport.ReadError] = []) {
        self.claims = claims; self.issues = issues; self.inputErrors = inputErrors
    }

    /// True when something could not be read (a claim left out, a file unusable).
    public var hasUnreadableInput: Bool { !inputErrors.isEmpty || issues.contains { $0.severity == .error } }
}

public enum ClaimInput {
    /// Reads every file; one unusable file never stops the others.
    public static func read(_ paths: [String]) -> ClaimBatch {
        var batch = ClaimBatch()
        for path in paths {
            if path.hasSuffix(".json") {
                guard let data = FileManager.default.contents(atPath: path) else {
                    batch.inputErrors.append(ScrubReport.ReadError(file: path, segment: 0, segmentId: "", element: nil, code: "JSON-FILE",
                                                   claimId: nil, message: "cannot read the file"))
                    continue
                }
                do {
                    var claims = try ClaimJSON.decode(data)
                    for index in claims.indices where claims[index].source == nil {
                        claims[index].source = ClaimSource(file: path, segment: 0)
                    }
                    batch.claims += claims
                } catch {
                    batch.inputErrors.append(ScrubReport.ReadError(file: path, segment: 0, segmentId: "", element: error.path, code: "JSON-CLAIMS",
                                                   claimId: nil, message: error.description))
                }
                continue
            }
            let (claims, issues) = X12Reader.read(path: path)
            batch.claims += claims
            batch.issues += issues
        }
        return batch
    }
}
