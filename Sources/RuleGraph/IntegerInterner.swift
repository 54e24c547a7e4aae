/// Numbers for 64-bit keys, in the order first seen: an open-addressing table with a multiplicative hash.
/// The batch index joins lines on pairs of interned integers; `Dictionary` would hash each with SipHash,
/// which costs more than the rest of the lookup.
struct IntegerInterner {
    /// A key and its number side by side, so a probe reads one cache line, not one in each of two arrays (the
    /// tables are the size of the batch and every probe of a new key misses the cache). Twelve bytes: the key in
    /// two halves keeps the slot 4-byte aligned.
    private struct Slot {
        private var keyLow: UInt32
        private var keyHigh: UInt32
        /// The key's number; -1 when the slot is empty.
        var number: Int32

        init(key: UInt64, number: Int32) {
            keyLow = UInt32(truncatingIfNeeded: key)
            keyHigh = UInt32(truncatingIfNeeded: key >> 32)
            self.number = number
        }

        var key: UInt64 { UInt64(keyHigh) << 32 | UInt64(keyLow) }
    }
    private var slots: [Slot]
    private var mask: Int
    /// How many keys have a number (the next number given).
    private(set) var count: Int32 = 0
    /// The last key asked for and its number (-1: none yet): the lines of a claim mostly repeat their patient,
    /// provider and date, and answering a repeat here skips a probe of a table too large for the cache.
    private var lastKey: UInt64 = 0
    private var lastNumber: Int32 = -1

    init(expected: Int) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        slots = Array(repeating: Slot(key: 0, number: -1), count: size)
        mask = size - 1
    }

    /// Two 32-bit numbers as one key.
    @inline(__always)
    static func pair(_ high: Int32, _ low: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: high)) << 32 | UInt64(UInt32(bitPattern: low))
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        let mixed = key &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 29)) & mask
    }

    /// The key's number, given now if the key is new.
    mutating func number(_ key: UInt64) -> Int32 {
        if lastNumber >= 0 && key == lastKey { return lastNumber }
        let number = find(key)
        lastKey = key
        lastNumber = number
        return number
    }

    @inline(__always)
    private mutating func find(_ key: UInt64) -> Int32 { number(hash: key) { _ in true } }

    /// For keys that are not integers: the number of the key whose hash is `hash` and for whose number `isKey` is
    /// true, given now (as `count`) when no key of that hash is, the caller keeping the keys by number. Every
    /// key of a hash is compared, so two keys whose hashes collide keep their own numbers.
    @inline(__always)
    mutating func number(hash: UInt64, isKey: (Int32) -> Bool) -> Int32 {
        if Int(count) * 2 >= slots.count { grow() }
        var slot = Self.slot(hash, mask)
        while true {
            let entry = slots[slot]
            if entry.number < 0 {
                slots[slot] = Slot(key: hash, number: count)
                count += 1
                return count - 1
            }
            if entry.key == hash, isKey(entry.number) { return entry.number }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        let size = slots.count * 2
        slots = Array(repeating: Slot(key: 0, number: -1), count: size)
        mask = size - 1
        for entry in old where entry.number >= 0 {
            var slot = Self.slot(entry.key, mask)
            while slots[slot].number >= 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }
}
