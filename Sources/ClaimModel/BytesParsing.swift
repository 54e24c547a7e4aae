/// Parsing straight from bytes, for the X12 reader: the same results as the `String` initializers, without
/// making a `String` for a value that parses (the text is made only when it is kept as written).

extension Money {
    /// `init(dollars:)` on the bytes of an element; `text()` makes the text as written when they do not parse.
    package init(dollarsBytes bytes: UnsafeBufferPointer<UInt8>, text: () -> String) {
        if let cents = Money.parseCents(bytes) { self.init(cents: cents) } else { self.init(dollars: text()) }
    }
}

extension Quantity {
    /// `init(text:)` on the bytes of an element; `text()` makes the text as written when they do not parse.
    package init(bytes: UnsafeBufferPointer<UInt8>, text: () -> String) {
        if let value = Quantity.parse(bytes) { self.init(thousandths: value) } else { self.init(text: text()) }
    }
}

extension CalendarDate {
    /// `init?(_:)` on bytes (`CCYYMMDD` or `CCYY-MM-DD`).
    package init?(bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count == 8 {
            // CCYYMMDD, the X12 form: the digits straight into numbers.
            func digit(_ i: Int) -> UInt { UInt(bytes[i]) &- 48 }  // over 9 (wrapped) for anything but a digit
            let d0 = digit(0), d1 = digit(1), d2 = digit(2), d3 = digit(3), d4 = digit(4), d5 = digit(5), d6 = digit(6), d7 = digit(7)
            guard max(max(max(d0, d1), max(d2, d3)), max(max(d4, d5), max(d6, d7))) <= 9 else { return nil }
            self.init(year: Int(d0 * 1000 + d1 * 100 + d2 * 10 + d3), month: Int(d4 * 10 + d5), day: Int(d6 * 10 + d7))
            return
        }
        guard let (year, month, day) = CalendarDate.parseDigits(bytes) else { return nil }
        self.init(year: year, month: month, day: day)
    }
}

extension DateOrRange {
    /// `init(x12:format:)` on the bytes of DTP03 (or DMG02) and its format; `text()` makes the text as written
    /// when they do not parse.
    package init(x12Bytes bytes: UnsafeBufferPointer<UInt8>, format: UnsafeBufferPointer<UInt8>, text: () -> String) {
        if DateOrRange.equals(format, "RD8") {
            if bytes.count == 17, bytes[8] == UInt8(ascii: "-"),
               let start = CalendarDate(bytes: UnsafeBufferPointer(rebasing: bytes[0..<8])),
               let end = CalendarDate(bytes: UnsafeBufferPointer(rebasing: bytes[9..<17])),
               start <= end {
                self.init(from: start, to: end)
                return
            }
        } else if DateOrRange.equals(format, "D8"), let date = CalendarDate(bytes: bytes) {
            self.init(date)
            return
        }
        self.init(unparsed: text())
    }

    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let pointer = text.utf8Start
        for i in 0..<bytes.count where bytes[i] != pointer[i] { return false }
        return true
    }
}
