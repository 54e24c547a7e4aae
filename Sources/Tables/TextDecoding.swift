/// Text of table fields: UTF-8 when the bytes are valid UTF-8, else Latin-1 (CMS publishes some files in
/// Latin-1, e.g. the MUE CSVs with `®` as byte 0xAE), so that no byte is lost or replaced.
func decodeText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    var ascii = true
    for byte in bytes where byte >= 0x80 {
        ascii = false
        break
    }
    if ascii { return String(decoding: bytes, as: UTF8.self) }
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    var scalars = String.UnicodeScalarView()
    for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
    return String(scalars)
}

/// Content bytes of a field with `""` pairs turned into one quote.
func unescapedQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        out.append(byte)
        index += (byte == 0x22 && index + 1 < bytes.count && bytes[index + 1] == 0x22) ? 2 : 1
    }
    return out
}

extension RecordScanner {
    /// Calls `body` with a field's content bytes (unescaped when needed).
    @inline(__always)
    func withContent<R>(_ field: FieldSpan, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let raw = UnsafeBufferPointer(start: buffer + field.start, count: field.end - field.start)
        if !field.escaped { return body(raw) }
        let clean = unescapedQuotes(raw)
        return clean.withUnsafeBufferPointer { body($0) }
    }

    /// A field's content as a String.
    func text(_ field: FieldSpan) -> String { withContent(field) { decodeText($0) } }
}

/// Names compared ignoring whitespace, so that a header wrapped inside its cell (`"HCPCS/␊CPT Code"`)
/// matches `HCPCS/CPT Code`.
func looseName(_ name: String) -> String {
    String(String.UnicodeScalarView(name.unicodeScalars.filter { !$0.properties.isWhitespace }))
}

/// The header field a spec name refers to: an exact match, else the one match ignoring whitespace.
enum ColumnMatch: Equatable {
    case found(Int)
    case missing
    /// More than one header field matches: the indices.
    case ambiguous([Int])
}

func matchColumn(_ name: String, in columns: [String], loose: [String]) -> ColumnMatch {
    let exact = columns.indices.filter { columns[$0] == name }
    if exact.count == 1 { return .found(exact[0]) }
    if exact.count > 1 { return .ambiguous(exact) }
    let target = looseName(name)
    let approximate = loose.indices.filter { loose[$0] == target }
    if approximate.count == 1 { return .found(approximate[0]) }
    if approximate.count > 1 { return .ambiguous(approximate) }
    return .missing
}
