import ClaimModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads ANSI X12 5010 837P (005010X222A1) and 837I (005010X223A2) files into claims, one claim at a time.
///
/// The file is read in chunks, so memory stays flat however large it is. Every problem is an `X12Issue`
/// with its location: a claim whose structure cannot be read is left out with an error and the reader goes
/// on with the next claim; a content problem (a check digit, a value that does not parse, an envelope
/// count) is a warning and the claim is still produced.
///
/// ```swift
/// let reader = try X12Reader(path: "claims.837")
/// for claim in reader { … }
/// let problems = reader.issues
/// ```
public final class X12Reader: Sequence, IteratorProtocol {
    /// Limits that keep a hostile file from taking the machine; each is named in the error it causes.
    public struct Limits: Sendable {
        /// Longest segment accepted, in bytes (X12 segments are rarely over a few hundred).
        public var maxSegmentLength: Int
        /// Most elements in one segment.
        public var maxElements: Int
        /// Most issues kept, the last of them an X12-ISSUE-LIMIT error; past it they are counted in
        /// `droppedIssueCount` (a garbage file cannot fill memory).
        public var maxIssues: Int

        public init(maxSegmentLength: Int = 65_536, maxElements: Int = 512, maxIssues: Int = 100_000) {
            self.maxSegmentLength = maxSegmentLength; self.maxElements = maxElements; self.maxIssues = maxIssues
        }
    }

    private let scanner: SegmentScanner
    private var assembler: ClaimAssembler

    /// Opens a file for reading.
    public init(path: String, limits: Limits = Limits()) throws(X12FileError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw X12FileError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw X12FileError(file: path, message: "is a directory, not an X12 file")
        }
        scanner = SegmentScanner(source: .file(descriptor), maxSegmentLength: limits.maxSegmentLength,
                                 maxElements: limits.maxElements)
        assembler = ClaimAssembler(file: path, maxIssues: limits.maxIssues)
    }

    /// Reads bytes already in memory; `name` stands for the file in locations.
    public init(bytes: [UInt8], name: String, limits: Limits = Limits()) {
        scanner = SegmentScanner(source: .memory(bytes, position: 0), maxSegmentLength: limits.maxSegmentLength,
                                 maxElements: limits.maxElements)
        assembler = ClaimAssembler(file: name, maxIssues: limits.maxIssues)
    }

    /// Reads bytes already in memory through a buffer of `chunkSize` bytes (at least 4096) instead of 1 MiB, so
    /// that small inputs cross buffer refills as large files do (the fuzz target compares both readings).
    package init(bytes: [UInt8], name: String, limits: Limits = Limits(), chunkSize: Int) {
        scanner = SegmentScanner(source: .memory(bytes, position: 0), chunkSize: chunkSize,
                                 maxSegmentLength: limits.maxSegmentLength, maxElements: limits.maxElements)
        assembler = ClaimAssembler(file: name, maxIssues: limits.maxIssues)
    }

    /// Reads a string (tests, small inputs).
    public convenience init(text: String, name: String = "<text>", limits: Limits = Limits()) {
        self.init(bytes: Array(text.utf8), name: name, limits: limits)
    }

    /// Every issue found so far, in file order.
    public var issues: [X12Issue] { assembler.issues }
    /// Issues past `Limits.maxIssues` that were counted but not kept.
    public var droppedIssueCount: Int { assembler.droppedIssueCount }
    /// Number of segments read so far.
    public var segmentCount: Int { scanner.segmentNumber }

    /// Removes and returns the issues found so far (for streaming consumers that report as they go).
    public func takeIssues() -> [X12Issue] {
        defer { assembler.issues.removeAll(keepingCapacity: true) }
        return assembler.issues
    }

    /// The next claim that could be read, or nil at the end of the file.
    public func next() -> Claim? {
        assembler.nextClaim(from: scanner)
    }

    /// Reads a whole file: its claims and its issues. A file that cannot be opened gives one error issue.
    public static func read(path: String, limits: Limits = Limits()) -> (claims: [Claim], issues: [X12Issue]) {
        do {
            let reader = try X12Reader(path: path, limits: limits)
            let claims = Array(reader)
            return (claims, reader.issues)
        } catch {
            return ([], [X12Issue(severity: .error, code: "X12-FILE", message: error.message,
                                  location: X12Location(file: path, segment: 0, segmentID: ""))])
        }
    }
}
