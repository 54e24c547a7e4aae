import ClaimModel

/// An immutable, Sendable table indexed by its key: named columns, rows with optional effective windows.
///
/// Rows are stored sorted by key (a stable sort: rows of one key keep their file order), so the rows of a
/// key are one contiguous `Range<Int32>` of row numbers. A row number is a handle into this table;
/// `line(row:)` gives the file line it came from. Key columns are stored as packed codes, other columns
/// interned; dates as day numbers. Files already sorted by key (CMS's are) load fastest.
public final class Table: Sendable {
    /// The file the table was read from (or the name given to an in-memory table).
    public let file: String
    /// Header names as written.
    public let columns: [String]
    /// The spec's key column names, in key order.
    public let keyColumns: [String]
    /// Header indices of the key columns, in key order.
    public let keyColumnIndices: [Int]
    /// Header indices of the effective and expiry date columns, when the spec names them.
    public let effectiveColumnIndex: Int?
    public let expiresColumnIndex: Int?
    /// Number of rows loaded.
    public let rowCount: Int
    /// Whether the file's rows were already in key order (no sort was needed).
    public let wasSortedByKey: Bool

    let looseColumns: [String]
    /// Per header column: `k >= 0` is text column k; `-(k + 1)` is key column k.
    let slots: [Int]
    let keys: [CodeColumn]
    let firstKeyCodes: ColumnStorage<UInt64>
    let secondKeyCodes: ColumnStorage<UInt64>
    let texts: [TextColumn]
    let hasEffective: Bool
    let hasExpires: Bool
    /// Per row (when the table has an effective or an expiry column): the effective day number in the high 32 bits,
    /// the expiry day in the low 32 (`TableDate.openStart`/`openEnd` when open), so checking a row's window reads
    /// one word, not two columns.
    let validDays: ColumnStorage<UInt64>
    let lines: ColumnStorage<Int32>
    /// Open addressing over the distinct first key parts: the run of rows that has each.
    let directory: [DirectoryEntry]
    let directoryMask: Int
    /// Per run (two or more key columns): a small hash table over the second key part, `regionMask + 1`
    /// slots from `regionStart`. A slot is 0 (empty) or `fingerprint << 24 | (offset in the run + 1)`.
    let regions: [UInt32]

    struct DirectoryEntry: Sendable {
        var code: UInt64
        var start: Int32
        /// One past the last row; 0 marks an empty slot.
        var end: Int32
        var regionStart: Int32
        /// -1 when the run has no region (too long for 24-bit offsets): binary search instead.
        var regionMask: Int32
    }

    static let emptyEntry = DirectoryEntry(code: 0, start: 0, end: 0, regionStart: 0, regionMask: -1)

    init(file: String, columns: [String], spec: ResolvedSpec, store: consuming RowStore) {
        self.file = file
        self.columns = columns
        looseColumns = columns.map(looseName)
        keyColumns = spec.keyNames
        keyColumnIndices = spec.keyIndices
        effectiveColumnIndex = spec.effectiveIndex
        expiresColumnIndex = spec.expiresIndex
        let n = store.rowCount
        rowCount = n
        slots = store.slots

        let keyBuffers = (0..<store.keyCount).map { store.codes[$0]! }
        let order = Table.sortOrder(keyBuffers, keyCount: store.keyCount, rowCount: n)
        wasSortedByKey = order == nil
        var keys: [CodeColumn] = []
        for k in 0..<store.keyCount {
            keys.append(CodeColumn(
                codes: ColumnStorage(adopting: store.takeCodes(k, order: order), count: n), pool: store.pools[k]))
        }
        self.keys = keys
        firstKeyCodes = keys.first?.codes ?? ColumnStorage()
        secondKeyCodes = keys.count > 1 ? keys[1].codes : ColumnStorage()
        var texts: [TextColumn] = []
        for t in 0..<store.textCount {
            let values = store.interners[t].values()
            let (ids, width) = store.takeIDs(t, order: order)
            texts.append(TextColumn(
                values: values, ids: IDColumn(width: width, storage: ColumnStorage(adopting: ids, count: n * width))))
        }
        self.texts = texts
        hasEffective = store.hasEffective
        hasExpires = store.hasExpires
        if store.hasEffective || store.hasExpires {
            let effective = store.hasEffective ? store.takeEffective(order: order) : nil
            let expires = store.hasExpires ? store.takeExpires(order: order) : nil
            let days = mallocBuffer(UInt64.self, count: n)
            for row in 0..<n {
                days[row] = Table.validDays(effective: effective?[row] ?? TableDate.openStart, expires: expires?[row] ?? TableDate.openEnd)
            }
            freeBuffer(effective)
            freeBuffer(expires)
            validDays = ColumnStorage(adopting: days, count: n)
        } else {
            validDays = ColumnStorage()
        }
        lines = ColumnStorage(adopting: store.takeLines(order: order), count: n)
        _ = consume store
        (directory, directoryMask, regions) = Table.buildDirectory(
            firstKeyCodes, second: keys.count > 1 ? secondKeyCodes : nil, rowCount: rowCount)
    }

    // MARK: Index

    /// The stable order of rows by key, or nil when they are in order already.
    static func sortOrder(
        _ keys: [UnsafeMutablePointer<UInt64>], keyCount: Int, rowCount: Int
    ) -> [Int32]? {
        guard keyCount > 0, rowCount > 1 else { return nil }
        @inline(__always) func less(_ x: Int, _ y: Int) -> Bool {
            for k in 0..<keyCount {
                let a = keys[k][x], b = keys[k][y]
                if a != b { return a < b }
            }
            return x < y
        }
        var sorted = true
        if keyCount == 2 {
            let a = keys[0], b = keys[1]
            for row in 1..<rowCount where (a[row - 1], b[row - 1]) > (a[row], b[row]) {
                sorted = false
                break
            }
        } else {
            for row in 1..<rowCount where less(row, row - 1) {
                sorted = false
                break
            }
        }
        if sorted { return nil }
        var order = (0..<Int32(rowCount)).map { $0 }
        if keyCount == 1 {
            let a = keys[0]
            order.sort { (a[Int($0)], $0) < (a[Int($1)], $1) }
        } else if keyCount == 2 {
            let a = keys[0], b = keys[1]
            order.sort { (a[Int($0)], b[Int($0)], $0) < (a[Int($1)], b[Int($1)], $1) }
        } else {
            order.sort { less(Int($0), Int($1)) }
        }
        return order
    }

    static func buildDirectory(
        _ codes: ColumnStorage<UInt64>, second: ColumnStorage<UInt64>?, rowCount: Int
    ) -> ([DirectoryEntry], Int, [UInt32]) {
        guard rowCount > 0, codes.count > 0 else { return ([emptyEntry], 0, []) }
        var runs: [(UInt64, Int32, Int32)] = []
        var start = 0
        for row in 1...rowCount where row == rowCount || codes[row] != codes[start] {
            runs.append((codes[start], Int32(start), Int32(row)))
            start = row
        }
        var size = 16
        while size < runs.count * 2 { size *= 2 }
        let mask = size - 1
        var directory = [DirectoryEntry](repeating: emptyEntry, count: size)
        var regions: [UInt32] = []
        if second != nil { regions.reserveCapacity(rowCount * 2) }
        for (code, start, end) in runs {
            var entry = DirectoryEntry(code: code, start: start, end: end, regionStart: 0, regionMask: -1)
            if let second, end - start < 1 << 24 {
                // Distinct second parts of the run, each at its first row.
                var distinct = 1
                for row in Int(start) + 1..<Int(end) where second[row] != second[row - 1] { distinct += 1 }
                var slots = 4
                while slots < distinct + distinct / 2 + 1 { slots *= 2 }
                let base = regions.count
                regions.append(contentsOf: repeatElement(0, count: slots))
                for row in Int(start)..<Int(end) where row == Int(start) || second[row] != second[row - 1] {
                    let h = mix64(second[row])
                    let fingerprint = UInt32(truncatingIfNeeded: h >> 56)
                    var slot = Int(truncatingIfNeeded: h) & (slots - 1)
                    while regions[base + slot] != 0 { slot = (slot + 1) & (slots - 1) }
                    regions[base + slot] = fingerprint << 24 | UInt32(row - Int(start) + 1)
                }
                entry.regionStart = Int32(base)
                entry.regionMask = Int32(slots - 1)
            }
            var slot = Int(truncatingIfNeeded: mix64(code)) & mask
            while directory[slot].end != 0 { slot = (slot + 1) & mask }
            directory[slot] = entry
        }
        return (directory, mask, regions)
    }

    /// The directory entry of a first key part.
    @inline(__always)
    func entry(_ code: UInt64) -> DirectoryEntry? {
        var slot = Int(truncatingIfNeeded: mix64(code)) & directoryMask
        while true {
            let entry = directory[slot]
            if entry.end == 0 { return nil }
            if entry.code == code { return entry }
            slot = (slot + 1) & directoryMask
        }
    }

    /// The rows whose first key part is `code`.
    @inline(__always)
    func firstKeyRun(_ code: UInt64) -> Range<Int>? {
        entry(code).map { Int($0.start)..<Int($0.end) }
    }

    /// The rows of a run whose second key part is `code`.
    @inline(__always)
    func secondKeyRows(_ entry: DirectoryEntry, _ code: UInt64) -> Range<Int> {
        let start = Int(entry.start)
        let end = Int(entry.end)
        guard entry.regionMask >= 0 else { return Table.equalRange(secondKeyCodes, code, in: start..<end) }
        let mask = Int(entry.regionMask)
        let base = Int(entry.regionStart)
        let h = mix64(code)
        let fingerprint = UInt32(truncatingIfNeeded: h >> 56)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let value = regions[base + slot]
            if value == 0 { return start..<start }
            if value >> 24 == fingerprint {
                let first = start + Int(value & 0xFF_FFFF) - 1
                if secondKeyCodes[first] == code {
                    var last = first + 1
                    while last < end && secondKeyCodes[last] == code { last += 1 }
                    return first..<last
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The sub-range of `run` whose codes in `column` equal `code` (the run is sorted on that column).
    @inline(__always)
    static func equalRange(_ column: ColumnStorage<UInt64>, _ code: UInt64, in run: Range<Int>) -> Range<Int> {
        var low = run.lowerBound
        var high = run.upperBound
        while low < high {
            let middle = (low + high) >> 1
            if column[middle] < code { low = middle + 1 } else { high = middle }
        }
        var end = low
        while end < run.upperBound && column[end] == code { end += 1 }
        return low..<end
    }

    static let none: Range<Int32> = 0..<0

    /// Rows of a key, as positions.
    func range(keyParts: [String]) -> Range<Int32> {
        guard keyParts.count == keys.count, !keys.isEmpty else { return Table.none }
        var codes: [UInt64] = []
        codes.reserveCapacity(keys.count)
        for (k, part) in keyParts.enumerated() {
            guard let code = keys[k].code(for: part) else { return Table.none }
            codes.append(code)
        }
        guard let entry = entry(codes[0]) else { return Table.none }
        if codes.count == 1 { return entry.start..<entry.end }
        var run = secondKeyRows(entry, codes[1])
        for k in 2..<max(2, codes.count) {
            if run.isEmpty { return Table.none }
            run = Table.equalRange(keys[k].codes, codes[k], in: run)
        }
        if run.isEmpty { return Table.none }
        return Int32(run.lowerBound)..<Int32(run.upperBound)
    }

    @inline(__always)
    func range(key: String) -> Range<Int32> {
        guard keys.count == 1, let a = keys[0].code(for: key), let run = firstKeyRun(a) else { return Table.none }
        return Int32(run.lowerBound)..<Int32(run.upperBound)
    }

    @inline(__always)
    func range(key1: String, key2: String) -> Range<Int32> {
        guard keys.count == 2, let a = keys[0].code(for: key1), let b = keys[1].code(for: key2),
              let entry = entry(a) else { return Table.none }
        let rows = secondKeyRows(entry, b)
        if rows.isEmpty { return Table.none }
        return Int32(rows.lowerBound)..<Int32(rows.upperBound)
    }

    @inline(__always)
    static func validDays(effective: Int32, expires: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: effective)) << 32 | UInt64(UInt32(bitPattern: expires))
    }

    @inline(__always)
    func effectiveDay(_ row: Int) -> Int32 { Int32(truncatingIfNeeded: Int64(bitPattern: validDays[row]) >> 32) }

    @inline(__always)
    func expiresDay(_ row: Int) -> Int32 { Int32(truncatingIfNeeded: validDays[row]) }

    @inline(__always)
    func inForce(_ row: Int, _ day: Int32) -> Bool {
        guard hasEffective || hasExpires else { return true }
        let days = validDays[row]
        // An absent column is open (`openStart`, `openEnd`), which every day is within.
        return Int32(truncatingIfNeeded: Int64(bitPattern: days) >> 32) <= day && day <= Int32(truncatingIfNeeded: days)
    }

    @inline(__always)
    func firstInForce(_ rows: Range<Int32>, on date: CalendarDate) -> Int32? {
        firstInForce(rows, day: Int32(clamping: date.dayNumber))
    }

    @inline(__always)
    func firstInForce(_ rows: Range<Int32>, day: Int32) -> Int32? {
        for row in rows where inForce(Int(row), day) { return row }
        return nil
    }

    // MARK: Public lookups

    /// The header index of a column: the first exact match, else the first match ignoring whitespace.
    public func columnIndex(_ name: String) -> Int? {
        if let index = columns.firstIndex(of: name) { return index }
        let target = looseName(name)
        return looseColumns.firstIndex(of: target)
    }

    /// Rows whose single-column key equals `key` (any window), in file order. Empty when none, or when the
    /// table's key has more than one column.
    public func rows(key: String) -> Range<Int32> { range(key: key) }

    /// Rows whose two-column key equals (`key1`, `key2`), in file order (the hot path: NCCI pairs).
    public func rows(key1: String, key2: String) -> Range<Int32> { range(key1: key1, key2: key2) }

    /// Rows whose key equals the given parts (one per key column), in file order.
    public func rows(keyParts: [String]) -> Range<Int32> { range(keyParts: keyParts) }

    /// The first row of that key in force on `date` (effective <= date and (no expiry or date <= expiry)); nil
    /// if none.
    public func row(keyParts: [String], on date: CalendarDate) -> Int32? {
        firstInForce(range(keyParts: keyParts), on: date)
    }

    /// The first row of a single-column key in force on `date`.
    public func row(key: String, on date: CalendarDate) -> Int32? { firstInForce(range(key: key), on: date) }

    /// The first row of a two-column key in force on `date`.
    public func row(key1: String, key2: String, on date: CalendarDate) -> Int32? {
        firstInForce(range(key1: key1, key2: key2), on: date)
    }

    /// Whether rows carry their own effective or expiry dates (so that finding a key depends on the date).
    public var hasRowDates: Bool { hasEffective || hasExpires }

    /// Whether the row is in force on `date`.
    public func isInForce(row: Int32, on date: CalendarDate) -> Bool {
        checkRow(row)
        return inForce(Int(row), Int32(clamping: date.dayNumber))
    }

    /// A field as written (quotes removed, `""` unescaped; Latin-1 decoded when not UTF-8).
    public func value(row: Int32, column: Int) -> String {
        checkRow(row)
        let slot = slots[column]
        if slot >= 0 { return texts[slot].value(Int(row)) }
        let key = keys[-slot - 1]
        return key.text(key.codes[Int(row)])
    }

    /// The number of the distinct text a non-key column holds in `row` (rows with equal texts have the same number;
    /// see `textID(of:column:)`); nil for a key column.
    @inline(__always)
    public func textID(row: Int32, column: Int) -> Int32? {
        checkRow(row)
        let slot = slots[column]
        guard slot >= 0 else { return nil }
        return Int32(bitPattern: texts[slot].ids[Int(row)])
    }

    /// The `textID` of the rows whose text in a non-key column equals `text` (as strings do), -1 when no row's does;
    /// nil for a key column, when the column has more than `limit` distinct texts (the search is a scan of them), or
    /// when two of its distinct byte strings are equal as strings (canonically equivalent Unicode): no one number
    /// then stands for the text.
    public func textID(of text: String, column: Int, limit: Int = 64) -> Int32? {
        let slot = slots[column]
        guard slot >= 0, texts[slot].values.count <= limit else { return nil }
        var found: Int32 = -1
        for (id, value) in texts[slot].values.enumerated() where value == text {
            if found >= 0 { return nil }
            found = Int32(id)
        }
        return found
    }

    /// A field as a number (`Double` of the text), the text columns' values parsed once when the table was built.
    public func number(row: Int32, column: Int) -> Double? {
        checkRow(row)
        let slot = slots[column]
        if slot >= 0 { return texts[slot].number(Int(row)) }
        let key = keys[-slot - 1]
        return Double(key.text(key.codes[Int(row)]))
    }

    // MARK: Lookups by stored key codes

    /// The stored form of `text` as part `part` (0-based) of the key, for `row(code:day:)` and
    /// `row(code1:code2:day:)`; nil when no row has it there. A caller that meets the same values again (the codes
    /// of a batch) computes this once per value and keeps it, instead of packing the text on every lookup.
    public func keyCode(_ text: String, part: Int) -> UInt64? {
        guard part >= 0, part < keys.count else { return nil }
        return keys[part].code(for: text)
    }

    /// Where the rows whose first key part has the stored code `code` (`keyCode(_:part: 0)`) are listed, for
    /// `row(at:day:)` and `row(at:code2:day:)`; nil when no row has it first. A caller that meets the same codes
    /// again keeps this, and a code no row starts with then costs no probe of the table at all.
    public func firstKeyPosition(_ code: UInt64) -> Int32? {
        var slot = Int(truncatingIfNeeded: mix64(code)) & directoryMask
        while true {
            let entry = directory[slot]
            if entry.end == 0 { return nil }
            if entry.code == code { return Int32(slot) }
            slot = (slot + 1) & directoryMask
        }
    }

    /// `row(code:day:)` on a `firstKeyPosition`.
    @inline(__always)
    public func row(at position: Int32, day: Int32) -> Int32? {
        let entry = directory[Int(position)]
        return firstInForce(entry.start..<entry.end, day: day)
    }

    /// `row(code1:code2:day:)` on a `firstKeyPosition` of `code1`.
    @inline(__always)
    public func row(at position: Int32, code2: UInt64, day: Int32) -> Int32? {
        let rows = secondKeyRows(directory[Int(position)], code2)
        return firstInForce(Int32(rows.lowerBound)..<Int32(rows.upperBound), day: day)
    }

    /// `row(key:on:)` on a stored key code (`keyCode`) and a day number (`CalendarDate.dayNumber`).
    @inline(__always)
    public func row(code: UInt64, day: Int32) -> Int32? {
        guard keys.count == 1, let entry = entry(code) else { return nil }
        return firstInForce(entry.start..<entry.end, day: day)
    }

    /// `row(key1:key2:on:)` on stored key codes (`keyCode`) and a day number.
    @inline(__always)
    public func row(code1: UInt64, code2: UInt64, day: Int32) -> Int32? {
        guard keys.count == 2, let entry = entry(code1) else { return nil }
        let rows = secondKeyRows(entry, code2)
        return firstInForce(Int32(rows.lowerBound)..<Int32(rows.upperBound), day: day)
    }

    /// A field by column name; nil when the table has no such column.
    public func value(row: Int32, column name: String) -> String? {
        columnIndex(name).map { value(row: row, column: $0) }
    }

    /// The row's effective date; nil when open (or the table has no effective column).
    public func effective(row: Int32) -> CalendarDate? {
        checkRow(row)
        guard hasEffective else { return nil }
        let day = effectiveDay(Int(row))
        return day == TableDate.openStart ? nil : TableDate.calendarDate(day)
    }

    /// The row's expiry (deletion) date, inclusive; nil when open-ended (or no expiry column).
    public func expires(row: Int32) -> CalendarDate? {
        checkRow(row)
        guard hasExpires else { return nil }
        let day = expiresDay(Int(row))
        return day == TableDate.openEnd ? nil : TableDate.calendarDate(day)
    }

    /// The 1-based line of the file on which the row starts (for citing a table row).
    public func line(row: Int32) -> Int {
        checkRow(row)
        return Int(lines[Int(row)])
    }

    /// Row numbers index unchecked storage: a row outside the table stops the program, as an array would.
    @inline(__always)
    func checkRow(_ row: Int32) {
        precondition(row >= 0 && Int(row) < rowCount, "row \(row) is not in a table of \(rowCount) rows")
    }

    /// Any row with that single-column key.
    public func contains(key: String) -> Bool { !range(key: key).isEmpty }

    /// Any row with that two-column key.
    public func contains(key1: String, key2: String) -> Bool { !range(key1: key1, key2: key2).isEmpty }

    /// The distinct values of a non-key column (for checking a rule's literal against the table); nil for a
    /// key column.
    public func distinctValues(column: Int) -> [String]? {
        let slot = slots[column]
        return slot >= 0 ? texts[slot].values : nil
    }

    /// Builds from rows already in memory (tests, inline tables). Rows are numbered as lines from 2, as if
    /// the header were line 1; the first problem is thrown (same codes as `load`).
    public convenience init(
        file: String, columns: [String], keyColumns: [String], rows: [[String]], effectiveColumn: String? = nil,
        expiresColumn: String? = nil, optionalKeyColumns: [String] = []
    ) throws(TableDiagnostic) {
        let headerFields = columns.enumerated().map { HeaderField(name: $0.element, line: 1, column: $0.offset + 1) }
        let spec = try ResolvedSpec.resolve(
            file: file, header: headerFields, keyColumns: keyColumns, effectiveColumn: effectiveColumn,
            expiresColumn: expiresColumn, optionalKeyColumns: optionalKeyColumns
        ).get()
        var store = RowStore(columnCount: columns.count, spec: spec)
        store.reserve(rows: rows.count)
        for (index, row) in rows.enumerated() {
            let line = index + 2
            guard row.count == columns.count else {
                throw TableDiagnostic(
                    code: TableDiagnostic.wrongFieldCount,
                    message: "expected \(columns.count) fields, as in the header, found \(row.count)",
                    file: file, line: line, column: min(row.count, columns.count) + 1)
            }
            let bytes: [[UInt8]] = row.map { Array($0.utf8) }
            for k in spec.requiredKeyIndices where bytes[k].isEmpty {
                throw TableDiagnostic(
                    code: TableDiagnostic.emptyKey, message: "key column '\(columns[k])' is empty",
                    file: file, line: line, column: k + 1)
            }
            var effective = TableDate.openStart
            var expires = TableDate.openEnd
            for (dateColumn, isStart) in [(spec.effectiveIndex, true), (spec.expiresIndex, false)] {
                guard let dateColumn else { continue }
                let parsed = bytes[dateColumn].withUnsafeBufferPointer { TableDate.parse($0) }
                switch parsed {
                case .open: break
                case .day(let day): if isStart { effective = day } else { expires = day }
                case .invalid:
                    throw TableDiagnostic(
                        code: TableDiagnostic.badDate,
                        message: badDateMessage(row[dateColumn], column: columns[dateColumn]),
                        file: file, line: line, column: dateColumn + 1)
                }
            }
            store.beginRow()
            for column in 0..<columns.count {
                bytes[column].withUnsafeBufferPointer { store.setField(column, $0) }
            }
            store.commitRow(effective: effective, expires: expires, line: line)
        }
        self.init(file: file, columns: columns, spec: spec, store: store)
    }
}

func badDateMessage(_ text: String, column: String) -> String {
    "'\(text)' in column '\(column)' is not a date (CCYYMMDD, YYYY-MM-DD, M/D/YYYY or YYYYDDD; '*' or empty for none)"
}

