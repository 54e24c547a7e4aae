/// Loading a table file: banner lines skipped, header found, rows checked, stored and indexed.
extension Table {
    /// At most this many diagnostics are listed per file; one more (`TABLE009`) counts the rest.
    public static let maxListedDiagnostics = 1000

    /// Loads and indexes; malformed rows are reported with file:line:column and skipped, never guessed.
    ///
    /// The table is nil only when the file cannot be read (`TABLE001`) or its header cannot be used
    /// (`TABLE004`, `TABLE006`); otherwise it holds every good row, and the diagnostics name the rest.
    /// Blank lines are skipped. When banner lines come before the header (CMS's release layouts), up to 5
    /// lines right after it whose key fields are all empty are taken as the header wrapped onto more lines
    /// (CMS's PTP files wrap theirs over 3) and skipped; after a header on line 1, every line is data.
    public static func load(_ spec: TableSpec) -> (table: Table?, diagnostics: [TableDiagnostic]) {
        load(spec, chunkSize: RecordScanner.defaultChunk)
    }

    /// `load` reading `chunkSize` bytes at a time.
    static func load(_ spec: TableSpec, chunkSize: Int) -> (table: Table?, diagnostics: [TableDiagnostic]) {
        var loader = Loader(spec: spec, chunkSize: chunkSize)
        let table = loader.run()
        return (table, loader.diagnostics.finished())
    }
}

/// Diagnostics with a cap.
struct DiagnosticList {
    let file: String
    var items: [TableDiagnostic] = []
    var unlisted = 0
    var firstUnlisted: (line: Int, column: Int)?

    mutating func add(_ code: String, _ message: String, line: Int, column: Int) {
        if items.count < Table.maxListedDiagnostics {
            items.append(TableDiagnostic(code: code, message: message, file: file, line: line, column: column))
        } else {
            if unlisted == 0 { firstUnlisted = (line, column) }
            unlisted += 1
        }
    }

    func finished() -> [TableDiagnostic] {
        guard unlisted > 0, let first = firstUnlisted else { return items }
        return items + [TableDiagnostic(
            code: TableDiagnostic.tooManyProblems,
            message: "\(unlisted) more problems from here on are not listed",
            file: file, line: first.line, column: first.column)]
    }
}

/// A one-value cache for a date column (CMS files repeat the same dates row after row).
struct DateCache {
    var lastPacked: UInt64 = .max
    var lastDay = TableDate.Parsed.invalid

    @inline(__always)
    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> TableDate.Parsed {
        parse(bytes, packed: PackedCode.pack(bytes))
    }

    @inline(__always)
    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, packed: UInt64?) -> TableDate.Parsed {
        guard let packed else { return TableDate.parse(bytes) }
        if packed == lastPacked { return lastDay }
        let parsed = TableDate.parse(bytes)
        lastPacked = packed
        lastDay = parsed
        return parsed
    }
}

struct Loader {
    /// At most this many lines right after a header that is not on line 1 are taken as its continuation
    /// when their key fields are all empty (CMS's PTP files wrap theirs over 3 more lines).
    static let maxHeaderContinuationLines = 5

    let spec: TableSpec
    let chunkSize: Int
    var diagnostics: DiagnosticList

    init(spec: TableSpec, chunkSize: Int) {
        self.spec = spec
        self.chunkSize = chunkSize
        diagnostics = DiagnosticList(file: spec.path)
    }

    mutating func run() -> Table? {
        let source: any ByteSource
        do {
            source = try openByteSource(path: spec.path)
        } catch {
            diagnostics.add(TableDiagnostic.cannotRead, "cannot read table: \(error.message)", line: 1, column: 1)
            return nil
        }
        let tab = spec.isTabDelimited
        var scanner = RecordScanner(
            source: source, delimiter: tab ? 0x09 : 0x2C, quoting: !tab, chunk: chunkSize)

        // The header.
        var header: [HeaderField]?
        var lastRecordLine = 0
        search: while header == nil {
            switch scanner.next() {
            case .end:
                break search
            case .failed(let message, let line):
                diagnostics.add(TableDiagnostic.cannotRead, "cannot read table: \(message)", line: line, column: 1)
                return nil
            case .unterminatedQuote(let line, let column):
                diagnostics.add(TableDiagnostic.unterminatedQuote, unterminatedMessage, line: line, column: column)
            case .textAfterQuote(let line, let column):
                diagnostics.add(TableDiagnostic.textAfterQuote, textAfterQuoteMessage, line: line, column: column)
            case .record:
                lastRecordLine = scanner.recordLine
                if let wanted = spec.headerLine {
                    if scanner.recordLine < wanted { continue }
                    if scanner.recordLine > wanted { break search }
                    header = headerFields(scanner)
                } else {
                    let fields = headerFields(scanner)
                    let names = fields.map(\.name)
                    let loose = names.map(looseName)
                    let namesEveryKey = !spec.keyColumns.isEmpty && spec.keyColumns.allSatisfy {
                        matchColumn($0, in: names, loose: loose) != .missing
                    }
                    if namesEveryKey { header = fields }
                }
            }
        }
        guard let header else {
            let keys = spec.keyColumns.map { "'\($0)'" }.joined(separator: ", ")
            if let wanted = spec.headerLine {
                diagnostics.add(
                    TableDiagnostic.missingColumn,
                    "no record starts at header line \(wanted) (the file's last record before it starts on line "
                        + "\(lastRecordLine))", line: wanted, column: 1)
            } else if spec.keyColumns.isEmpty {
                diagnostics.add(TableDiagnostic.missingColumn, "the spec names no key column", line: 1, column: 1)
            } else {
                diagnostics.add(
                    TableDiagnostic.missingColumn,
                    "no line of the file names every key column (\(keys)): no header found", line: 1, column: 1)
            }
            return nil
        }
        let resolved: ResolvedSpec
        switch ResolvedSpec.resolve(
            file: spec.path, header: header, keyColumns: spec.keyColumns, effectiveColumn: spec.effectiveColumn,
            expiresColumn: spec.expiresColumn, optionalKeyColumns: spec.optionalKeyColumns)
        {
        case .success(let value): resolved = value
        case .failure(let problem):
            diagnostics.add(problem.code, problem.message, line: problem.line, column: problem.column)
            return nil
        }

        // `where:` columns, resolved like the key columns; a column the header lacks is TABLE004.
        var filter: [(column: Int, values: Set<String>)] = []
        let headerNames = header.map(\.name)
        let looseNames = headerNames.map(looseName)
        for (name, values) in spec.rowFilter.sorted(by: { $0.key < $1.key }) {
            guard case .found(let column) = matchColumn(name, in: headerNames, loose: looseNames) else {
                diagnostics.add(
                    TableDiagnostic.missingColumn, "the row filter names column '\(name)', which the header does not have (or has twice)",
                    line: header.first?.line ?? 1, column: 1)
                return nil
            }
            filter.append((column, Set(values)))
        }
        guard let store = readRows(&scanner, header: header, spec: resolved, source: source, filter: filter) else { return nil }
        return Table(file: spec.path, columns: header.map(\.name), spec: resolved, store: store)
    }

    func headerFields(_ scanner: borrowing RecordScanner) -> [HeaderField] {
        (0..<scanner.fieldCount).map { index in
            let field = scanner.fields[index]
            let (line, column) = scanner.location(of: field)
            return HeaderField(name: scanner.text(field), line: line, column: column)
        }
    }

    var unterminatedMessage: String { "quoted field is not closed before the end of the file; the record is skipped" }
    var textAfterQuoteMessage: String {
        "text after the closing quote of a field (a quote inside a quoted field is written \"\"); the record is skipped"
    }

    mutating func readRows(
        _ scanner: inout RecordScanner, header: [HeaderField], spec: ResolvedSpec, source: any ByteSource,
        filter: [(column: Int, values: Set<String>)] = []
    ) -> RowStore? {
        let columnCount = header.count
        let headerLine = header.first?.line ?? 1
        var store = RowStore(columnCount: columnCount, spec: spec)
        let keyIndices = spec.keyIndices
        let requiredKeys = spec.requiredKeyIndices
        let effectiveIndex = spec.effectiveIndex ?? -1
        let expiresIndex = spec.expiresIndex ?? -1
        let expectedBytes = source.expectedSize
        let headerEnd = scanner.bytesConsumed
        var effectiveCache = DateCache()
        var expiresCache = DateCache()
        // CMS's release layouts (banner lines, then the header) may wrap the header onto a few more lines.
        var continuationLines = headerLine > 1 ? Loader.maxHeaderContinuationLines : 0
        var dataRecords = 0

        while true {
            switch scanner.next() {
            case .end:
                return store
            case .failed(let message, let line):
                diagnostics.add(TableDiagnostic.cannotRead, "cannot read table: \(message)", line: line, column: 1)
                return nil
            case .unterminatedQuote(let line, let column):
                continuationLines = 0
                diagnostics.add(TableDiagnostic.unterminatedQuote, unterminatedMessage, line: line, column: column)
                continue
            case .textAfterQuote(let line, let column):
                continuationLines = 0
                diagnostics.add(TableDiagnostic.textAfterQuote, textAfterQuoteMessage, line: line, column: column)
                continue
            case .record:
                break
            }
            if scanner.recordIsBlankLine { continue }
            let fields = scanner.fields
            let count = scanner.fieldCount
            if continuationLines > 0 {
                // The header wrapped onto further lines: no key values there.
                continuationLines -= 1
                if keyIndices.allSatisfy({ $0 >= count || fields[$0].isEmpty }) { continue }
                continuationLines = 0
            }
            dataRecords += 1
            if dataRecords == 2048, let expectedBytes {
                let perRow = max(1, (scanner.bytesConsumed - headerEnd) / dataRecords)
                let estimate = min(50_000_000, max(0, expectedBytes - headerEnd) / perRow)
                store.reserve(rows: estimate + estimate / 32 + 1024)
            }
            guard count == columnCount else {
                let offset: Int
                if count > columnCount {
                    offset = fields[columnCount].fieldStart
                } else {
                    let last = fields[count - 1]
                    offset = last.end + (last.quoted ? 1 : 0)
                }
                let (line, column) = scanner.location(of: offset)
                diagnostics.add(
                    TableDiagnostic.wrongFieldCount,
                    "expected \(columnCount) fields, as in the header on line \(headerLine), found \(count); "
                        + "the row is skipped", line: line, column: column)
                continue
            }
            var bad = false
            for k in requiredKeys where fields[k].isEmpty {
                bad = true
                let (line, column) = scanner.location(of: fields[k])
                diagnostics.add(
                    TableDiagnostic.emptyKey, "key column '\(header[k].name)' is empty; the row is skipped",
                    line: line, column: column)
            }
            var effective = TableDate.openStart
            var expires = TableDate.openEnd
            if effectiveIndex >= 0 {
                let field = fields[effectiveIndex]
                switch Loader.date(field, in: scanner, cache: &effectiveCache) {
                case .open: break
                case .day(let day): effective = day
                case .invalid:
                    bad = true
                    reportBadDate(scanner, field, column: header[effectiveIndex].name)
                }
            }
            if expiresIndex >= 0 {
                let field = fields[expiresIndex]
                switch Loader.date(field, in: scanner, cache: &expiresCache) {
                case .open: break
                case .day(let day): expires = day
                case .invalid:
                    bad = true
                    reportBadDate(scanner, field, column: header[expiresIndex].name)
                }
            }
            if bad { continue }
            if !filter.isEmpty, !filter.allSatisfy({ $0.values.contains(scanner.text(fields[$0.column])) }) { continue }
            store.beginRow()
            let base = scanner.buffer
            for column in 0..<count {
                let field = fields[column]
                if field.escaped {
                    scanner.withContent(field) { store.setField(column, $0) }
                } else {
                    store.setScannedField(column, base + field.start, count: field.end - field.start)
                }
            }
            store.commitRow(effective: effective, expires: expires, line: scanner.recordLine)
        }
    }

    @inline(__always)
    static func date(_ field: FieldSpan, in scanner: borrowing RecordScanner, cache: inout DateCache) -> TableDate.Parsed {
        if field.escaped { return scanner.withContent(field) { cache.parse($0) } }
        let start = UnsafePointer(scanner.buffer + field.start)
        let count = field.end - field.start
        return cache.parse(UnsafeBufferPointer(start: start, count: count), packed: PackedCode.pack(slack: start, count: count))
    }

    mutating func reportBadDate(_ scanner: borrowing RecordScanner, _ field: FieldSpan, column name: String) {
        let (line, column) = scanner.location(of: field)
        diagnostics.add(
            TableDiagnostic.badDate, badDateMessage(scanner.text(field), column: name) + "; the row is skipped",
            line: line, column: column)
    }
}
