#if canImport(Glibc)
import Glibc
#endif

/// Asks Linux to back a large buffer with transparent huge pages where it allows them on request
/// (`madvise` mode): far fewer page faults while a big table fills its columns. A hint only.
func adviseHugePages(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
    #if os(Linux)
    let huge = 2 << 20
    guard bytes >= 2 * huge else { return }
    let start = (Int(bitPattern: pointer) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: pointer) + bytes) & ~(huge - 1)
    guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(aligned, end - start, MADV_HUGEPAGE)
    #endif
}

/// A header field's name and location.
struct HeaderField {
    var name: String
    var line: Int
    var column: Int
}

/// The spec's columns resolved against a header.
struct ResolvedSpec {
    var keyNames: [String]
    var keyIndices: [Int]
    /// Header indices of the key columns that must not be empty.
    var requiredKeyIndices: [Int]
    var effectiveIndex: Int?
    var expiresIndex: Int?

    static func resolve(
        file: String, header: [HeaderField], keyColumns: [String], effectiveColumn: String?, expiresColumn: String?,
        optionalKeyColumns: [String]
    ) -> Result<ResolvedSpec, TableDiagnostic> {
        let names = header.map(\.name)
        let loose = names.map(looseName)
        let headerLine = header.first?.line ?? 1
        guard !keyColumns.isEmpty else {
            return .failure(TableDiagnostic(
                code: TableDiagnostic.missingColumn, message: "the spec names no key column",
                file: file, line: headerLine, column: 1))
        }
        func find(_ name: String, _ role: String) -> Result<Int, TableDiagnostic> {
            switch matchColumn(name, in: names, loose: loose) {
            case .found(let index): return .success(index)
            case .missing:
                return .failure(TableDiagnostic(
                    code: TableDiagnostic.missingColumn,
                    message: "\(role) column '\(name)' is not in the header (\(names.count) columns: "
                        + names.map { "'\($0)'" }.joined(separator: ", ") + ")",
                    file: file, line: headerLine, column: 1))
            case .ambiguous(let indices):
                let second = header[indices[1]]
                return .failure(TableDiagnostic(
                    code: TableDiagnostic.duplicateColumn,
                    message: "\(role) column '\(name)' appears \(indices.count) times in the header (columns "
                        + indices.map { String(header[$0].column) }.joined(separator: ", ") + ")",
                    file: file, line: second.line, column: second.column))
            }
        }
        var spec = ResolvedSpec(
            keyNames: keyColumns, keyIndices: [], requiredKeyIndices: [], effectiveIndex: nil, expiresIndex: nil)
        let optional = Set(optionalKeyColumns.map(looseName))
        for name in keyColumns {
            switch find(name, "key") {
            case .success(let index) where spec.keyIndices.contains(index):
                let field = header[index]
                return .failure(TableDiagnostic(
                    code: TableDiagnostic.duplicateColumn,
                    message: "the spec names column '\(field.name)' twice as a key column",
                    file: file, line: field.line, column: field.column))
            case .success(let index):
                spec.keyIndices.append(index)
                if !optional.contains(looseName(name)) { spec.requiredKeyIndices.append(index) }
            case .failure(let problem): return .failure(problem)
            }
        }
        if let effectiveColumn {
            switch find(effectiveColumn, "effective date") {
            case .success(let index): spec.effectiveIndex = index
            case .failure(let problem): return .failure(problem)
            }
        }
        if let expiresColumn {
            switch find(expiresColumn, "expiry date") {
            case .success(let index): spec.expiresIndex = index
            case .failure(let problem): return .failure(problem)
            }
        }
        return .success(spec)
    }
}

/// Rows while loading, one manually managed buffer per column (no copy-on-write or exclusivity checks in
/// the hot loop). A row is checked first, then written with `setField` for every column and `commitRow`.
struct RowStore: ~Copyable {
    /// Per header column: `k >= 0` is text column k; `-(k + 1)` is key column k.
    let slots: [Int]
    let keyCount: Int
    let textCount: Int
    let hasEffective: Bool
    let hasExpires: Bool
    let pools: [CodePool]
    private(set) var rowCount = 0
    private var capacity = 0
    private let slotList: UnsafeMutablePointer<Int>
    /// Key codes per key column; nil once the table has taken the column.
    private(set) var codes: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Text ids, `widths[t]` bytes each (1, 2 or 4; widened when a larger id arrives).
    private(set) var ids: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    private(set) var widths: UnsafeMutablePointer<Int>
    let interners: UnsafeMutablePointer<ByteInterner>
    private(set) var effective: UnsafeMutablePointer<Int32>?
    private(set) var expires: UnsafeMutablePointer<Int32>?
    private(set) var lines: UnsafeMutablePointer<Int32>?

    init(columnCount: Int, spec: ResolvedSpec) {
        var slots = [Int](repeating: 0, count: columnCount)
        var textCount = 0
        for column in 0..<columnCount {
            if let k = spec.keyIndices.firstIndex(of: column) {
                slots[column] = -(k + 1)
            } else {
                slots[column] = textCount
                textCount += 1
            }
        }
        self.slots = slots
        slotList = .allocate(capacity: max(1, columnCount))
        slotList.initialize(from: slots, count: columnCount)
        keyCount = spec.keyIndices.count
        self.textCount = textCount
        hasEffective = spec.effectiveIndex != nil
        hasExpires = spec.expiresIndex != nil
        pools = (0..<keyCount).map { _ in CodePool() }
        interners = .allocate(capacity: max(1, textCount))
        interners.initialize(repeating: ByteInterner(), count: textCount)
        codes = .allocate(capacity: max(1, keyCount))
        ids = .allocate(capacity: max(1, textCount))
        widths = .allocate(capacity: max(1, textCount))
        for k in 0..<keyCount { (codes + k).initialize(to: mallocBuffer(UInt64.self, count: 1)) }
        for t in 0..<textCount {
            (ids + t).initialize(to: mallocBuffer(UInt8.self, count: 1))
            (widths + t).initialize(to: 1)
        }
        effective = mallocBuffer(Int32.self, count: 1)
        expires = mallocBuffer(Int32.self, count: 1)
        lines = mallocBuffer(Int32.self, count: 1)
        capacity = 1
    }

    deinit {
        // Columns already taken by the table are nil here (free(nil) does nothing).
        for k in 0..<keyCount { free(codes[k]) }
        for t in 0..<textCount { free(ids[t]) }
        codes.deallocate()
        ids.deallocate()
        widths.deallocate()
        interners.deinitialize(count: textCount)
        interners.deallocate()
        slotList.deallocate()
        free(effective)
        free(expires)
        free(lines)
    }

    private mutating func grow<T>(_ pointer: UnsafeMutablePointer<T>, to capacity: Int) -> UnsafeMutablePointer<T> {
        let grown = reallocBuffer(pointer, count: capacity)
        adviseHugePages(UnsafeMutableRawPointer(grown), bytes: capacity * MemoryLayout<T>.stride)
        return grown
    }

    /// Makes room for at least `rows` rows in all.
    mutating func reserve(rows: Int) {
        guard rows > capacity else { return }
        for k in 0..<keyCount { codes[k] = grow(codes[k]!, to: rows) }
        for t in 0..<textCount { ids[t] = grow(ids[t]!, to: rows * widths[t]) }
        if hasEffective { effective = grow(effective!, to: rows) }
        if hasExpires { expires = grow(expires!, to: rows) }
        lines = grow(lines!, to: rows)
        capacity = rows
    }

    /// Hands a column's buffer to the table, in `order` (`order[i]` is the row that becomes row `i`).
    private static func take<T>(_ pointer: UnsafeMutablePointer<T>, count: Int, order: [Int32]?) -> UnsafeMutablePointer<T> {
        guard let order else { return reallocBuffer(pointer, count: count) }
        let sorted = mallocBuffer(T.self, count: count)
        for row in 0..<count { (sorted + row).initialize(to: pointer[Int(order[row])]) }
        free(pointer)
        return sorted
    }

    mutating func takeCodes(_ k: Int, order: [Int32]?) -> UnsafeMutablePointer<UInt64> {
        defer { codes[k] = nil }
        return RowStore.take(codes[k]!, count: rowCount, order: order)
    }

    mutating func takeEffective(order: [Int32]?) -> UnsafeMutablePointer<Int32> {
        defer { effective = nil }
        return RowStore.take(effective!, count: rowCount, order: order)
    }

    mutating func takeExpires(order: [Int32]?) -> UnsafeMutablePointer<Int32> {
        defer { expires = nil }
        return RowStore.take(expires!, count: rowCount, order: order)
    }

    mutating func takeLines(order: [Int32]?) -> UnsafeMutablePointer<Int32> {
        defer { lines = nil }
        return RowStore.take(lines!, count: rowCount, order: order)
    }

    /// A text column's ids and their width in bytes.
    mutating func takeIDs(_ t: Int, order: [Int32]?) -> (UnsafeMutablePointer<UInt8>, Int) {
        defer { ids[t] = nil }
        let width = widths[t]
        let old = ids[t]!
        guard let order else { return (reallocBuffer(old, count: rowCount * width), width) }
        let sorted = mallocBuffer(UInt8.self, count: rowCount * width)
        for row in 0..<rowCount {
            let from = Int(order[row]) * width
            for byte in 0..<width { (sorted + row * width + byte).initialize(to: old[from + byte]) }
        }
        free(old)
        return (sorted, width)
    }

    /// Makes room for one more row.
    @inline(__always)
    mutating func beginRow() {
        if rowCount == capacity { reserve(rows: max(1024, capacity * 2)) }
    }

    @inline(__always)
    mutating func setField(_ column: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
        setField(column, bytes, packed: PackedCode.pack(bytes))
    }

    /// `setField` for bytes in the scanner's buffer, which has spare bytes past its end.
    @inline(__always)
    mutating func setScannedField(_ column: Int, _ start: UnsafePointer<UInt8>, count: Int) {
        setField(column, UnsafeBufferPointer(start: start, count: count), packed: PackedCode.pack(slack: start, count: count))
    }

    @inline(__always)
    mutating func setField(_ column: Int, _ bytes: UnsafeBufferPointer<UInt8>, packed: UInt64?) {
        let slot = slotList[column]
        if slot >= 0 {
            let id = interners[slot].id(bytes, packed: packed)
            var width = widths[slot]
            if (width == 1 && id > 0xFF) || (width == 2 && id > 0xFFFF) {
                widen(slot, to: id > 0xFFFF ? 4 : 2)
                width = widths[slot]
            }
            let base = ids[slot].unsafelyUnwrapped + rowCount * width
            switch width {
            case 1:
                base[0] = UInt8(truncatingIfNeeded: id)
            case 2:
                base[0] = UInt8(truncatingIfNeeded: id)
                base[1] = UInt8(truncatingIfNeeded: id >> 8)
            default:
                base[0] = UInt8(truncatingIfNeeded: id)
                base[1] = UInt8(truncatingIfNeeded: id >> 8)
                base[2] = UInt8(truncatingIfNeeded: id >> 16)
                base[3] = UInt8(truncatingIfNeeded: id >> 24)
            }
        } else {
            codes[-slot - 1].unsafelyUnwrapped[rowCount] = packed ?? pools[-slot - 1].pooledCode(bytes)
        }
    }

    private mutating func widen(_ t: Int, to width: Int) {
        let old = widths[t]
        let narrow = ids[t]!
        let wider = mallocBuffer(UInt8.self, count: capacity * width)
        adviseHugePages(UnsafeMutableRawPointer(wider), bytes: capacity * width)
        for row in 0..<rowCount {
            var id: UInt32 = 0
            for byte in 0..<old { id |= UInt32(narrow[row * old + byte]) << UInt32(8 * byte) }
            for byte in 0..<width { wider[row * width + byte] = UInt8(truncatingIfNeeded: id >> UInt32(8 * byte)) }
        }
        free(narrow)
        ids[t] = wider
        widths[t] = width
    }

    @inline(__always)
    mutating func commitRow(effective start: Int32, expires end: Int32, line: Int) {
        if hasEffective { effective.unsafelyUnwrapped[rowCount] = start }
        if hasExpires { expires.unsafelyUnwrapped[rowCount] = end }
        lines.unsafelyUnwrapped[rowCount] = Int32(clamping: line)
        rowCount += 1
    }
}
