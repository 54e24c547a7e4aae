/// A problem with one entry of a code list: `index` is the entry's 0-based position in the list.
public struct CodeRangeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var entry: String
    public var index: Int
    public var message: String

    public init(entry: String, index: Int, message: String) {
        self.entry = entry
        self.index = index
        self.message = message
    }

    public var description: String { "entry \(index) '\(entry)': \(message)" }
}

/// A set of codes from a list of codes and ranges such as `99202-99215`, `A0021-A0999`, `E11.0-E11.9`,
/// `0001F-0015F`.
///
/// A range's two ends have the same length and differ only in their last run of digits (the text before
/// and after it is the same); it stands for every code between them inclusive with that run zero-padded to
/// the same width (`A0021-A0999` holds `A0100`, not `A100`). Ranges are kept as intervals, not expanded;
/// a list with the same codes written differently is an equal set.
public struct CodeSet: Hashable, Sendable {
    /// The variable part of a code: its last run of digits, with the text around it.
    struct Shape: Hashable, Sendable {
        var prefix: String
        var suffix: String
        var width: Int
    }

    /// A shape's intervals with the shape as bytes, for `contains` on a set of few shapes.
    struct ShapeIntervals: Hashable, Sendable {
        var prefix: [UInt8]
        var suffix: [UInt8]
        var width: Int
        var intervals: [ClosedRange<Int64>]
    }

    /// Codes with no run of digits (or one too long to count with).
    private var plain: Set<String> = []
    /// Per shape: sorted, disjoint, non-adjacent intervals of the digit run's value.
    private var intervals: [Shape: [ClosedRange<Int64>]] = [:]
    /// The same as `intervals`, sorted by shape, when there are at most `fewShapes` shapes (CPT ranges, modifier
    /// lists): a code is then matched by comparing bytes, without building and hashing its shape's strings.
    private var shapeList: [ShapeIntervals] = []
    private var size = 0

    static let fewShapes = 8

    /// The default cap on the codes one range may expand to.
    public static let defaultMaxExpansion = 1_000_000

    /// Builds the set; throws for the first bad entry: an empty entry, a range whose ends have different
    /// shapes, ends before it starts, or expands to more than `maxExpansion` codes.
    public init(_ entries: [String], maxExpansion: Int = CodeSet.defaultMaxExpansion) throws(CodeRangeError) {
        var collected: [Shape: [ClosedRange<Int64>]] = [:]
        for (index, raw) in entries.enumerated() {
            let entry = raw.trimmingSpaces
            func fail(_ message: String) -> CodeRangeError { CodeRangeError(entry: raw, index: index, message: message) }
            guard !entry.isEmpty else { throw fail("empty entry") }
            let parts = entry.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 1 {
                if let (shape, value) = CodeSet.split(entry) {
                    collected[shape, default: []].append(value...value)
                } else {
                    plain.insert(entry)
                }
                continue
            }
            guard parts.count == 2 else { throw fail("a range has one '-' between two codes") }
            let start = String(parts[0]).trimmingSpaces
            let end = String(parts[1]).trimmingSpaces
            guard !start.isEmpty, !end.isEmpty else { throw fail("a range needs a code on each side of '-'") }
            guard let (startShape, low) = CodeSet.split(start), let (endShape, high) = CodeSet.split(end) else {
                throw fail("a range's ends need a run of digits to count through ('\(start)', '\(end)')")
            }
            guard start.utf8.count == end.utf8.count, startShape == endShape else {
                throw fail(
                    "different shapes: '\(start)' and '\(end)' must have the same length and differ only in their "
                        + "last run of digits")
            }
            guard low <= high else { throw fail("end before start: '\(end)' comes before '\(start)'") }
            let span = high - low + 1
            guard span <= Int64(maxExpansion) else {
                throw fail("expands to \(span) codes, more than the limit of \(maxExpansion)")
            }
            collected[startShape, default: []].append(low...high)
        }
        for (shape, list) in collected {
            let sorted = list.sorted { $0.lowerBound < $1.lowerBound }
            var merged: [ClosedRange<Int64>] = []
            for interval in sorted {
                if let last = merged.last, interval.lowerBound <= last.upperBound + 1 {
                    merged[merged.count - 1] = last.lowerBound...max(last.upperBound, interval.upperBound)
                } else {
                    merged.append(interval)
                }
            }
            intervals[shape] = merged
            for interval in merged { size += Int(interval.upperBound - interval.lowerBound + 1) }
        }
        size += plain.count
        if intervals.count <= CodeSet.fewShapes {
            shapeList = intervals.map { ShapeIntervals(prefix: Array($0.key.prefix.utf8), suffix: Array($0.key.suffix.utf8),
                                                       width: $0.key.width, intervals: $0.value) }
                .sorted { a, b in
                    if a.prefix != b.prefix { return a.prefix.lexicographicallyPrecedes(b.prefix) }
                    if a.width != b.width { return a.width < b.width }
                    return a.suffix.lexicographicallyPrecedes(b.suffix)
                }
        }
    }

    /// The shape and value of a code's last run of digits; nil when it has none (or more than 18 digits).
    static func split(_ code: String) -> (Shape, Int64)? {
        let bytes = Array(code.utf8)
        var end = bytes.count
        while end > 0 && !bytes[end - 1].isDigit { end -= 1 }
        guard end > 0 else { return nil }
        var start = end
        while start > 0 && bytes[start - 1].isDigit { start -= 1 }
        let width = end - start
        guard width <= 18 else { return nil }
        var value: Int64 = 0
        for byte in bytes[start..<end] { value = value * 10 + Int64(byte - 48) }
        let shape = Shape(
            prefix: String(decoding: bytes[0..<start], as: UTF8.self),
            suffix: String(decoding: bytes[end...], as: UTF8.self), width: width)
        return (shape, value)
    }

    /// Whether the code is in the set (exact text; ranges compare the digit run's width and value).
    public func contains(_ code: String) -> Bool {
        var text = code
        // The code's bytes in place (a short code is on the stack): no array and, for a set of few shapes, no
        // strings are built.
        return text.withUTF8 { bytes -> Bool in
            var end = bytes.count
            while end > 0 && !bytes[end - 1].isDigit { end -= 1 }
            var start = end
            while start > 0 && bytes[start - 1].isDigit { start -= 1 }
            let width = end - start
            guard width > 0, width <= 18 else { return plain.contains(code) }
            var value: Int64 = 0
            for position in start..<end { value = value * 10 + Int64(bytes[position] - 48) }
            if intervals.count > CodeSet.fewShapes {
                let shape = Shape(prefix: String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<start]), as: UTF8.self),
                                  suffix: String(decoding: UnsafeBufferPointer(rebasing: bytes[end...]), as: UTF8.self),
                                  width: width)
                return intervals[shape].map { CodeSet.holds($0, value) } ?? false
            }
            for entry in shapeList where entry.width == width && entry.prefix.count == start
                && entry.suffix.count == bytes.count - end {
                guard entry.prefix.elementsEqual(bytes[0..<start]), entry.suffix.elementsEqual(bytes[end...]) else { continue }
                return CodeSet.holds(entry.intervals, value)
            }
            return false
        }
    }

    /// Whether one of the sorted, disjoint intervals holds the value (binary search).
    @inline(__always)
    private static func holds(_ list: [ClosedRange<Int64>], _ value: Int64) -> Bool {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].upperBound < value { low = middle + 1 } else { high = middle }
        }
        return low < list.count && list[low].contains(value)
    }

    /// The number of distinct codes.
    public var count: Int { size }

    public var isEmpty: Bool { size == 0 }

    /// Every code, expanded and sorted (as bytes); for tests and listings of small sets.
    public var sortedCodes: [String] {
        var codes = Array(plain)
        for (shape, list) in intervals {
            for interval in list {
                for value in interval {
                    let digits = String(value)
                    let padding = String(repeating: "0", count: max(0, shape.width - digits.utf8.count))
                    codes.append(shape.prefix + padding + digits + shape.suffix)
                }
            }
        }
        return codes.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= 48 && self <= 57 }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
