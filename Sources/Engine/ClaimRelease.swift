import ClaimModel
import Foundation
import Reports
import X12

/// `scrub --release DIR`: the scrubbed claims split into `DIR/ready.837` (no error edit) and `DIR/held.837`
/// (some error edit), copied from their X12 files with new envelopes (`X12Release`).
public enum ClaimRelease {
    /// What was released, and every claim that could not be placed.
    public struct Summary: Sendable {
        public var ready: X12Release.Output
        public var held: X12Release.Output
        /// Claims of the report that are in neither file (a file changed between reading and writing …).
        public var missing: [X12Release.ClaimKey]
        /// Problems met while copying.
        public var issues: [X12Issue]
        /// True when every claim of the report is in exactly one file and nothing failed.
        public var isComplete: Bool { missing.isEmpty && !issues.contains { $0.severity == .error } }
    }

    /// Writes the two files for a report of `inputs` (X12 files only: JSON claims have no segments to copy).
    public static func write(_ report: ScrubReport, inputs: [String], directory: String, firstControlNumber: Int,
                             writtenAt: X12Release.Timestamp) throws(X12FileError) -> Summary {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw X12FileError(file: directory, message: "cannot create the release directory: \(error.localizedDescription)")
        }
        var places: [X12Release.ClaimKey: X12Release.Destination] = [:]
        for claim in report.claims {
            guard let source = claim.source, let segment = source.segment else { continue }
            places[X12Release.ClaimKey(file: source.file, segment: segment)] = claim.status == "error" ? .held : .ready
        }
        let base = URL(fileURLWithPath: directory)
        let result = try X12Release.write(
            inputs: inputs, destination: { places[$0] },
            readyPath: base.appendingPathComponent("ready.837").path, heldPath: base.appendingPathComponent("held.837").path,
            firstControlNumber: firstControlNumber, writtenAt: writtenAt)
        let missing = places.keys.filter { result.written[$0] == nil }.sorted { ($0.file, $0.segment) < ($1.file, $1.segment) }
        return Summary(ready: result.ready, held: result.held, missing: missing, issues: result.issues)
    }

    /// The time of writing in UTC and a control number from the clock (seconds since 2020, mod 10^9), so that
    /// two runs a second apart never reuse one.
    public static func now() -> (timestamp: X12Release.Timestamp, controlNumber: Int) {
        let now = Date()
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: now)
        let day = CalendarDate(year: parts.year ?? 2020, month: parts.month ?? 1, day: parts.day ?? 1) ?? .distantPast
        let control = max(1, Int(now.timeIntervalSince1970 - 1_577_836_800) % 1_000_000_000)
        return (X12Release.Timestamp(date: day, hour: parts.hour ?? 0, minute: parts.minute ?? 0), control)
    }
}
