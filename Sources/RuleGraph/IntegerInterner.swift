/// Numbers for 64-bit keys, in the order first seen: an open-addressing table with a multiplicative hash.
/// The batch index joins lines on pairs of interned integers; `Dictionary` would hash each with SipHash,
/// which costs more than the rest of the lookup.
struct IntegerInterner {
    private var keys: [UInt64]
    /// The number of the key in each slot; -1 when the slot is empty.
    private var numbers: [Int32]
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
        keys = Array(repeating: 0, count: size)
        numbers = Array(repeating: -1, count: size)
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

    private mutating func find(_ key: UInt64) -> Int32 {
        if Int(count) * 2 >= numbers.count { grow() }
        var slot = Self.slot(key, mask)
        while true {
            let number = numbers[slot]
            if number < 0 {
                keys[slot] = key
                numbers[slot] = count
                count += 1
                return count - 1
            }
            if keys[slot] == key { return number }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldNumbers = numbers
        let size = numbers.count * 2
        keys = Array(repeating: 0, count: size)
        numbers = Array(repeating: -1, count: size)
        mask = size - 1
        for index in oldNumbers.indices where oldNumbers[index] >= 0 {
            var slot = Self.slot(oldKeys[index], mask)
            while numbers[slot] >= 0 { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[index]
            numbers[slot] = oldNumbers[index]
        }
    }
}
