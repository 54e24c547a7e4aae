import ClaimModel

/// The delimited-record scanner behind `Table.load`, for other modules of the package (the table
/// importers): a file (plain or gzip) read in chunks, one record at a time, with the record's fields,
/// line numbers and field columns. Memory is bounded by the longest record, not the file.
package struct RecordReader: ~Copyable {
    /// What `next()` found.
    package enum Event: Equatable {
        /// A record: read its fields before the next call.
        case record
        /// The end of the input.
        case end
        /// A record that cannot be split (`TABLE005` unterminated quote, `TABLE008` text after a quote);
        /// it is skipped and reading goes on.
        case malformed(code: String, message: String, line: Int, column: Int)
        /// The input could not be read any further (I/O error, corrupt or truncated gzip data).
        case failed(message: String, line: Int)
    }

    private var scanner: RecordScanner

    /// Opens `path` (gzip recognised by its magic bytes). `tab`: tab-delimited with no quoting (CMS's
    /// `.txt` releases); otherwise comma-delimited with RFC 4180 quoting. Throws the reason it cannot open.
    package init(path: String, tab: Bool, chunk: Int = 1 << 20) throws(RecordReaderError) {
        let source: any ByteSource
        do {
            source = try openByteSource(path: path)
        } catch {
            throw RecordReaderError(message: error.message)
        }
        scanner = RecordScanner(source: source, delimiter: tab ? 0x09 : 0x2C, quoting: !tab, chunk: chunk)
    }

    /// Reads the next record.
    package mutating func next() -> Event {
        switch scanner.next() {
        case .record: return .record
        case .end: return .end
        case .unterminatedQuote(let line, let column):
            return .malformed(
                code: TableDiagnostic.unterminatedQuote,
                message: "quoted field is not closed before the end of the file", line: line, column: column)
        case .textAfterQuote(let line, let column):
            return .malformed(
                code: TableDiagnostic.textAfterQuote,
                message: "text after the closing quote of a field (a quote inside a quoted field is written \"\")",
                line: line, column: column)
        case .failed(let message, let line):
            return .failed(message: message, line: line)
        }
    }

    /// Number of fields of the current record.
    package var fieldCount: Int { scanner.fieldCount }
    /// 1-based line on which the current record starts.
    package var line: Int { scanner.recordLine }
    /// The current record is an empty line.
    package var isBlankLine: Bool { scanner.recordIsBlankLine }
    /// The current record was ended by the end of the input, not by a line end.
    package var endedAtEndOfInput: Bool { scanner.recordEndedAtEOF }
    /// Bytes of (decompressed) input consumed so far.
    package var bytesConsumed: Int { scanner.bytesConsumed }

    /// Calls `body` with field `index`'s content bytes (quotes removed, `""` unescaped).
    package func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        scanner.withContent(scanner.fields[index], body)
    }

    /// Field `index` as text (UTF-8, else Latin-1).
    package func text(_ index: Int) -> String { scanner.text(scanner.fields[index]) }

    /// Field `index` is empty.
    package func isEmpty(_ index: Int) -> Bool { scanner.fields[index].isEmpty }

    /// Line and 1-based column where field `index` starts (its opening quote when quoted).
    package func location(ofField index: Int) -> (line: Int, column: Int) {
        scanner.location(of: scanner.fields[index])
    }

    /// Line and column just past the last field (where a missing field would have started).
    package func locationAfterLastField() -> (line: Int, column: Int) {
        guard scanner.fieldCount > 0 else { return (scanner.recordLine, 1) }
        let last = scanner.fields[scanner.fieldCount - 1]
        return scanner.location(of: last.end + (last.quoted ? 1 : 0))
    }
}

/// Why a `RecordReader` could not open its file.
package struct RecordReaderError: Error, Sendable {
    package var message: String
}

/// A table date field as the loader reads it: CCYYMMDD, YYYY-MM-DD, M/D/YYYY or YYYYDDD; `*` or empty is
/// open (nil date); `.invalid` otherwise.
package enum TableDateValue: Equatable, Sendable {
    case open
    case date(CalendarDate)
    case invalid

    /// Parses the bytes exactly as `Table.load` does for row date columns.
    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch TableDate.parse(bytes) {
        case .open: self = .open
        case .invalid: self = .invalid
        case .day(let day):
            if let date = TableDate.calendarDate(day) { self = .date(date) } else { self = .invalid }
        }
    }
}
