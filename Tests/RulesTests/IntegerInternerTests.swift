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
}
