/// One field of a scanned record: a byte range in the scanner's buffer.
struct FieldSpan {
    /// First byte of the content (after an opening quote).
    var start: Int
    /// One past the last byte of the content (before a closing quote, or a trailing `\r`).
    var end: Int
    var quoted: Bool
    /// The content holds `""` pairs that stand for one quote.
    var escaped: Bool

    /// The field's first byte in the buffer (its opening quote when quoted).
    var fieldStart: Int { quoted ? start - 1 : start }
    var isEmpty: Bool { start == end }
}

/// What the scanner found next.
enum ScanStatus {
    /// A record: its fields are `scanner.fields[0..<scanner.fieldCount]`, valid until the next call.
    case record
    /// The end of the input.
    case end
    /// A quoted field that is never closed; scanning resumes on the line after the record's first line.
    case unterminatedQuote(line: Int, column: Int)
    /// A closing quote followed by other text; the rest of that line is skipped.
    case textAfterQuote(line: Int, column: Int)
    /// The input could not be read.
    case failed(message: String, line: Int)
}

/// Splits delimited text into records, reading the source in chunks and keeping only the current
/// record in memory. RFC 4180 quoting when `quoting` is on; a `\r` before `\n` ends the line with it;
/// an unquoted field is kept as written (a `"` inside it is an ordinary byte).
struct RecordScanner: ~Copyable {
    let source: any ByteSource
    let delimiter: UInt8
    let quoting: Bool
    /// Bytes read at a time (tests use tiny chunks to cut records at every byte).
    let chunk: Int
    static let defaultChunk = 1 << 20
    /// Readable bytes kept past the buffer's capacity, for word-at-a-time reads of the last field.
    static let slack = 8

    private(set) var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var position = 0
    private var end = 0
    private var atEOF = false
    private var sawStart = false
    /// The line of `position`.
    private var line = 1
    /// Bytes consumed before the buffer's first byte, for size estimates.
    private var consumedBefore = 0

    private(set) var fields: UnsafeMutablePointer<FieldSpan>
    private var fieldCapacity = 64
    private(set) var fieldCount = 0
    /// 1-based line on which the last record started, and its first byte in the buffer.
    private(set) var recordLine = 1
    private(set) var recordStart = 0
    /// True when the last record was a line with no bytes (other than a `\r`).
    private(set) var recordIsBlankLine = false
    /// True when the last record was ended by the end of the input rather than a line feed.
    private(set) var recordEndedAtEOF = false

    init(source: any ByteSource, delimiter: UInt8, quoting: Bool, chunk: Int = RecordScanner.defaultChunk) {
        self.source = source
        self.chunk = max(1, chunk)
        self.delimiter = delimiter
        self.quoting = quoting
        capacity = self.chunk * 2
        buffer = .allocate(capacity: capacity + RecordScanner.slack)
        buffer.initialize(repeating: 0, count: capacity + RecordScanner.slack)
        fields = .allocate(capacity: fieldCapacity)
    }

    deinit {
        buffer.deallocate()
        fields.deallocate()
    }

    /// Bytes of input consumed up to the current position.
    var bytesConsumed: Int { consumedBefore + position }

    /// Moves the unread bytes to the front and reads more; false at the end of input.
    private mutating func refill() throws(ByteSourceError) -> Bool {
        if atEOF { return false }
        let keep = end - position
        if position > 0 {
            if keep > 0 { buffer.update(from: buffer + position, count: keep) }
            consumedBefore += position
            end = keep
            position = 0
        }
        if capacity - end < chunk {
            // A record longer than a chunk: grow geometrically so that rescanning it stays linear.
            let newCapacity = max(capacity * 2, end + chunk)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + RecordScanner.slack)
            grown.initialize(repeating: 0, count: newCapacity + RecordScanner.slack)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity = newCapacity
        }
        let got = try source.read(into: buffer + end, capacity: capacity - end)
        if got == 0 {
            atEOF = true
            return keep > 0
        }
        end += got
        if !sawStart {
            // A UTF-8 byte order mark (spreadsheet exports write one) is not part of the first field. Until
            // three bytes are in, only a prefix of one can have been read, and no record can end inside it.
            let undecided = end < 3 && buffer[0] == 0xEF && (end < 2 || buffer[1] == 0xBB)
            if !undecided {
                sawStart = true
                if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
            }
        }
        return true
    }

    /// Line and 1-based column of a byte of the current record (counted from the record's start).
    /// Columns count characters: UTF-8 scalars when the line so far is valid UTF-8, bytes otherwise.
    func location(of offset: Int) -> (line: Int, column: Int) {
        var lineNumber = recordLine
        var lineStart = recordStart
        var index = recordStart
        while index < offset {
            if buffer[index] == 0x0A {
                lineNumber += 1
                lineStart = index + 1
            }
            index += 1
        }
        let prefix = UnsafeBufferPointer(start: buffer + lineStart, count: offset - lineStart)
        if prefix.allSatisfy({ $0 < 0x80 }) { return (lineNumber, prefix.count + 1) }
        var scalars = 0
        var iterator = prefix.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: scalars += 1
            case .emptyInput: break loop
            case .error: return (lineNumber, prefix.count + 1)
            }
        }
        return (lineNumber, scalars + 1)
    }

    /// Line and column of a field of the current record.
    func location(of field: FieldSpan) -> (line: Int, column: Int) { location(of: field.fieldStart) }

    private enum Outcome {
        case done(next: Int, lines: Int)
        case needMore
        case unterminated(fieldStart: Int)
        case stray(at: Int)
    }

    /// Scans the next record.
    mutating func next() -> ScanStatus {
        while true {
            if position >= end {
                do {
                    if !(try refill()) { return .end }
                } catch {
                    return .failed(message: error.message, line: line)
                }
                continue
            }
            recordStart = position
            recordLine = line
            switch scan() {
            case .done(let next, let lines):
                position = next
                line += lines
                return .record
            case .needMore:
                fieldCount = 0
                do {
                    if !(try refill()) { return .end }
                } catch {
                    return .failed(message: error.message, line: line)
                }
            // A record cut by the end of the buffer is scanned again from its start.
            case .unterminated(let fieldStart):
                let (quoteLine, column) = location(of: fieldStart)
                // Resume on the line after the record's first line.
                var index = position
                while index < end && buffer[index] != 0x0A { index += 1 }
                position = min(end, index + 1)
                line += 1
                fieldCount = 0
                return .unterminatedQuote(line: quoteLine, column: column)
            case .stray(let at):
                let (strayLine, column) = location(of: at)
                var index = at
                while index < end && buffer[index] != 0x0A { index += 1 }
                if index >= end && !atEOF {
                    // The rest of the line is not in the buffer yet: skip what is, then keep skipping.
                    position = end
                    skipRestOfLine()
                } else {
                    position = min(end, index + 1)
                }
                line = strayLine + 1
                fieldCount = 0
                return .textAfterQuote(line: strayLine, column: column)
            }
        }
    }

    /// Skips input up to and including the next line feed.
    private mutating func skipRestOfLine() {
        while true {
            if position >= end {
                guard (try? refill()) == true else { return }
            }
            while position < end {
                let byte = buffer[position]
                position += 1
                if byte == 0x0A { return }
            }
        }
    }

    private mutating func scan() -> Outcome {
        let p = buffer
        let end = self.end
        let eof = atEOF
        let delimiter = self.delimiter
        let quoting = self.quoting
        var fields = self.fields
        var fieldCapacity = self.fieldCapacity
        var i = position
        var lines = 0
        var count = 0
        var blank = false
        var atEnd = false
        defer {
            self.fieldCount = count
            self.fields = fields
            self.fieldCapacity = fieldCapacity
            self.recordIsBlankLine = blank
            self.recordEndedAtEOF = atEnd
        }

        @inline(__always) func add(_ start: Int, _ fieldEnd: Int, quoted: Bool, escaped: Bool) {
            if count == fieldCapacity {
                let grown = UnsafeMutablePointer<FieldSpan>.allocate(capacity: fieldCapacity * 2)
                grown.moveInitialize(from: fields, count: count)
                fields.deallocate()
                fields = grown
                fieldCapacity *= 2
            }
            (fields + count).initialize(to: FieldSpan(start: start, end: fieldEnd, quoted: quoted, escaped: escaped))
            count += 1
        }

        let delimiters = UInt64(delimiter) &* 0x0101_0101_0101_0101
        let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080

        while true {
            let fieldStart = i
            if quoting && i < end && p[i] == 0x22 {
                i += 1
                let contentStart = i
                var escaped = false
                var contentEnd = 0
                while true {
                    if i >= end {
                        return eof ? .unterminated(fieldStart: fieldStart) : .needMore
                    }
                    let byte = p[i]
                    if byte == 0x22 {
                        if i + 1 >= end && !eof { return .needMore }
                        if i + 1 < end && p[i + 1] == 0x22 {
                            escaped = true
                            i += 2
                            continue
                        }
                        contentEnd = i
                        i += 1
                        break
                    }
                    if byte == 0x0A { lines += 1 }
                    i += 1
                }
                if i >= end {
                    if !eof { return .needMore }
                    add(contentStart, contentEnd, quoted: true, escaped: escaped)
                    atEnd = true
                    return .done(next: i, lines: lines)
                }
                let byte = p[i]
                if byte == delimiter {
                    add(contentStart, contentEnd, quoted: true, escaped: escaped)
                    i += 1
                    continue
                }
                if byte == 0x0A {
                    add(contentStart, contentEnd, quoted: true, escaped: escaped)
                    return .done(next: i + 1, lines: lines + 1)
                }
                if byte == 0x0D {
                    if i + 1 >= end {
                        if !eof { return .needMore }
                        add(contentStart, contentEnd, quoted: true, escaped: escaped)
                        atEnd = true
                        return .done(next: i + 1, lines: lines)
                    }
                    if p[i + 1] == 0x0A {
                        add(contentStart, contentEnd, quoted: true, escaped: escaped)
                        return .done(next: i + 2, lines: lines + 1)
                    }
                }
                return .stray(at: i)
            }
            // Unquoted: eight bytes at a time, to the lowest byte that is the delimiter or a line feed.
            var found = false
            while i + 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                let x = word ^ delimiters
                let y = word ^ lineFeeds
                let hits = ((x &- ones) & ~x | (y &- ones) & ~y) & highs
                if hits != 0 {
                    i += hits.trailingZeroBitCount >> 3
                    found = true
                    break
                }
                i += 8
            }
            if !found {
                while i < end {
                    let byte = p[i]
                    if byte == delimiter || byte == 0x0A { break }
                    i += 1
                }
            }
            if i >= end {
                if !eof { return .needMore }
                var fieldEnd = end
                if fieldEnd > fieldStart && p[fieldEnd - 1] == 0x0D { fieldEnd -= 1 }
                add(fieldStart, fieldEnd, quoted: false, escaped: false)
                blank = count == 1 && fieldEnd == fieldStart
                atEnd = true
                return .done(next: end, lines: lines)
            }
            if p[i] == delimiter {
                add(fieldStart, i, quoted: false, escaped: false)
                i += 1
                continue
            }
            var fieldEnd = i
            if fieldEnd > fieldStart && p[fieldEnd - 1] == 0x0D { fieldEnd -= 1 }
            add(fieldStart, fieldEnd, quoted: false, escaped: false)
            blank = count == 1 && fieldEnd == fieldStart
            return .done(next: i + 1, lines: lines + 1)
        }
    }
}
