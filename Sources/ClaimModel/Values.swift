/// Money, quantities and dates keep the text as written beside the parsed value, so a value that
/// does not parse is still there for the rules (and the report) to name.

/// An amount of money in integer cents, parsed from an X12 decimal (`100`, `40.5`, `-12.25`).
///
/// JSON: a number is cents; a string is the amount as written in dollars, kept when it does not parse.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The amount in cents, or nil when the text is not a decimal amount.
    public var cents: Int64?
    /// The text as written, when it did not parse (nil for a valid amount).
    public var unparsedText: String?

    public init(cents: Int64) { self.cents = cents; self.unparsedText = nil }

    /// Parses dollars as X12 writes them (R type: optional sign, digits, optional point and up to 2 decimals
    /// that matter; further decimals must be zeros).
    public init(dollars text: String) {
        if let cents = Money.parseCents(text) {
            self.cents = cents
            self.unparsedText = nil
        } else {
            self.cents = nil
            self.unparsedText = text
        }
    }

    public var isValid: Bool { cents != nil }

    public var description: String {
        guard let cents else { return unparsedText ?? "" }
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func parseCents(_ text: String) -> Int64? { parseCents(text.utf8) }

    static func parseCents<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int64? {
        var utf8 = bytes[...]
        guard !utf8.isEmpty else { return nil }
        var negative = false
        if utf8.first == UInt8(ascii: "-") { negative = true; utf8 = utf8.dropFirst() }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                if sawPoint { return nil }
                sawPoint = true
                continue
            }
            guard byte.isASCIIDigit else { return nil }
            sawDigit = true
            let digit = Int64(byte - 48)
            if sawPoint {
                fractionDigits += 1
                if fractionDigits <= 2 {
                    fraction = fraction * 10 + digit
                } else if digit != 0 {
                    return nil  // sub-cent amounts are not money
                }
            } else {
                let (times10, overflow1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(digit)
                if overflow1 || overflow2 || sum > Int64.max / 1000 { return nil }
                whole = sum
            }
        }
        guard sawDigit else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        let cents = whole * 100 + fraction
        return negative ? -cents : cents
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let cents = try? container.decode(Int64.self) {
            self.init(cents: cents)
        } else {
            self.init(dollars: try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let cents { try container.encode(cents) } else { try container.encode(unparsedText ?? "") }
    }
}

/// A count of units (SV104, SV205, CTP04), in thousandths so that `1.5` and `0.333` are exact.
///
/// JSON: a number; a string when the text as written does not parse.
public struct Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The quantity in thousandths, or nil when the text is not a decimal number.
    public var thousandths: Int64?
    /// The text as written, when it did not parse.
    public var unparsedText: String?

    public init(thousandths: Int64) { self.thousandths = thousandths; self.unparsedText = nil }
    public init(_ whole: Int) { self.init(thousandths: Int64(whole) * 1000) }

    public init(text: String) {
        if let value = Quantity.parse(text) {
            thousandths = value
            unparsedText = nil
        } else {
            thousandths = nil
            unparsedText = text
        }
    }

    public var isValid: Bool { thousandths != nil }
    public var value: Double? { thousandths.map { Double($0) / 1000 } }

    public var description: String {
        guard let thousandths else { return unparsedText ?? "" }
        if thousandths % 1000 == 0 { return String(thousandths / 1000) }
        var text = String(format: "%.3f", Double(thousandths) / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    static func parse(_ text: String) -> Int64? { parse(text.utf8) }

    static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int64? {
        var utf8 = bytes[...]
        guard !utf8.isEmpty else { return nil }
        var negative = false
        if utf8.first == UInt8(ascii: "-") { negative = true; utf8 = utf8.dropFirst() }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                if sawPoint { return nil }
                sawPoint = true
                continue
            }
            guard byte.isASCIIDigit else { return nil }
            sawDigit = true
            let digit = Int64(byte - 48)
            if sawPoint {
                fractionDigits += 1
                if fractionDigits <= 3 { fraction = fraction * 10 + digit } else if digit != 0 { return nil }
            } else {
                whole = whole * 10 + digit
                if whole > 1_000_000_000_000 { return nil }
            }
        }
        guard sawDigit else { return nil }
        while fractionDigits < 3 { fraction *= 10; fractionDigits += 1 }
        let value = whole * 1000 + fraction
        return negative ? -value : value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.init(thousandths: Int64((number * 1000).rounded()))
        } else {
            self.init(text: try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let thousandths {
            if thousandths % 1000 == 0 { try container.encode(thousandths / 1000) } else {
                try container.encode(Double(thousandths) / 1000)
            }
        } else {
            try container.encode(unparsedText ?? "")
        }
    }
}

/// A calendar date without time zone (dates of service, birth dates).
public struct CalendarDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// A date known to exist, not checked again: for the engine's compact forms of dates that were (a packed
    /// date of service). Anything else uses the checking initializer.
    package init(existingYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// A date only when it exists in the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `CCYYMMDD` (X12 D8) or `CCYY-MM-DD` (JSON, ISO 8601).
    public init?(_ text: String) {
        guard let (year, month, day) = CalendarDate.parseDigits(text.utf8) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Year, month and day of `CCYYMMDD` or `CCYY-MM-DD`, not yet checked against the calendar.
    static func parseDigits<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> (Int, Int, Int)? {
        var year = 0, month = 0, day = 0
        var count = 0
        var digits = 0
        for byte in bytes {
            count += 1
            if byte == UInt8(ascii: "-") {
                // Dashes only at the ISO positions (after the year and the month).
                guard count == 5 || count == 8 else { return nil }
                continue
            }
            guard byte >= 48 && byte <= 57 else { return nil }
            let digit = Int(byte - 48)
            switch digits {
            case 0..<4: year = year * 10 + digit
            case 4..<6: month = month * 10 + digit
            case 6..<8: day = day * 10 + digit
            default: return nil
            }
            digits += 1
        }
        guard digits == 8, count == 8 || count == 10 else { return nil }
        if count == 10 {
            guard bytes[bytes.index(bytes.startIndex, offsetBy: 4)] == UInt8(ascii: "-"),
                  bytes[bytes.index(bytes.startIndex, offsetBy: 7)] == UInt8(ascii: "-") else { return nil }
        }
        return (year, month, day)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before), for date arithmetic.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01 (the inverse of `dayNumber`).
    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        self.day = doy - (153 * mp + 2) / 5 + 1
        self.month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// 0001-01-01, before any date a claim carries.
    public static let distantPast = CalendarDate(dayNumber: -719_162)

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// ISO 8601 (`2024-07-01`).
    public var description: String {
        if (0...9999).contains(year), (1...12).contains(month), (1...31).contains(day) {
            // Written as ten bytes: formatting and padding three numbers as strings cost about 2,600 instructions.
            return String(unsafeUninitializedCapacity: 10) { bytes in
                func put(_ value: Int, at end: Int, width: Int) {
                    var rest = value
                    for position in stride(from: end, to: end - width, by: -1) {
                        bytes[position] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                        rest /= 10
                    }
                }
                put(year, at: 3, width: 4)
                bytes[4] = UInt8(ascii: "-")
                put(month, at: 6, width: 2)
                bytes[7] = UInt8(ascii: "-")
                put(day, at: 9, width: 2)
                return 10
            }
        }
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date (YYYY-MM-DD)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A date or a date range as X12 writes it (DTP with D8 or RD8), keeping the text when it does not parse.
///
/// JSON: `"2024-07-01"`, `{"from": "2024-07-01", "to": "2024-07-03"}`, or `{"unparsed": "20241301"}`.
public struct DateOrRange: Hashable, Sendable, Codable, CustomStringConvertible {
    public var from: CalendarDate?
    public var to: CalendarDate?
    /// The text as written, when it did not parse as a date or a range.
    public var unparsedText: String?

    public init(_ date: CalendarDate) { from = date; to = date; unparsedText = nil }
    public init(from: CalendarDate, to: CalendarDate) { self.from = from; self.to = to; unparsedText = nil }
    public init(unparsed text: String) { from = nil; to = nil; unparsedText = text }

    /// Parses an X12 date by its format qualifier: `D8` (CCYYMMDD) or `RD8` (CCYYMMDD-CCYYMMDD).
    public init(x12 text: String, format: String) {
        if format == "RD8" {
            let bytes = text.utf8
            if bytes.count == 17, bytes[bytes.index(bytes.startIndex, offsetBy: 8)] == UInt8(ascii: "-"),
               let start = CalendarDate(String(text.prefix(8))), let end = CalendarDate(String(text.suffix(8))),
               start <= end {
                self.init(from: start, to: end)
                return
            }
        } else if format == "D8", let date = CalendarDate(text) {
            self.init(date)
            return
        }
        self.init(unparsed: text)
    }

    public var isValid: Bool { from != nil && to != nil }
    public var isSingleDay: Bool { from != nil && from == to }

    public var description: String {
        guard let from, let to else { return unparsedText ?? "" }
        return from == to ? from.description : "\(from)..\(to)"
    }

    enum CodingKeys: String, CodingKey { case from, to, unparsed }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            guard let date = CalendarDate(text) else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "'\(text)' is not a date (YYYY-MM-DD)")
            }
            self.init(date)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .unparsed) {
            self.init(unparsed: text)
            return
        }
        let start = try container.decode(CalendarDate.self, forKey: .from)
        let end = try container.decode(CalendarDate.self, forKey: .to)
        guard start <= end else {
            throw DecodingError.dataCorruptedError(forKey: .to, in: container, debugDescription: "range ends before it starts")
        }
        self.init(from: start, to: end)
    }

    public func encode(to encoder: any Encoder) throws {
        if let from, let to, from == to {
            var single = encoder.singleValueContainer()
            try single.encode(from)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let from, let to {
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
        } else {
            try container.encode(unparsedText ?? "", forKey: .unparsed)
        }
    }
}
