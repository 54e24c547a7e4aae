/// Marks a list that JSON omits when it is empty, and that reads as empty when its key is absent, so a
/// hand-written JSON claim needs only the lists it uses.
@propertyWrapper
public struct OmittedWhenEmpty<Value>: Hashable, Sendable, Codable
where Value: Collection & Codable & Hashable & Sendable & ExpressibleByArrayLiteral {
    public var wrappedValue: Value
    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws { wrappedValue = try Value(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try wrappedValue.encode(to: encoder) }
}

extension KeyedDecodingContainer {
    public func decode<Value>(_ type: OmittedWhenEmpty<Value>.Type, forKey key: Key) throws -> OmittedWhenEmpty<Value> {
        try decodeIfPresent(type, forKey: key) ?? OmittedWhenEmpty(wrappedValue: [])
    }
}

extension KeyedEncodingContainer {
    public mutating func encode<Value>(_ value: OmittedWhenEmpty<Value>, forKey key: Key) throws {
        if !value.wrappedValue.isEmpty { try encode(value.wrappedValue, forKey: key) }
    }
}
