/// Parsing straight from bytes, for the X12 reader: the same results as the `String` initializers, without
/// making a `String` for a value that parses (the text is made only when it is kept as written).

extension Money {
    /// `init(dollars:)` on the bytes of an element; `text()` makes the text as written when they do not parse.
    package init(dollarsBytes bytes: UnsafeBufferPointer<UInt8>, text: () -> String) {
        if let cents = Money.plainCents(bytes) ?? Money.parseCents(bytes) { self.init(cents: cents) } else { self.init(dollars: text()) }
    }

    /// The cents of the common forms, `D…` and `D….D` or `D….DD` (up to 15 bytes, so no overflow), as `parseCents`
    /// reads them; nil for anything else (which `parseCents` then reads).
    static func plainCents(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = bytes.count
        guard count > 0, count <= 15 else { return nil }
        var whole: Int64 = 0
        var i = 0
        while i < count, case let digit = bytes[i] &- 48, digit <= 9 {
            whole = whole * 10 + Int64(digit)
            i += 1
        }
        guard i > 0 else { return nil }
        if i == count { return whole * 100 }
        guard bytes[i] == UInt8(ascii: "."), count - i == 2 || count - i == 3 else { return nil }
        let tenths = bytes[i + 1] &- 48
        let hundredths = count - i == 3 ? bytes[i + 2] &- 48 : 0
        guard tenths <= 9, hundredths <= 9 else { return nil }
        return whole * 100 + Int64(tenths) * 10 + Int64(hundredths)
    }
}

extension Quantity {
    /// `init(text:)` on the bytes of an element; `text()` makes the text as written when they do not parse.
    package init(bytes: UnsafeBufferPointer<UInt8>, text: () -> String) {
        if let value = Quantity.wholeThousandths(bytes) ?? Quantity.parse(bytes) {
            self.init(thousandths: value)
        } else {
            self.init(text: text())
        }
    }

    /// Up to nine digits (the common form) in thousandths, as `parse` reads them; nil for anything else.
    static func wholeThousandths(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count > 0, bytes.count <= 9 else { return nil }
        var whole: Int64 = 0
        for byte in bytes {
            let digit = byte &- 48
            guard digit <= 9 else { return nil }
            whole = whole * 10 + Int64(digit)
        }
        return whole * 1000
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
