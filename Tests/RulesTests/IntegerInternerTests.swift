import Testing
@testable import RuleGraph

@Suite struct IntegerInternerTests {
    @Test func numbersKeysInFirstSeenOrderThroughGrowth() {
        var interner = IntegerInterner(expected: 2)
        var expected: [UInt64: Int32] = [:]
        // Keys that collide in their low bits and pairs with negative halves, past several growths.
        for i in 0..<5_000 {
            let key = IntegerInterner.pair(Int32(i % 97) - 40, Int32(i * 1_024))
            let number = interner.number(key)
            if let known = expected[key] {
                #expect(number == known)
            } else {
                #expect(number == Int32(expected.count))
                expected[key] = number
            }
        }
        #expect(Int(interner.count) == expected.count)
        for (key, number) in expected { #expect(interner.number(key) == number) }
        #expect(IntegerInterner.pair(-1, 0) != IntegerInterner.pair(0, -1))
    }

    /// A key asked for again right away (the remembered last key) gets the same number as through the table, and
    /// the remembered key never answers for another one, key 0 included.
    @Test func repeatsAndAlternationsKeepTheirNumbers() {
        var interner = IntegerInterner(expected: 4)
        let keys: [UInt64] = [0, 0, 7, 0, 7, 7, 1 << 40, 0, 1 << 40, 3]
        let numbers = keys.map { interner.number($0) }
        #expect(numbers == [0, 0, 1, 0, 1, 1, 2, 0, 2, 3])
        #expect(interner.count == 4)
    }

    /// Keys that are not integers, by a hash the caller gives: keys whose hashes collide (here: only four hashes
    /// for 600 keys) each keep their own number, through growth, and a key seen before gets its number back.
    @Test func hashedKeysKeepTheirNumbersWhenHashesCollide() {
        var interner = IntegerInterner(expected: 2)
        var keys: [String] = []
        func number(_ key: String) -> Int32 {
            let found = interner.number(hash: UInt64(key.utf8.count % 4)) { keys[Int($0)] == key }
            if Int(found) == keys.count { keys.append(key) }
            return found
        }
        for i in 0..<600 { #expect(number("patient \(i)") == Int32(i)) }
        for i in stride(from: 599, through: 0, by: -7) { #expect(number("patient \(i)") == Int32(i)) }
        #expect(interner.count == 600)
    }
}
