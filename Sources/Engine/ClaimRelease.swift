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

    /// The file in a release directory that keeps the next control number, so that runs never reuse one.
    public static let controlNumberFile = ".claimscrub-next-control-number"

    /// Writes the two files for a report of `inputs` (X12 files only: JSON claims have no segments to copy).
    /// Control numbers start at `firstControlNumber`, else at the larger of the one the directory keeps from the
    /// last release (`controlNumberFile`) and one from the clock; the next one is kept for the next run.
    /// With `holdNotChecked`, a claim some rule could not check (no table release for its date of service, no
    /// date at all) is held too, not only a claim with an error edit.
    public static func write(_ report: ScrubReport, inputs: [String], directory: String, firstControlNumber: Int?,
                             writtenAt: X12Release.Timestamp, holdNotChecked: Bool = false) throws(X12FileError) -> Summary {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw X12FileError(file: directory, message: "cannot create the release directory: \(error.localizedDescription)")
        }
        var places: [X12Release.ClaimKey: X12Release.Destination] = [:]
        var ids: [X12Release.ClaimKey: String] = [:]
        for claim in report.claims {
            guard let source = claim.source, let segment = source.segment else { continue }
            let key = X12Release.ClaimKey(file: source.file, segment: segment)
            let hold = claim.edits.contains { $0.severity == .error } || (holdNotChecked && !claim.notChecked.isEmpty)
            places[key] = hold ? .held : .ready
            ids[key] = claim.claimId
        }
        let base = URL(fileURLWithPath: directory)
        let counterPath = base.appendingPathComponent(controlNumberFile).path
        let kept = (try? String(contentsOfFile: counterPath, encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let first = firstControlNumber ?? max(kept ?? 0, clockControlNumber())
        let result = try X12Release.write(
            inputs: inputs, destination: { places[$0] },
            readyPath: base.appendingPathComponent("ready.837").path, heldPath: base.appendingPathComponent("held.837").path,
            firstControlNumber: first, writtenAt: writtenAt)
        do {
            try "\(result.nextControlNumber)\n".write(toFile: counterPath, atomically: true, encoding: .utf8)
        } catch {
            throw X12FileError(file: counterPath, message: "cannot keep the next control number: \(error.localizedDescription)")
        }
        // A claim is placed when it was written and its CLM01 is the one scrubbed (else the file changed since).
        let missing = places.keys.filter { result.written[$0] == nil || result.claimIDs[$0] != ids[$0] }
            .sorted { ($0.file, $0.segment) < ($1.file, $1.segment) }
        let summary = Summary(ready: result.ready, held: result.held, missing: missing, issues: result.issues)
        if !summary.isComplete {
            // Never leave a release that is not the scrubbed batch: a file someone might send as it is.
            unlink(result.ready.path)
            unlink(result.held.path)
        }
        return summary
    }

    /// The time of writing, in UTC.
    public static func now() -> X12Release.Timestamp? {
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        let parts = Calendar(identifier: .gregorian).dateComponents(in: utc, from: Date())
        guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute,
              let date = CalendarDate(year: year, month: month, day: day) else { return nil }
        return X12Release.Timestamp(date: date, hour: hour, minute: minute)
    }

    /// A control number from the clock: seconds since 2020-01-01, modulo 10^9 (never 0).
    static func clockControlNumber() -> Int {
        max(1, Int(Date().timeIntervalSince1970 - 1_577_836_800) % 1_000_000_000)
    }
}
