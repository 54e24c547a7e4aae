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
}
