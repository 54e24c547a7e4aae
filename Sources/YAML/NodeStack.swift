// The loader's stack of finished nodes that wait for their collection to close.

/// A growable stack of nodes that hands a closing collection its children by moving them into an
/// array of exactly the right size, without copying (no retain and release per child).
///
/// Invariant: `base[0..<count]` is initialized, `base[count..<capacity]` is not.
struct NodeStack: ~Copyable {
    private var base: UnsafeMutablePointer<YAMLNode>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    mutating func append(_ node: consuming YAMLNode) {
        if count == capacity { grow() }
        (base + count).initialize(to: node)
        count += 1
    }

    /// The location of the node at `index`, or nil when there is none.
    func location(at index: Int) -> SourceLocation? {
        guard index >= 0, index < count else { return nil }
        return base[index].location
    }

    /// Removes the nodes from `start` on and returns them as the items of a sequence.
    mutating func popItems(from start: Int) -> [YAMLNode] {
        let start = min(max(start, 0), count)
        let n = count - start
        guard n > 0 else { return [] }
        let source = base + start
        let items = [YAMLNode](unsafeUninitializedCapacity: n) { buffer, initialized in
            guard let target = buffer.baseAddress else { return }
            target.moveInitialize(from: source, count: n)
            initialized = n
        }
        count = start
        return items
    }

    /// Removes the nodes from `start` on and returns them as key/value pairs (an odd last node,
    /// which well-formed events never leave, is dropped).
    mutating func popPairs(from start: Int) -> [YAMLPair] {
        let start = min(max(start, 0), count)
        let n = (count - start) / 2
        let source = base + start
        let pairs = [YAMLPair](unsafeUninitializedCapacity: n) { buffer, initialized in
            guard let target = buffer.baseAddress else { return }
            for i in 0..<n {
                (target + i).initialize(to: YAMLPair(key: (source + 2 * i).move(), value: (source + 2 * i + 1).move()))
            }
            initialized = n
        }
        if (count - start) & 1 == 1 { (source + 2 * n).deinitialize(count: 1) }
        count = start
        return pairs
    }

    /// Drops every node.
    mutating func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<YAMLNode>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
