#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The separators of an interchange, from its ISA segment.
struct Delimiters: Equatable {
    var element: UInt8
    var component: UInt8
    var repetition: UInt8
    var segment: UInt8

    static let standard = Delimiters(
        element: UInt8(ascii: "*"), component: UInt8(ascii: ":"), repetition: UInt8(ascii: "^"), segment: UInt8(ascii: "~"))
}

/// Where bytes come from: a file descriptor read in chunks, or bytes already in memory.
enum ByteSource {
    case file(Int32)
    case memory([UInt8], position: Int)

    /// Fills `target` with up to its count of bytes; returns how many were read (0 at the end), or -1 on error.
    mutating func read(into target: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        switch self {
        case .file(let descriptor):
            while true {
                let result = Glibc.read(descriptor, target, count)
                if result < 0 && errno == EINTR { continue }
                return result
            }
        case .memory(let bytes, let position):
            let n = min(count, bytes.count - position)
            guard n > 0 else { return 0 }
            bytes.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress { target.update(from: base + position, count: n) }
            }
            self = .memory(bytes, position: position + n)
            return n
        }
    }
}

/// One segment, viewed in place in the scanner's buffer. Valid only until the scanner moves on: every
/// value that must outlive it is copied out as a `String`.
struct Segment {
    let base: UnsafePointer<UInt8>
    let length: Int
    /// `bounds[i]` is the offset where element i starts; `bounds[count]` is `length + 1`.
    let bounds: UnsafePointer<Int32>
    /// Number of elements including the segment id (element 0).
    let count: Int
    let delimiters: Delimiters
    /// The segment id packed into an integer (see `SegmentTag`).
    let tag: UInt32
    /// 1-based segment number in the file.
    let number: Int
    /// Byte offset of the segment's first byte in the file.
    let fileOffset: Int64
    /// True when some byte is over 0x7F: only then can an element be other than ASCII, or not UTF-8 at all.
    let hasNonASCII: Bool
    /// Short strings already made, reused for the same bytes.
    let strings: StringTable

    /// The segment id as text.
    var id: String { string(0) }

    @inline(__always)
    func range(_ index: Int) -> (start: Int, end: Int)? {
        guard index < count else { return nil }
        return (Int(bounds[index]), Int(bounds[index + 1]) - 1)
    }

    @inline(__always)
    func isPresent(_ index: Int) -> Bool {
        guard let r = range(index) else { return false }
        return r.end > r.start
    }

    /// Element `index` as text; "" when absent.
    @inline(__always)
    func string(_ index: Int) -> String {
        guard let r = range(index), r.end > r.start else { return "" }
        return text(r.start, r.end - r.start)
    }

    /// Element `index` as text, or nil when absent or empty.
    @inline(__always)
    func optional(_ index: Int) -> String? {
        guard let r = range(index), r.end > r.start else { return nil }
        return text(r.start, r.end - r.start)
    }

    /// The bytes of element `index`; empty when absent.
    @inline(__always)
    func bytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        guard let r = range(index), r.end > r.start else { return UnsafeBufferPointer(start: base, count: 0) }
        return UnsafeBufferPointer(start: base + r.start, count: r.end - r.start)
    }

    /// Bytes as text: UTF-8, or, when they are not UTF-8 (names from systems that write ISO 8859-1), each byte as
    /// the ISO 8859-1 character it is, so that no byte is lost or replaced (the reader warns, X12-CHARSET).
    @inline(__always)
    fileprivate func text(_ start: Int, _ count: Int) -> String {
        let bytes = UnsafeBufferPointer(start: base + start, count: count)
        guard hasNonASCII else { return strings.string(bytes) }
        return String(validating: bytes, as: UTF8.self) ?? Self.latin1(bytes)
    }

    /// ASCII bytes as a `String` (what `String(decoding:as:)` gives, invalid UTF-8 repaired the same way), made
    /// the cheap way: up to 15 bytes are stored in the `String` itself, with no allocation.
    static func ascii(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { target in
            _ = target.initialize(fromContentsOf: bytes)
            return bytes.count
        }
    }

    static func latin1(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// True when element `index` is absent, or its bytes are UTF-8.
    func isUTF8(_ index: Int) -> Bool {
        guard hasNonASCII, let r = range(index), r.end > r.start else { return true }
        return String(validating: UnsafeBufferPointer(start: base + r.start, count: r.end - r.start), as: UTF8.self) != nil
    }

    /// True when element `index` is exactly `text` (ASCII), without building a String.
    func element(_ index: Int, is text: StaticString) -> Bool {
        guard let r = range(index), r.end - r.start == text.utf8CodeUnitCount else { return false }
        return memcmp(base + r.start, text.utf8Start, r.end - r.start) == 0
    }

    /// The components of element `index` (split on the component separator), viewed in place: no count when
    /// absent or empty, as `components(_:)`.
    func composite(_ index: Int) -> Composite {
        guard let r = range(index), r.end > r.start else { return Composite(segment: self, start: 0, end: 0, count: 0) }
        var count = 1
        for i in r.start..<r.end where base[i] == delimiters.component { count += 1 }
        return Composite(segment: self, start: r.start, end: r.end, count: count)
    }

    /// The components of element `index` (split on the component separator); [] when absent.
    func components(_ index: Int) -> [String] {
        guard let r = range(index), r.end > r.start else { return [] }
        var result: [String] = []
        var start = r.start
        var i = r.start
        while i <= r.end {
            if i == r.end || base[i] == delimiters.component {
                result.append(text(start, i - start))
                start = i + 1
            }
            i += 1
        }
        return result
    }

    /// True when any byte of the segment is outside printable ASCII (control bytes or non-ASCII).
    var hasNonPrintableBytes: Bool {
        for i in 0..<length where base[i] < 0x20 || base[i] == 0x7F { return true }
        return false
    }

    /// The raw text of the whole segment, without its terminator.
    var text: String { String(decoding: UnsafeBufferPointer(start: base, count: length), as: UTF8.self) }
}

/// Strings of up to 15 ASCII bytes made recently, found again by their bytes: most elements of a claim file repeat
/// from claim to claim (qualifiers, flags, units, codes, a provider's names), and taking a `String` from here costs a
/// few comparisons where making one costs a call into the standard library. Such strings are stored inline, so an
/// entry holds no allocation. Direct-mapped: a slot keeps the last string whose bytes hash to it.
struct StringTable {
    struct Entry {
        /// Bytes 0..<8 and 8..<15 of the text, little-endian, with the length in the top byte of `high`; (0, 0) for
        /// an empty slot (no text of 1 to 15 bytes packs to it).
        var low: UInt64 = 0
        var high: UInt64 = 0
        var value = ""
    }

    static let slots = 1024
    private let entries: UnsafeMutablePointer<Entry>

    /// Allocates the table; its owner calls `deallocate()` once, when no segment that refers to it is left.
    static func allocate() -> StringTable {
        let entries = UnsafeMutablePointer<Entry>.allocate(capacity: slots)
        entries.initialize(repeating: Entry(), count: slots)
        return StringTable(entries: entries)
    }

    func deallocate() {
        entries.deinitialize(count: Self.slots)
        entries.deallocate()
    }

    /// ASCII bytes of a segment (in the scanner's buffer) as a `String`, as `Segment.ascii` makes it.
    @inline(__always)
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = bytes.count
        guard count > 0, count <= 15, let base = bytes.baseAddress else { return Segment.ascii(bytes) }
        // The bytes lie in the scanner's buffer, which has 16 initialized bytes past any segment byte
        // (`SegmentScanner.padding`): load whole words and keep the element's bytes.
        let raw = UnsafeRawPointer(base)
        var low = raw.loadUnaligned(as: UInt64.self)
        var high = UInt64(count) << 56
        if count < 8 {
            low &= (1 << UInt64(8 * count)) &- 1
        } else if count > 8 {
            high |= raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & ((1 << UInt64(8 * (count - 8))) &- 1)
        }
        let hash = (low &+ high &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        let slot = Int(truncatingIfNeeded: hash >> 54)
        if entries[slot].low == low && entries[slot].high == high { return entries[slot].value }
        let value = Segment.ascii(bytes)
        entries[slot] = Entry(low: low, high: high, value: value)
        return value
    }
}

/// The components of one element of a segment, in place (valid as long as the segment); component `k` is 0-based,
/// as in the array `Segment.components(_:)` returns.
struct Composite {
    let segment: Segment
    let start: Int
    let end: Int
    /// Number of components, empty ones included; 0 when the element is absent or empty.
    let count: Int

    /// The byte range of component `k`.
    func range(_ k: Int) -> (start: Int, end: Int)? {
        guard k < count else { return nil }
        let base = segment.base
        let separator = segment.delimiters.component
        var seen = 0
        var componentStart = start
        var i = start
        while i < end {
            if base[i] == separator {
                if seen == k { return (componentStart, i) }
                seen += 1
                componentStart = i + 1
            }
            i += 1
        }
        return (componentStart, end)
    }

    /// Component `k` as text; "" when absent.
    @inline(__always)
    func string(_ k: Int) -> String {
        guard let r = range(k), r.end > r.start else { return "" }
        return segment.text(r.start, r.end - r.start)
    }

    /// Component `k` as text, or nil when absent or empty.
    @inline(__always)
    func optional(_ k: Int) -> String? {
        guard let r = range(k), r.end > r.start else { return nil }
        return segment.text(r.start, r.end - r.start)
    }

    @inline(__always)
    func isEmpty(_ k: Int) -> Bool {
        guard let r = range(k) else { return true }
        return r.end == r.start
    }

    /// The bytes of component `k`; empty when absent.
    @inline(__always)
    func bytes(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        guard let r = range(k) else { return UnsafeBufferPointer(start: segment.base, count: 0) }
        return UnsafeBufferPointer(start: segment.base + r.start, count: r.end - r.start)
    }

    /// Component `k` packed as a tag (see `SegmentTag`) when it is 1 to 3 bytes long, else 0.
    func tag(_ k: Int) -> UInt32 {
        guard let r = range(k), (1...3).contains(r.end - r.start) else { return 0 }
        var value: UInt32 = 0
        for i in r.start..<r.end { value = value << 8 | UInt32(segment.base[i]) }
        return value
    }
}

/// Segment ids as packed integers, so the reader switches on a number instead of comparing strings.
enum SegmentTag {
    static func pack(_ id: StaticString) -> UInt32 {
        var value: UInt32 = 0
        let pointer = id.utf8Start
        for i in 0..<id.utf8CodeUnitCount { value = value << 8 | UInt32(pointer[i]) }
        return value
    }
    static func unpack(_ tag: UInt32) -> String {
        var bytes: [UInt8] = []
        var value = tag
        while value != 0 { bytes.insert(UInt8(value & 0xFF), at: 0); value >>= 8 }
        return String(decoding: bytes, as: UTF8.self)
    }
    static let ISA = pack("ISA"), IEA = pack("IEA"), GS = pack("GS"), GE = pack("GE"), ST = pack("ST"), SE = pack("SE")
    static let BHT = pack("BHT"), NM1 = pack("NM1"), PER = pack("PER"), HL = pack("HL"), PRV = pack("PRV")
    static let N3 = pack("N3"), N4 = pack("N4"), REF = pack("REF"), SBR = pack("SBR"), PAT = pack("PAT")
    static let DMG = pack("DMG"), CLM = pack("CLM"), DTP = pack("DTP"), CL1 = pack("CL1"), PWK = pack("PWK")
    static let CN1 = pack("CN1"), AMT = pack("AMT"), K3 = pack("K3"), NTE = pack("NTE"), CR1 = pack("CR1")
    static let CR2 = pack("CR2"), CR3 = pack("CR3"), CRC = pack("CRC"), HI = pack("HI"), HCP = pack("HCP")
    static let LX = pack("LX"), SV1 = pack("SV1"), SV2 = pack("SV2"), SV5 = pack("SV5"), LIN = pack("LIN")
    static let CTP = pack("CTP"), OI = pack("OI"), MOA = pack("MOA"), MIA = pack("MIA"), CAS = pack("CAS")
    static let SVD = pack("SVD"), LQ = pack("LQ"), FRM = pack("FRM"), QTY = pack("QTY"), MEA = pack("MEA")
    static let PS1 = pack("PS1"), CUR = pack("CUR"), TA1 = pack("TA1")
}

/// How the delimiters were found.
enum DelimiterDetection {
    case isa(Delimiters)
    case irregularISA(Delimiters, width: Int)
    case unreadableISA(Delimiters)
    case guessed(Delimiters)
}

/// What the scanner found next.
enum ScanResult {
    case segment(Segment)
    /// Bytes that do not form a segment (no id, or over the length limit), from `fileOffset`, `length` long.
    case malformed(number: Int, fileOffset: Int64, length: Int, reason: MalformedReason, preview: String)
    case end
}

enum MalformedReason {
    case tooLong(limit: Int)
    case badID
    case tooManyElements(limit: Int)
    /// The file ended in the middle of this segment (no terminator).
    case cutOff
}

/// Splits a byte stream into segments with the delimiters of the interchange in force, reading the
/// source in chunks so that memory does not grow with the file.
final class SegmentScanner {
    private var source: ByteSource
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0          // first unread byte
    private var end = 0            // one past the last valid byte
    private var bufferFileOffset: Int64 = 0
    private var atEOF = false
    private(set) var readFailed = false
    private let elementBounds: UnsafeMutablePointer<Int32>
    private let strings = StringTable.allocate()
    let maxSegmentLength: Int
    let maxElements: Int
    private(set) var segmentNumber = 0
    var delimiters: Delimiters?

    init(source: ByteSource, chunkSize: Int = 1 << 20, maxSegmentLength: Int, maxElements: Int) {
        self.source = source
        self.capacity = max(chunkSize, 4096)
        self.buffer = Self.allocateBuffer(capacity)
        self.maxSegmentLength = maxSegmentLength
        self.maxElements = maxElements
        self.elementBounds = .allocate(capacity: maxElements + 2)
    }

    deinit {
        buffer.deallocate()
        elementBounds.deallocate()
        strings.deallocate()
        if case .file(let descriptor) = source { close(descriptor) }
    }

    /// Bytes initialized past `capacity`, so that 16 bytes can be loaded from any byte of a segment (`StringTable`).
    static let padding = 16

    /// A buffer of `capacity` bytes and the padding, all initialized (to 0) once: any load inside it reads defined bytes.
    private static func allocateBuffer(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + padding)
        buffer.initialize(repeating: 0, count: capacity + padding)
        return buffer
    }

    /// Reads more bytes, keeping the unread ones; grows the buffer when a segment does not fit.
    private func fill() {
        guard !atEOF else { return }
        if start > 0 {
            let remaining = end - start
            if remaining > 0 { (buffer).update(from: buffer + start, count: remaining) }
            bufferFileOffset += Int64(start)
            end = remaining
            start = 0
        }
        if end == capacity {
            let newCapacity = capacity * 2
            let newBuffer = Self.allocateBuffer(newCapacity)
            newBuffer.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
        }
        let n = source.read(into: buffer + end, count: capacity - end)
        if n < 0 { readFailed = true; atEOF = true; return }
        if n == 0 { atEOF = true; return }
        end += n
    }

    /// Ensures at least `count` unread bytes are buffered, unless the source ends first.
    private func ensure(_ count: Int) {
        while end - start < count && !atEOF { fill() }
    }

    /// Bytes at the current position, for delimiter detection (at most `count`).
    func peek(_ count: Int) -> [UInt8] {
        skipWhitespace()
        ensure(count)
        let n = min(count, end - start)
        return Array(UnsafeBufferPointer(start: buffer + start, count: n))
    }

    private func skipWhitespace() {
        while true {
            if start == end {
                if atEOF { return }
                fill()
                continue
            }
            let byte = buffer[start]
            if byte == 0x0A || byte == 0x0D || byte == 0x20 || byte == 0x09 { start += 1 } else { return }
        }
    }

    /// Finds the next segment terminator at or after `from` in the buffer, reading more as needed.
    /// Returns its index, or nil at end of input (or when the segment passes the length limit).
    private func findTerminator(_ terminator: UInt8) -> Int? {
        var searched = start
        while true {
            if searched < end, let hit = memchr(buffer + searched, Int32(terminator), end - searched) {
                return buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            searched = end
            if end - start > maxSegmentLength || atEOF { return nil }
            let before = start
            fill()
            searched -= before - start  // the buffer may have moved
        }
    }

    /// How the delimiters in force were found, set when they change (the reader turns it into a warning).
    private(set) var detection: DelimiterDetection?

    /// Reads the delimiters from an ISA at the current position, or guesses them for a file without one.
    private func detectDelimiters() {
        // A fixed window, not whatever the buffer happens to hold: the delimiters must not depend on the chunk size.
        ensure(Self.detectionWindow)
        let available = min(end - start, Self.detectionWindow)
        let b = buffer + start
        let startsWithISA = available >= 4 && b[0] == 73 && b[1] == 83 && b[2] == 65
        if startsWithISA {
            let e = b[3]
            let fixed = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103]
            if available >= 106, fixed.allSatisfy({ b[$0] == e }), b[104] != e {
                let found = Delimiters(element: e, component: b[104], repetition: b[82], segment: b[105])
                if found != delimiters { detection = .isa(found) }
                delimiters = found
                return
            }
            // Not 106 wide: count sixteen separators, then ISA16 and the terminator follow.
            var separators = 0
            var i = 3
            while i < available - 2 {
                if b[i] == e {
                    separators += 1
                    if separators == 16 {
                        let repetitionIndex = fixedIndexOfElement(11, in: b, count: available, separator: e)
                        let found = Delimiters(element: e, component: b[i + 1],
                                               repetition: repetitionIndex.map { b[$0] } ?? UInt8(ascii: "^"),
                                               segment: b[i + 2])
                        delimiters = found
                        detection = .irregularISA(found, width: i + 3)
                        return
                    }
                }
                i += 1
            }
            let found = delimiters ?? Delimiters.standard
            delimiters = found
            detection = .unreadableISA(found)
            return
        }
        guard delimiters == nil else { return }
        // No ISA: take the byte after a two- or three-letter id as the element separator, and `~` as the
        // terminator when it occurs, else a newline.
        var e = UInt8(ascii: "*")
        if available >= 3, !(b[2] >= 65 && b[2] <= 90) && !(b[2] >= 48 && b[2] <= 57) { e = b[2] } else if available >= 4 { e = b[3] }
        let window = UnsafeBufferPointer(start: b, count: available)
        let terminator: UInt8 = window.contains(UInt8(ascii: "~")) ? UInt8(ascii: "~") : 0x0A
        let found = Delimiters(element: e, component: UInt8(ascii: ":"), repetition: UInt8(ascii: "^"), segment: terminator)
        delimiters = found
        detection = .guessed(found)
    }

    private func fixedIndexOfElement(_ element: Int, in b: UnsafeMutablePointer<UInt8>, count: Int, separator: UInt8) -> Int? {
        var seen = 0
        for i in 0..<count where b[i] == separator {
            seen += 1
            if seen == element { return i + 1 }
        }
        return nil
    }

    /// Bytes looked at to find the delimiters: an ISA (106) and, for a file without one, its first segments.
    static let detectionWindow = 512

    /// True once a UTF-8 byte order mark before the first segment was skipped (Windows editors write one).
    private(set) var skippedByteOrderMark = false

    /// Takes the byte-order-mark note (once).
    func takeByteOrderMark() -> Bool {
        defer { if skippedByteOrderMark { byteOrderMarkTaken = true } }
        return skippedByteOrderMark && !byteOrderMarkTaken
    }
    private var byteOrderMarkTaken = false

    /// Takes the detection note (once).
    func takeDetection() -> DelimiterDetection? {
        defer { detection = nil }
        return detection
    }

    func next() -> ScanResult {
        skipWhitespace()
        if start == end && atEOF { return .end }
        ensure(4)
        if segmentNumber == 0, end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
            // A UTF-8 byte order mark is not part of X12: skip it, so the ISA behind it is read (and say so).
            start += 3
            skippedByteOrderMark = true
            ensure(4)
        }
        if delimiters == nil || (buffer[start] == 73 && end - start >= 3 && buffer[start + 1] == 83 && buffer[start + 2] == 65) {
            detectDelimiters()
        }
        guard let delimiters else { return .end }
        segmentNumber += 1
        let segmentStart = start
        let fileOffset = bufferFileOffset + Int64(segmentStart)
        guard let terminatorIndex = findTerminator(delimiters.segment) else {
            // No terminator: either the segment is over the limit, or the file ends inside it.
            let length = end - start
            let preview = String(decoding: UnsafeBufferPointer(start: buffer + start, count: min(length, 40)), as: UTF8.self)
            let offset = bufferFileOffset + Int64(start)
            if length > maxSegmentLength {
                skipPast(delimiters.segment)
                return .malformed(number: segmentNumber, fileOffset: offset, length: length,
                                  reason: .tooLong(limit: maxSegmentLength), preview: preview)
            }
            start = end
            return .malformed(number: segmentNumber, fileOffset: offset, length: length, reason: .cutOff, preview: preview)
        }
        let base = buffer + start
        var length = terminatorIndex - start
        start = terminatorIndex + 1
        if length > maxSegmentLength {
            return .malformed(number: segmentNumber, fileOffset: fileOffset, length: length,
                              reason: .tooLong(limit: maxSegmentLength),
                              preview: String(decoding: UnsafeBufferPointer(start: base, count: min(length, 40)), as: UTF8.self))
        }
        // A newline terminator with CRLF line ends leaves a carriage return behind.
        while length > 0 && (base[length - 1] == 0x0D || (delimiters.segment != 0x0A && base[length - 1] == 0x0A)) {
            length -= 1
        }
        // Split elements: eight bytes at a time (a word whose bytes equal to the separator are marked by their high bit),
        // then byte by byte for the rest.
        var count = 0
        elementBounds[0] = 0
        var i = 0
        let separator = delimiters.element
        var high: UInt64 = 0
        let ones: UInt64 = 0x0101_0101_0101_0101, lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern = UInt64(separator) &* ones
        let raw = UnsafeRawPointer(base)
        while i + 8 <= length {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            high |= word
            let x = word ^ pattern
            // The high bit of each byte of `marks` is set exactly where a byte of x is 0 (no carries between bytes).
            var marks = ~(((x & lows) &+ lows) | x | lows)
            while marks != 0 {
                count += 1
                if count > maxElements { return tooManyElements(base, length: length, number: segmentNumber, fileOffset: fileOffset) }
                elementBounds[count] = Int32(i + marks.trailingZeroBitCount / 8 + 1)
                marks &= marks &- 1
            }
            i += 8
        }
        while i < length {
            high |= UInt64(base[i])
            if base[i] == separator {
                count += 1
                if count > maxElements { return tooManyElements(base, length: length, number: segmentNumber, fileOffset: fileOffset) }
                elementBounds[count] = Int32(i + 1)
            }
            i += 1
        }
        count += 1
        elementBounds[count] = Int32(length + 1)
        // The id: two or three upper-case letters or digits, starting with a letter.
        let idLength = Int(elementBounds[1]) - 1
        var tag: UInt32 = 0
        var validID = (2...3).contains(idLength) && base[0] >= 65 && base[0] <= 90
        if validID {
            for k in 0..<idLength {
                let b = base[k]
                if !((b >= 65 && b <= 90) || (b >= 48 && b <= 57)) { validID = false; break }
                tag = tag << 8 | UInt32(b)
            }
        }
        if !validID {
            // Bytes that cannot be X12 text glued to the front of a segment: report them alone and read the
            // segment after them next, so that a swallowed HL or CLM does not put claims under the wrong parent.
            if let resume = SegmentScanner.segmentAfterGarbage(base, length: length, separator: separator) {
                start = buffer.distance(to: base) + resume
                return .malformed(number: segmentNumber, fileOffset: fileOffset, length: resume, reason: .badID,
                                  preview: String(decoding: UnsafeBufferPointer(start: base, count: min(resume, 40)), as: UTF8.self))
            }
            return .malformed(number: segmentNumber, fileOffset: fileOffset, length: length, reason: .badID,
                              preview: String(decoding: UnsafeBufferPointer(start: base, count: min(length, 40)), as: UTF8.self))
        }
        return .segment(Segment(base: base, length: length, bounds: elementBounds, count: count, delimiters: delimiters,
                                tag: tag, number: segmentNumber, fileOffset: fileOffset,
                                hasNonASCII: high & 0x8080_8080_8080_8080 != 0,
                                strings: strings))
    }

    private func tooManyElements(_ base: UnsafeMutablePointer<UInt8>, length: Int, number: Int, fileOffset: Int64) -> ScanResult {
        .malformed(number: number, fileOffset: fileOffset, length: length, reason: .tooManyElements(limit: maxElements),
                   preview: String(decoding: UnsafeBufferPointer(start: base, count: min(length, 40)), as: UTF8.self))
    }

    /// Where a segment starts after bytes that cannot be X12 text (control bytes other than line ends and tabs,
    /// or bytes over 0x7E) at the front of `base`: past the last such byte and any white space, when a segment id
    /// (a capital, then one or two capitals or digits) and the element separator follow there; nil otherwise.
    static func segmentAfterGarbage(_ base: UnsafePointer<UInt8>, length: Int, separator: UInt8) -> Int? {
        var last = -1
        for k in 0..<length where (base[k] < 0x20 && base[k] != 0x0A && base[k] != 0x0D && base[k] != 0x09) || base[k] > 0x7E {
            last = k
        }
        guard last >= 0 else { return nil }
        var k = last + 1
        while k < length && (base[k] == 0x0A || base[k] == 0x0D || base[k] == 0x20 || base[k] == 0x09) { k += 1 }
        var idLength = 0
        while k + idLength < length && idLength < 3 {
            let b = base[k + idLength]
            guard (b >= 65 && b <= 90) || (idLength > 0 && b >= 48 && b <= 57) else { break }
            idLength += 1
        }
        guard idLength >= 2, k + idLength < length, base[k + idLength] == separator else { return nil }
        return k
    }

    /// Drops input up to and including the next `terminator` (used to resynchronise after an oversize segment).
    private func skipPast(_ terminator: UInt8) {
        while true {
            if start < end, let hit = memchr(buffer + start, Int32(terminator), end - start) {
                start = buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
                return
            }
            start = end
            if atEOF { return }
            fill()
        }
    }

    /// The file offset of the next unread byte.
    var position: Int64 { bufferFileOffset + Int64(start) }
}
