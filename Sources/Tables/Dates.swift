import ClaimModel

/// Row dates: day numbers (days since 1970-01-01) in Int32, with sentinels for open ends.
enum TableDate {
    /// An open start (no effective date): before every date.
    static let openStart = Int32.min
    /// An open end (no expiry): after every date.
    static let openEnd = Int32.max

    enum Parsed: Equatable {
        case open
        case day(Int32)
        case invalid
    }

    /// Parses CCYYMMDD, YYYY-MM-DD, M/D/YYYY (1- or 2-digit month and day), YYYYDDD (Julian, CMS's AOC
    /// file); `*` or empty is open. No spaces are trimmed.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Parsed {
        let n = b.count
        if n == 0 || (n == 1 && b[0] == 0x2A) { return .open }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let value = Int(b[i]) &- 48
            return value >= 0 && value <= 9 ? value : nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard let d = digit(i) else { return nil }
                value = value * 10 + d
            }
            return value
        }
        var year = 0, month = 0, day = 0
        if n >= 8 && n <= 10 && (b[1] == 0x2F || b[2] == 0x2F) {
            let slash1 = b[1] == 0x2F ? 1 : 2
            let rest = slash1 + 1
            guard let slash2 = b[rest...].firstIndex(of: 0x2F), slash2 - rest == 1 || slash2 - rest == 2,
                  n - (slash2 + 1) == 4,
                  let m = number(0..<slash1), let d = number(rest..<slash2), let y = number((slash2 + 1)..<n)
            else { return .invalid }
            (year, month, day) = (y, m, d)
        } else if n == 8 {
            guard let y = number(0..<4), let m = number(4..<6), let d = number(6..<8) else { return .invalid }
            (year, month, day) = (y, m, d)
        } else if n == 10 && b[4] == 0x2D && b[7] == 0x2D {
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return .invalid }
            (year, month, day) = (y, m, d)
        } else if n == 7 {
            guard let y = number(0..<4), let ordinal = number(4..<7), (1...9999).contains(y) else { return .invalid }
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
            guard ordinal >= 1 && ordinal <= (leap ? 366 : 365) else { return .invalid }
            guard let first = CalendarDate(year: y, month: 1, day: 1) else { return .invalid }
            return .day(Int32(first.dayNumber + ordinal - 1))
        } else {
            return .invalid
        }
        guard let date = CalendarDate(year: year, month: month, day: day) else { return .invalid }
        return .day(Int32(date.dayNumber))
    }

    /// The calendar date of a day number (Howard Hinnant's civil_from_days).
    static func calendarDate(_ dayNumber: Int32) -> CalendarDate? {
        let z = Int(dayNumber) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return CalendarDate(year: year, month: month, day: day)
    }
}
