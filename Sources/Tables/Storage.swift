/// Compact column storage: codes packed into UInt64, other columns interned, ids 1–4 bytes wide.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A column of fixed-width values in memory from `malloc`, adopted from the loader (no copy) and never
/// written again: it is safe to share between threads.
final class ColumnStorage<Element: BitwiseCopyable>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    /// Takes ownership of `count` initialised values at `base`, which `malloc` or `realloc` returned.
    init(adopting base: UnsafeMutablePointer<Element>, count: Int) {
        self.base = base
        self.count = count
    }

    /// An empty column.
    convenience init() { self.init(adopting: mallocBuffer(Element.self, count: 1), count: 0) }

    deinit { free(base) }

    @inline(__always)
    subscript(index: Int) -> Element { base[index] }
}

/// Frees memory from `mallocBuffer`/`reallocBuffer` (or from a `RowStore`'s `take…`); nil is ignored.
func freeBuffer<T>(_ pointer: UnsafeMutablePointer<T>?) { free(pointer) }

/// `count` uninitialised values from `malloc` (at least one).
func mallocBuffer<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    guard let raw = malloc(max(1, count) * MemoryLayout<T>.stride) else { fatalError("out of memory") }  // safe: allocation failure, not input; no located error can help
    return raw.bindMemory(to: T.self, capacity: max(1, count))
}

/// The buffer resized with `realloc` (large blocks move without a copy).
func reallocBuffer<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) -> UnsafeMutablePointer<T> {
    guard let raw = realloc(UnsafeMutableRawPointer(pointer), max(1, count) * MemoryLayout<T>.stride) else {
        fatalError("out of memory")  // safe: allocation failure, not input
    }
    return raw.bindMemory(to: T.self, capacity: max(1, count))
}

/// A code of up to 8 ASCII bytes (no NUL) packed big-endian into a UInt64, zero-padded; anything else is a
/// pool reference: the top bit set and the pool index below (ASCII bytes never set the top bit).
public enum PackedCode {
    static let poolTag: UInt64 = 1 << 63

    @usableFromInline @inline(__always)
    static func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        let n = bytes.count
        guard n <= 8 else { return nil }
        var value: UInt64 = 0
        var index = 0
        while index < n {
            let byte = bytes[index]
            guard byte != 0 && byte < 0x80 else { return nil }
            value = value << 8 | UInt64(byte)
            index += 1
        }
        return n == 0 ? 0 : value << UInt64(8 * (8 - n))
    }

    /// `pack` for bytes followed by at least `8 - count` more readable bytes (the scanner's buffer keeps
    /// 8 spare bytes past its end): one unaligned load instead of a loop.
    @inline(__always)
    static func pack(slack pointer: UnsafePointer<UInt8>, count n: Int) -> UInt64? {
        guard n <= 8 else { return nil }
        let word = UInt64(bigEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
        let tail = UInt64.max >> UInt64(8 * n)  // the bytes past the value (all of them when n == 0)
        let value = word & ~tail
        // ASCII only, and no NUL among the value's bytes.
        let filled = value | (tail & 0x0101_0101_0101_0101)
        let hasZero = (filled &- 0x0101_0101_0101_0101) & ~filled & 0x8080_8080_8080_8080
        guard value & 0x8080_8080_8080_8080 == 0, hasZero == 0 || n == 0 else { return nil }
        return value
    }

    @inline(__always)
    /// `pack` on a string's UTF-8, read from its contiguous storage.
    @inlinable
    public static func pack(_ text: String) -> UInt64? {
        var text = text
        return text.withUTF8 { pack($0) }
    }

    static func unpack(_ value: UInt64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8)
        var shift: UInt64 = 56
        while true {
            let byte = UInt8(truncatingIfNeeded: value >> shift)
            if byte == 0 { break }
            bytes.append(byte)
            if shift == 0 { break }
            shift -= 8
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// splitmix64's finaliser: a strong 64-bit mix for hashing packed keys.
@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Key values that do not pack into a UInt64, while loading.
final class CodePool {
    var pool: [String] = []
    var index: [String: UInt32] = [:]

    func id(_ text: String) -> UInt32 {
        if let id = index[text] { return id }
        let id = UInt32(pool.count)
        pool.append(text)
        index[text] = id
        return id
    }

    /// The pool reference of bytes that do not pack.
    func pooledCode(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        PackedCode.poolTag | UInt64(id(decodeText(bytes)))
    }
}

/// A key column of a loaded table.
struct CodeColumn: Sendable {
    let codes: ColumnStorage<UInt64>
    let pool: [String]
    let poolIndex: [String: UInt32]

    init(codes: ColumnStorage<UInt64>, pool: CodePool) {
        self.codes = codes
        self.pool = pool.pool
        poolIndex = pool.index
    }

    /// The stored form of a query value, or nil when no row has it.
    @inline(__always)
    func code(for text: String) -> UInt64? {
        if let packed = PackedCode.pack(text) { return packed }
        guard let id = poolIndex[text] else { return nil }
        return PackedCode.poolTag | UInt64(id)
    }

    func text(_ code: UInt64) -> String {
        code & PackedCode.poolTag != 0 ? pool[Int(code & ~PackedCode.poolTag)] : PackedCode.unpack(code)
    }
}

/// One id per row, stored 1, 2 or 4 bytes wide (little-endian).
struct IDColumn: Sendable {
    let width: Int
    let storage: ColumnStorage<UInt8>

    @inline(__always)
    subscript(row: Int) -> UInt32 {
        let base = storage.base + row * width
        switch width {
        case 1: return UInt32(base[0])
        case 2: return UInt32(base[0]) | UInt32(base[1]) << 8
        default: return UInt32(base[0]) | UInt32(base[1]) << 8 | UInt32(base[2]) << 16 | UInt32(base[3]) << 24
        }
    }
}

/// Interns byte strings during loading: values of up to 8 ASCII bytes by their packed code, longer ones
/// through an arena; each with a one-value cache (sorted CMS files repeat a column's value row after row).
struct ByteInterner {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots: [Int32] = Array(repeating: -1, count: 64)
    private var hashes: [UInt64] = []
    private var lastLong: Int32 = -1
    private var longCount = 0
    private var packedKeys: [UInt64] = Array(repeating: 0, count: 64)
    private var packedIDs: [Int32] = Array(repeating: -1, count: 64)
    private var packedCount = 0
    private var lastPacked: UInt64 = .max
    private var lastPackedID: UInt32 = 0

    var valueCount: Int { offsets.count - 1 }

    @inline(__always)
    mutating func id(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 { id(bytes, packed: PackedCode.pack(bytes)) }

    /// The id of bytes whose packed form (`PackedCode.pack`) is already known.
    @inline(__always)
    mutating func id(_ bytes: UnsafeBufferPointer<UInt8>, packed: UInt64?) -> UInt32 {
        if let packed {
            if packed == lastPacked { return lastPackedID }
            let id = packedID(packed, bytes)
            lastPacked = packed
            lastPackedID = id
            return id
        }
        if lastLong >= 0 && equals(lastLong, bytes) { return UInt32(lastLong) }
        let id = intern(bytes)
        lastLong = id
        return UInt32(id)
    }

    private mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let id = Int32(valueCount)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        return id
    }

    private mutating func packedID(_ packed: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var mask = packedKeys.count - 1
        var slot = Int(truncatingIfNeeded: mix64(packed)) & mask
        while packedIDs[slot] >= 0 {
            if packedKeys[slot] == packed { return UInt32(packedIDs[slot]) }
            slot = (slot + 1) & mask
        }
        let id = add(bytes)
        packedCount += 1
        if packedCount * 4 >= packedKeys.count * 3 {
            let oldKeys = packedKeys
            let oldIDs = packedIDs
            packedKeys = Array(repeating: 0, count: oldKeys.count * 2)
            packedIDs = Array(repeating: -1, count: oldKeys.count * 2)
            mask = packedKeys.count - 1
            for index in oldKeys.indices where oldIDs[index] >= 0 {
                var s = Int(truncatingIfNeeded: mix64(oldKeys[index])) & mask
                while packedIDs[s] >= 0 { s = (s + 1) & mask }
                packedKeys[s] = oldKeys[index]
                packedIDs[s] = oldIDs[index]
            }
            slot = Int(truncatingIfNeeded: mix64(packed)) & mask
            while packedIDs[slot] >= 0 { slot = (slot + 1) & mask }
        }
        packedKeys[slot] = packed
        packedIDs[slot] = id
        return UInt32(id)
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return mix64(h ^ UInt64(bytes.count))
    }

    @inline(__always)
    private func equals(_ id: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[Int(id)]
        let length = offsets[Int(id) + 1] - start
        guard length == bytes.count else { return false }
        if length == 0 { return true }
        return arena.withUnsafeBufferPointer { stored in
            memcmpBytes(stored.baseAddress! + start, bytes.baseAddress!, length)
        }
    }

    private mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = ByteInterner.hash(bytes)
        var mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h && equals(id, bytes) { return id }
            slot = (slot + 1) & mask
        }
        let id = add(bytes)
        while hashes.count < valueCount - 1 { hashes.append(0) }  // ids taken by packed values
        hashes.append(h)
        longCount += 1
        if longCount * 4 >= slots.count * 3 {
            let old = slots
            slots = Array(repeating: -1, count: old.count * 2)
            mask = slots.count - 1
            for existing in old where existing >= 0 {
                var s = Int(truncatingIfNeeded: hashes[Int(existing)]) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = existing
            }
            slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
        }
        slots[slot] = id
        return id
    }

    /// The interned values as text, by id.
    func values() -> [String] {
        arena.withUnsafeBufferPointer { stored in
            (0..<valueCount).map { id in
                let start = offsets[id]
                return decodeText(UnsafeBufferPointer(rebasing: stored[start..<offsets[id + 1]]))
            }
        }
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    while index + 8 <= count {
        if UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self)
            != UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self) { return false }
        index += 8
    }
    while index < count {
        if a[index] != b[index] { return false }
        index += 1
    }
    return true
}

/// A non-key column of a loaded table: distinct values and one id per row.
struct TextColumn: Sendable {
    let values: [String]
    let ids: IDColumn
    /// Per distinct value: `Double(value)` (nil when it is not a number), parsed once here so that rules comparing
    /// a column with a number (`mue.mue_units`) do not parse the text on every comparison.
    let numbers: [Double?]

    init(values: [String], ids: IDColumn) {
        self.values = values
        self.ids = ids
        numbers = values.map { Double($0) }
    }

    @inline(__always)
    func number(_ row: Int) -> Double? { numbers[Int(ids[row])] }

    @inline(__always)
    func value(_ row: Int) -> String { values[Int(ids[row])] }
}
