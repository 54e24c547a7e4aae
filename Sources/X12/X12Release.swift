import ClaimModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits 837 files into two new 837 files, the claims ready to send and the claims held back, copying every
/// segment of a claim as it was written and giving each file its own envelopes.
///
/// The input files are read a second time, segment by segment (memory stays flat). Each claim's 2300 loop and
/// everything under it, its patient (2000C), subscriber (2000B) and billing provider (2000A) loops and the
/// transaction's header (BHT, 1000A, 1000B) are copied byte for byte; only the envelopes are new: ISA13, GS06
/// and ST02 are fresh control numbers, ISA09/ISA10 and GS04/GS05 the time of writing, SE01, GE01 and IEA01 the
/// counts of what was written, and HL01/HL02 are renumbered in the order written (a subscriber whose claims
/// go to both files appears in both). An input interchange, group or transaction becomes one in each output
/// file that receives any of its claims, so delimiters, senders, receivers and the implementation guide stay
/// those of the claim's own file.
///
/// A claim is known by its file and the segment number of its CLM (`ClaimSource`); a CLM the destination
/// function does not place (a claim the reader left out) is not written.
public enum X12Release {
    /// Where a claim goes.
    public enum Destination: Sendable, Hashable { case ready, held }

    /// The time written into the new envelopes.
    public struct Timestamp: Sendable {
        public var date: CalendarDate
        public var hour: Int
        public var minute: Int
        public init(date: CalendarDate, hour: Int, minute: Int) { self.date = date; self.hour = hour; self.minute = minute }
    }

    /// What was written to one file.
    public struct Output: Sendable, Equatable {
        public var path: String
        public var claims = 0
        public var interchanges = 0
    }

    /// What a release wrote, and what it could not do.
    public struct Result: Sendable {
        public var ready: Output
        public var held: Output
        /// Claims placed by the destination function and written, by file and CLM segment number.
        public var written: [ClaimKey: Destination] = [:]
        /// CLM01 of each claim written (a caller checks it against the claim it placed: the file may have changed).
        public var claimIDs: [ClaimKey: String] = [:]
        /// Problems met while copying (a segment that could not be read inside a written claim …).
        public var issues: [X12Issue] = []
        /// The next control number not used (for a caller that keeps a counter across runs).
        public var nextControlNumber = 0
    }

    /// A claim's place in its file.
    public struct ClaimKey: Hashable, Sendable {
        public var file: String
        public var segment: Int
        public init(file: String, segment: Int) { self.file = file; self.segment = segment }
    }

    /// Reads `inputs` again and writes the claims `destination` places into `readyPath` and `heldPath`.
    /// Each file is written under a temporary name and renamed when complete; a file that receives no claim is
    /// not written (and an older file of that name is removed), since an 837 without a claim is not valid.
    /// Control numbers count up from `firstControlNumber` (ISA13 and GS06; ST02 from 0001 in each group).
    public static func write(inputs: [String], destination: @escaping (ClaimKey) -> Destination?,
                             readyPath: String, heldPath: String,
                             firstControlNumber: Int, writtenAt: Timestamp) throws(X12FileError) -> Result {
        let counter = ControlCounter(next: firstControlNumber)
        let ready = try OutputFile(path: readyPath, counter: counter, writtenAt: writtenAt)
        let held: OutputFile
        do { held = try OutputFile(path: heldPath, counter: counter, writtenAt: writtenAt) } catch {
            ready.abandon(); throw error
        }
        var result = Result(ready: Output(path: readyPath), held: Output(path: heldPath))
        var seen = Set<String>()
        // A file named twice is copied once (its claims have one place each).
        for (fileIndex, path) in inputs.enumerated() where seen.insert(path).inserted {
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                ready.abandon(); held.abandon()
                throw X12FileError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            let limits = X12Reader.Limits()
            let scanner = SegmentScanner(source: .file(descriptor), maxSegmentLength: limits.maxSegmentLength,
                                         maxElements: limits.maxElements)
            var copier = Copier(file: path, fileIndex: fileIndex, destination: destination, outputs: [.ready: ready, .held: held])
            copier.run(scanner)
            if scanner.readFailed {
                // The file could not be read to its end: what was copied of it may be cut short.
                ready.abandon(); held.abandon()
                throw X12FileError(file: path, message: "reading failed after segment \(scanner.segmentNumber); no release file was written")
            }
            result.issues += copier.issues
            for (key, place) in copier.written { result.written[key] = place }
            for (key, id) in copier.claimIDs { result.claimIDs[key] = id }
        }
        do {
            result.ready = try ready.finish()
            result.held = try held.finish()
            try ready.install()
            try held.install()
        } catch {
            ready.abandon(); held.abandon(); throw error
        }
        result.nextControlNumber = counter.next
        return result
    }

    /// The next fresh control number, shared by both files so that no two envelopes carry the same one.
    final class ControlCounter {
        var next: Int
        init(next: Int) { self.next = max(1, next) }
        func take() -> Int {
            defer { next = next >= 999_999_999 ? 1 : next + 1 }
            return next
        }
    }

    /// A segment kept as its elements' bytes (element 0 is the id), to be written again with some replaced.
    struct RawSegment {
        var elements: [[UInt8]]

        init(_ segment: Segment) {
            let all = UnsafeBufferPointer(start: segment.base, count: segment.length)
            elements = (0..<segment.count).map { index in
                guard let range = segment.range(index) else { return [] }
                return Array(all[range.start..<range.end])
            }
        }

        func element(_ index: Int) -> [UInt8] { index < elements.count ? elements[index] : [] }

        /// The segment with some elements replaced, joined with `separator` (missing elements padded empty).
        func replacing(_ replacements: [Int: [UInt8]], separator: UInt8) -> [UInt8] {
            var parts = elements
            for (index, value) in replacements {
                while parts.count <= index { parts.append([]) }
                parts[index] = value
            }
            return Array(parts.joined(separator: [separator]))
        }
    }

    /// The input's envelope and loops in force while its segments are read.
    struct InterchangeHeader {
        var key: Int
        var isa: RawSegment
        var delimiters: Delimiters
        var lineBreak: Bool
    }
    struct GroupHeader { var key: Int; var gs: RawSegment }
    struct TransactionHeader { var key: Int; var st: RawSegment; var segments: [[UInt8]] = [] }
    /// An HL and the segments under it before the next HL or CLM.
    struct HierarchyBlock { var key: Int; var hl: RawSegment; var segments: [[UInt8]] = [] }

    /// Copies one input file's claims to the outputs.
    struct Copier {
        let file: String
        let fileIndex: Int
        let destination: (ClaimKey) -> Destination?
        let outputs: [Destination: OutputFile]
        var issues: [X12Issue] = []
        var written: [ClaimKey: Destination] = [:]
        var claimIDs: [ClaimKey: String] = [:]

        var interchange: InterchangeHeader?
        var group: GroupHeader?
        var transaction: TransactionHeader?
        var billing: HierarchyBlock?
        var subscriber: HierarchyBlock?
        var patient: HierarchyBlock?
        /// The HL level collecting segments now (20, 22, 23), or nil in the header or a claim.
        var collecting: UInt8?
        var claim: (segment: Int, id: String, segments: [[UInt8]], unreadable: Int?)?
        var lastEnd: Int64 = 0

        init(file: String, fileIndex: Int, destination: @escaping (ClaimKey) -> Destination?, outputs: [Destination: OutputFile]) {
            self.file = file; self.fileIndex = fileIndex; self.destination = destination; self.outputs = outputs
        }

        /// A key unique across the inputs for an input segment.
        func key(_ segment: Int) -> Int { fileIndex << 40 | segment }

        mutating func run(_ scanner: SegmentScanner) {
            while true {
                switch scanner.next() {
                case .end:
                    closeClaim()
                    return
                case .malformed(let number, _, _, _, _):
                    if claim != nil {
                        if claim?.unreadable == nil { claim?.unreadable = number }
                    } else if transaction != nil {
                        // In a header, billing provider, subscriber or patient loop: the claims under it are still
                        // copied (the reader kept them), without this segment.
                        issues.append(X12Issue(severity: .warning, code: "X12-RELEASE-UNREADABLE",
                                               message: "segment \(number) outside a claim could not be read and was not copied; the claims after it are written without it",
                                               location: X12Location(file: file, segment: number, segmentID: "")))
                    }
                case .segment(let segment):
                    handle(segment)
                }
            }
        }

        mutating func handle(_ s: Segment) {
            switch s.tag {
            case SegmentTag.ISA:
                closeClaim()
                interchange = InterchangeHeader(key: key(s.number), isa: RawSegment(s), delimiters: s.delimiters, lineBreak: false)
                group = nil; transaction = nil; resetHierarchy()
            case SegmentTag.GS:
                closeClaim()
                if var open = interchange, open.key == key(s.number - 1) {
                    // A line break (or other white space) between ISA and GS: keep writing one after each segment.
                    open.lineBreak = s.fileOffset > lastEnd + 1
                    interchange = open
                }
                group = GroupHeader(key: key(s.number), gs: RawSegment(s))
                transaction = nil; resetHierarchy()
            case SegmentTag.ST:
                closeClaim()
                transaction = TransactionHeader(key: key(s.number), st: RawSegment(s))
                resetHierarchy()
            case SegmentTag.SE, SegmentTag.GE, SegmentTag.IEA:
                closeClaim()
                if s.tag == SegmentTag.SE { transaction = nil; resetHierarchy() }
                if s.tag == SegmentTag.GE { group = nil }
                if s.tag == SegmentTag.IEA { interchange = nil }
            case SegmentTag.HL:
                closeClaim()
                let raw = RawSegment(s)
                let level = raw.element(3)
                let block = HierarchyBlock(key: key(s.number), hl: raw)
                switch level {
                case Array("20".utf8): billing = block; subscriber = nil; patient = nil; collecting = 20
                case Array("22".utf8): subscriber = block; patient = nil; collecting = 22
                case Array("23".utf8): patient = block; collecting = 23
                default: collecting = nil
                }
            case SegmentTag.CLM:
                closeClaim()
                collecting = nil
                claim = (s.number, s.string(1), [Array(UnsafeBufferPointer(start: s.base, count: s.length))], nil)
            default:
                let bytes = Array(UnsafeBufferPointer(start: s.base, count: s.length))
                if claim != nil {
                    claim?.segments.append(bytes)
                } else if let level = collecting {
                    switch level {
                    case 20: billing?.segments.append(bytes)
                    case 22: subscriber?.segments.append(bytes)
                    default: patient?.segments.append(bytes)
                    }
                } else if transaction != nil, billing == nil {
                    transaction?.segments.append(bytes)
                }
            }
            lastEnd = s.fileOffset + Int64(s.length)
        }

        mutating func resetHierarchy() {
            billing = nil; subscriber = nil; patient = nil; collecting = nil
        }

        /// Writes the claim being collected, if the destination places it.
        mutating func closeClaim() {
            guard let open = claim else { return }
            claim = nil
            let claimKey = ClaimKey(file: file, segment: open.segment)
            guard let place = destination(claimKey), let output = outputs[place] else { return }
            guard let interchange, let group, let transaction, let billing, let subscriber else {
                issues.append(X12Issue(severity: .error, code: "X12-RELEASE-STRUCTURE",
                                       message: "the claim at CLM segment \(open.segment) is outside an ISA/GS/ST envelope or HL 20/22 hierarchy; it was not written",
                                       location: X12Location(file: file, segment: open.segment, segmentID: "CLM")))
                return
            }
            if let unreadable = open.unreadable {
                issues.append(X12Issue(severity: .warning, code: "X12-RELEASE-UNREADABLE",
                                       message: "segment \(unreadable) inside the claim could not be read and was not copied",
                                       location: X12Location(file: file, segment: unreadable, segmentID: "")))
            }
            output.write(claim: open.segments, interchange: interchange, group: group, transaction: transaction,
                         billing: billing, subscriber: subscriber, patient: patient)
            written[claimKey] = place
            claimIDs[claimKey] = open.id
        }
    }

    /// One output 837: writes envelopes as the claims placed in it need them, and the counts when they close.
    final class OutputFile {
        let path: String
        let temporaryPath: String
        let descriptor: Int32
        let counter: ControlCounter
        /// The time of writing as ISA09/ISA10 (YYMMDD, HHMM) and GS04/GS05 (CCYYMMDD, HHMM) write it.
        let isaDate: [UInt8], gsDate: [UInt8], time: [UInt8]
        var buffer: [UInt8] = []
        var output: Output
        var failure: String?

        // What is open in this file, by input key.
        var interchange: (key: Int, control: [UInt8], groups: Int, delimiters: Delimiters, lineBreak: Bool)?
        var group: (key: Int, control: [UInt8], transactions: Int)?
        var transaction: (key: Int, control: [UInt8], segments: Int, nextHL: Int)?
        var billing: (key: Int, hl: Int)?
        var subscriber: (key: Int, hl: Int)?
        var patient: (key: Int, hl: Int)?
        /// The subscriber loop being written, held until it ends: its HL04 (child code) says whether a patient HL
        /// follows, which depends on the claims placed in this file, not on the input.
        var pendingSubscriber: (hl: RawSegment, id: Int, parent: Int, separator: UInt8, hasPatient: Bool)?
        /// The segments written under the held subscriber HL.
        var pendingBytes: [UInt8] = []

        init(path: String, counter: ControlCounter, writtenAt: Timestamp) throws(X12FileError) {
            self.path = path
            self.temporaryPath = path + ".partial"
            self.counter = counter
            let date = writtenAt.date
            let monthDay = String(date.month).leftPadded(to: 2) + String(date.day).leftPadded(to: 2)
            isaDate = Array((String(date.year % 100).leftPadded(to: 2) + monthDay).utf8)
            gsDate = Array((String(date.year).leftPadded(to: 4) + monthDay).utf8)
            time = Array((String(writtenAt.hour).leftPadded(to: 2) + String(writtenAt.minute).leftPadded(to: 2)).utf8)
            self.output = Output(path: path)
            descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else {
                throw X12FileError(file: path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
        }

        func write(claim: [[UInt8]], interchange source: InterchangeHeader, group sourceGroup: GroupHeader,
                   transaction sourceTransaction: TransactionHeader, billing sourceBilling: HierarchyBlock,
                   subscriber sourceSubscriber: HierarchyBlock, patient sourcePatient: HierarchyBlock?) {
            if interchange?.key != source.key || interchange?.delimiters != source.delimiters {
                closeInterchange()
                let control = Array(String(counter.take()).leftPadded(to: 9).utf8)
                interchange = (source.key, control, 0, source.delimiters, source.lineBreak)
                emit(source.isa.replacing([9: isaDate, 10: time, 13: control], separator: source.delimiters.element))
                output.interchanges += 1
            }
            let separator = source.delimiters.element
            if group?.key != sourceGroup.key {
                closeGroup()
                let control = Array(String(counter.take()).utf8)
                group = (sourceGroup.key, control, 0)
                emit(sourceGroup.gs.replacing([4: gsDate, 5: time, 6: control], separator: separator))
                interchange?.groups += 1
            }
            if transaction?.key != sourceTransaction.key {
                closeTransaction()
                let number = (group?.transactions ?? 0) + 1
                let control = Array(String(number).leftPadded(to: 4).utf8)
                transaction = (sourceTransaction.key, control, 0, 1)
                emitInTransaction(sourceTransaction.st.replacing([2: control], separator: separator))
                for segment in sourceTransaction.segments { emitInTransaction(segment) }
                group?.transactions += 1
                billing = nil; subscriber = nil; patient = nil
            }
            if billing?.key != sourceBilling.key {
                closeSubscriber()
                let id = takeHL()
                billing = (sourceBilling.key, id)
                subscriber = nil; patient = nil
                emitInTransaction(sourceBilling.hl.replacing([1: Array(String(id).utf8), 2: []], separator: separator))
                for segment in sourceBilling.segments { emitInTransaction(segment) }
            }
            if subscriber?.key != sourceSubscriber.key, let parent = billing?.hl {
                closeSubscriber()
                let id = takeHL()
                subscriber = (sourceSubscriber.key, id)
                patient = nil
                // The HL itself is written when the loop ends (`closeSubscriber`); it is counted now.
                pendingSubscriber = (sourceSubscriber.hl, id, parent, separator, false)
                transaction?.segments += 1
                for segment in sourceSubscriber.segments { emitInTransaction(segment) }
            }
            if let sourcePatient, patient?.key != sourcePatient.key, let parent = subscriber?.hl {
                pendingSubscriber?.hasPatient = true
                let id = takeHL()
                patient = (sourcePatient.key, id)
                emitInTransaction(sourcePatient.hl.replacing([1: Array(String(id).utf8), 2: Array(String(parent).utf8)], separator: separator))
                for segment in sourcePatient.segments { emitInTransaction(segment) }
            }
            for segment in claim { emitInTransaction(segment) }
            output.claims += 1
        }

        private func takeHL() -> Int {
            let id = transaction?.nextHL ?? 1
            transaction?.nextHL = id + 1
            return id
        }

        private func emitInTransaction(_ segment: [UInt8]) {
            emit(segment)
            transaction?.segments += 1
        }

        /// Writes a segment, into the held subscriber loop while one is open.
        private func emit(_ segment: [UInt8]) {
            if pendingSubscriber != nil {
                terminate(segment, into: &pendingBytes)
                return
            }
            terminate(segment, into: &buffer)
            if buffer.count >= 1 << 20 { flush() }
        }

        /// Appends a segment with the interchange's terminator (and a line break when the input had them).
        private func terminate(_ segment: [UInt8], into target: inout [UInt8]) {
            guard let interchange else { return }
            target += segment
            target.append(interchange.delimiters.segment)
            if interchange.lineBreak && interchange.delimiters.segment != 0x0A { target.append(0x0A) }
        }

        /// Writes the held subscriber loop, its HL04 1 when a patient HL was written under it, else 0.
        private func closeSubscriber() {
            guard let open = pendingSubscriber else { return }
            pendingSubscriber = nil
            let hl = open.hl.replacing([1: Array(String(open.id).utf8), 2: Array(String(open.parent).utf8),
                                        4: Array((open.hasPatient ? "1" : "0").utf8)], separator: open.separator)
            terminate(hl, into: &buffer)
            buffer += pendingBytes
            pendingBytes.removeAll(keepingCapacity: true)
            if buffer.count >= 1 << 20 { flush() }
        }

        private func envelopeSegment(_ parts: [String]) -> [UInt8] {
            let separator = interchange?.delimiters.element ?? UInt8(ascii: "*")
            return Array(parts.map { Array($0.utf8) }.joined(separator: [separator]))
        }

        private func closeTransaction() {
            closeSubscriber()
            guard let open = transaction else { return }
            emit(envelopeSegment(["SE", String(open.segments + 1), String(decoding: open.control, as: UTF8.self)]))
            transaction = nil
        }

        private func closeGroup() {
            closeTransaction()
            guard let open = group else { return }
            emit(envelopeSegment(["GE", String(open.transactions), String(decoding: open.control, as: UTF8.self)]))
            group = nil
        }

        private func closeInterchange() {
            closeGroup()
            guard let open = interchange else { return }
            emit(envelopeSegment(["IEA", String(open.groups), String(decoding: open.control, as: UTF8.self)]))
            flush()
            interchange = nil
        }

        private func flush() {
            var offset = 0
            while offset < buffer.count, failure == nil {
                let written = buffer.withUnsafeBytes { raw in
                    systemWrite(descriptor, raw.baseAddress.map { $0 + offset }, buffer.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                } else {
                    offset += written
                }
            }
            buffer.removeAll(keepingCapacity: true)
        }

        /// Closes the envelopes and puts the file in place (or removes it when it holds no claim).
        /// Closes the envelopes and the partial file; it is put in place by `install()`.
        func finish() throws(X12FileError) -> Output {
            closeInterchange()
            flush()
            closeDescriptor()
            if let failure {
                unlink(temporaryPath)
                throw X12FileError(file: path, message: "cannot write: \(failure)")
            }
            return output
        }

        /// Renames the finished file into place, or removes it (and an older file of the name) when it holds no
        /// claim. Called only once both files are finished, so a failure never leaves one new file beside an old one.
        func install() throws(X12FileError) {
            if output.claims == 0 {
                unlink(temporaryPath)
                unlink(path)
                return
            }
            guard rename(temporaryPath, path) == 0 else {
                let message = String(cString: strerror(errno))
                unlink(temporaryPath)
                throw X12FileError(file: path, message: "cannot write: \(message)")
            }
        }

        private var descriptorOpen = true
        private func closeDescriptor() {
            guard descriptorOpen else { return }
            descriptorOpen = false
            close(descriptor)
        }

        /// Drops the partial file after a failure elsewhere (safe to call more than once).
        func abandon() {
            closeDescriptor()
            unlink(temporaryPath)
        }
    }
}

/// `write(2)`, under a name that does not clash with the methods called `write` here.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
