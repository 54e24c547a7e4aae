import ClaimModel
import Rules
import Tables

/// What a batch is evaluated with besides its claims (DECISIONS §2, §3): the day of filing, an optional
/// what-if date, and the claim history.
public struct EvaluationContext: Sendable {
    /// The day the claims are filed; nil: each claim's own creation date (BHT04).
    public var today: CalendarDate?
    /// Evaluate every claim with the rules and tables as they stood on this date, instead of each line's
    /// date of service.
    public var asOf: CalendarDate?
    /// Claims already sent: they take part in pairs and day totals, but get no edits of their own.
    public var history: [Claim]
    /// Record the conditions that held on each edit.
    public var explain: Bool

    public init(today: CalendarDate? = nil, asOf: CalendarDate? = nil, history: [Claim] = [], explain: Bool = false) {
        self.today = today; self.asOf = asOf; self.history = history; self.explain = explain
    }
}

/// A line somewhere in the batch or the history.
struct LineAddress: Hashable {
    /// Stored as 32-bit numbers: the batch index keeps one address per line of the batch (`dayLines`).
    private let claimNumber: Int32
    private let lineNumber: Int32
    /// Index into the batch (>= 0) or into the history (stored as -1 - index).
    var claim: Int { Int(claimNumber) }
    var line: Int { Int(lineNumber) }
    var inHistory: Bool { claimNumber < 0 }

    /// A batch or history holds far fewer than 2^31 claims, and a claim far fewer lines (memory ends first).
    init(claim: Int, line: Int) {
        claimNumber = Int32(truncatingIfNeeded: claim)
        lineNumber = Int32(truncatingIfNeeded: line)
    }
}

/// A date in four bytes (`year << 9 | month << 5 | day`; 0 for none), for the records the batch index writes once
/// per line or claim of a batch: a `CalendarDate?` takes 32. Years 1 to 9999 (every date a claim's text or JSON
/// can give); a date outside them (only made in code, e.g. by `adding(days:)`) packs as `isOutOfRange`, and the
/// batch index keeps it whole beside its records.
struct PackedDate: Hashable {
    private let bits: UInt32

    init(_ date: CalendarDate?) {
        guard let date else { bits = 0; return }
        guard (1...9999).contains(date.year) else { bits = UInt32.max; return }
        bits = UInt32(date.year) << 9 | UInt32(date.month) << 5 | UInt32(date.day)
    }

    /// A date that does not fit (`date` is then nil): look it up where the whole dates are kept.
    var isOutOfRange: Bool { bits == UInt32.max }

    /// The date; nil for none or one out of range.
    var date: CalendarDate? {
        // Packed from a `CalendarDate` of a year in range, so it exists.
        bits == 0 || bits == UInt32.max ? nil
            : CalendarDate(existingYear: Int(bits >> 9), month: Int(bits >> 5 & 15), day: Int(bits & 31))
    }
}

/// The joins the rules need across claims, built once per batch: lines of the same patient, provider and
/// date of service, and units per patient, provider, code and date. Both are also kept per line (by the
/// line's position in `lineStart`/`historyLineStart` order), so the evaluator finds a line's day and its day
/// total without building and hashing the keys again.
///
/// A class, so the evaluators and field readers share one index instead of copying (and retaining) its two
/// dozen arrays; it is written only while `init` runs and read-only after, which is why sharing it between
/// the workers is safe.
final class BatchIndex: @unchecked Sendable {
    /// A day of `dayOfLine`: a patient, a provider and a date of service, by interned numbers (`patientProvider`
    /// numbers the pair). The joins are numbered through `IntegerInterner`, never by hashing strings per line.
    struct DayKey { var patient: Int32; var patientProvider: Int32; var day: Int32 }

    let claims: [Claim]
    let history: [Claim]
    /// The claims and every line, by position (`linePosition` for lines): evaluation reads fields through these,
    /// so no claim or line is copied per binding or per read.
    let claimBoxes: [Shared<Claim>]
    let historyBoxes: [Shared<Claim>]
    private(set) var lineBoxes: [Shared<ServiceLine>] = []
    /// Where each claim's lines start in the per-line arrays (batch claims first, then history claims).
    private(set) var lineStart: [Int] = []
    private(set) var historyLineStart: [Int] = []
    /// Per line: its day's number (-1: the line has no date of service).
    private(set) var dayOfLine: [Int32] = []
    /// The lines of each day, in batch order, then history: day d's are `dayLines[dayStart[d]..<dayStart[d + 1]]`
    /// (one array for all days, not an array per day).
    private(set) var dayLines: [LineAddress] = []
    private(set) var dayStart: [Int32] = []
    /// Lines of the batch's claims; positions from here on are history lines.
    private(set) var batchLineCount = 0
    /// Each line's procedure code as a number (`0 ..< codeCount`, the same number for the same text), -1 when the
    /// line has none.
    private(set) var codeOfLine: [Int32] = []
    private(set) var codeCount = 0
    /// The text of each code number of `codeOfLine`.
    private(set) var codeTexts: [String] = []
    /// Per batch claim: `FieldReader.claimDates` (its first and last dates of service), found once: `dates(ofClaim:)`.
    private var datesOfClaim: [(first: PackedDate, last: PackedDate)] = []
    /// The dates `PackedDate` cannot hold, whole: by line position, and by batch claim.
    private var outOfRangeDates: [Int: CalendarDate] = [:]
    private var outOfRangeClaimDates: [Int: (first: CalendarDate?, last: CalendarDate?)] = [:]
    /// Per batch claim: the index of the history claim it corrects or voids (`HistoryMatch`), nil when none
    /// (no list at all without a history: a batch's worth of nils is fresh memory too).
    private let originalOfClaim: [Int?]
    /// Per day (as numbered in `dayOfLine`): its patient, provider and date.
    private(set) var dayKeys: [DayKey] = []
    /// Every day, ordered by patient and provider, then date (for windows across dates: a line pair's
    /// `within-days`, `prior-codes-10`/`-90`); the days of day d's patient and provider are
    /// `daysByPatientProvider[patientProviderStart[d]..<patientProviderEnd[d]]`, in date order. One entry per
    /// day, not per line, sorted once per batch.
    private(set) var daysByPatientProvider: [Int32] = []
    private(set) var patientProviderStart: [Int32] = []
    private(set) var patientProviderEnd: [Int32] = []

    /// The fields of a line that rules read most, copied out of the line: reading them from here touches one
    /// small record in one array, not the line's own storage (a reference counted, cold object per line).
    /// Stored in 64 bytes (optionals as a flag bit beside a plain value, the date packed), not the 120 its fields
    /// take as optionals: every batch writes one per line into memory the kernel must first zero.
    struct LineFacts {
        private var unitsValue: Double
        private var chargeValue: Double
        private var dayUnitsValue: Double
        /// The modifiers' bytes, two per modifier in order (`packModifiers`), when `modifiersPacked`.
        var modifiers: UInt64
        var number: Int
        private var packedDate: PackedDate
        /// How many other lines of its patient and date of service have its code, any provider; -1 for none (no
        /// code or no date): `patientDayRepeats(ofLine:)`.
        var patientDayRepeats: Int32
        var pointerCount: Int32
        var modifierCount: Int32
        /// `Flag` bits.
        private var flags: UInt8

        private enum Flag {
            static let units: UInt8 = 1, charge: UInt8 = 2, dayUnits: UInt8 = 4, modifiersPacked: UInt8 = 8
        }

        init(units: Double?, charge: Double?, number: Int, serviceDate: CalendarDate?, pointerCount: Int32,
             modifierCount: Int32, modifiers: UInt64?) {
            unitsValue = units ?? 0
            chargeValue = charge ?? 0
            dayUnitsValue = 0
            self.modifiers = modifiers ?? 0
            self.number = number
            packedDate = PackedDate(serviceDate)
            patientDayRepeats = -1
            self.pointerCount = pointerCount
            self.modifierCount = modifierCount
            flags = (units == nil ? 0 : Flag.units) | (charge == nil ? 0 : Flag.charge)
                | (modifiers == nil ? 0 : Flag.modifiersPacked)
        }

        /// `units?.value`; nil when the line has no units or they did not parse.
        var units: Double? { flags & Flag.units == 0 ? nil : unitsValue }
        /// `charge.cents / 100`; nil when the charge did not parse.
        var charge: Double? { flags & Flag.charge == 0 ? nil : chargeValue }
        /// `serviceDate?.from`, unless it is out of `PackedDate`'s range: read it with `serviceDate(ofLine:)`.
        var packedServiceDate: PackedDate { packedDate }
        /// The units of its code on its day (all lines and claims of its patient and provider on that date; nil:
        /// no code, no date, or no line of that code with units): `dayUnits(ofLine:)`.
        var dayUnits: Double? {
            get { flags & Flag.dayUnits == 0 ? nil : dayUnitsValue }
            set {
                dayUnitsValue = newValue ?? 0
                flags = newValue == nil ? flags & ~Flag.dayUnits : flags | Flag.dayUnits
            }
        }
        /// The line has at most four modifiers, each one or two ASCII bytes: `modifiers` holds them all, and tests
        /// on them need not read the line. (ASCII only: two ASCII texts are equal as strings exactly when their
        /// bytes are.)
        var modifiersPacked: Bool { flags & Flag.modifiersPacked != 0 }
    }

    /// A modifier as two bytes (the second 0 for a one-byte text), nil unless it is one or two ASCII bytes.
    @inline(__always)
    static func packModifier(_ text: String) -> UInt16? {
        var text = text
        return text.withUTF8 { utf8 -> UInt16? in
            guard utf8.count == 1 || utf8.count == 2, utf8[0] < 0x80, utf8[0] != 0 else { return nil }
            if utf8.count == 1 { return UInt16(utf8[0]) }
            guard utf8[1] < 0x80, utf8[1] != 0 else { return nil }
            return UInt16(utf8[0]) | UInt16(utf8[1]) << 8
        }
    }

    /// A line's modifiers packed for `LineFacts.modifiers`; nil when there are more than four or one is not
    /// `packModifier`'s shape.
    static func packModifiers(_ modifiers: [Modifier]) -> UInt64? {
        guard modifiers.count <= 4 else { return nil }
        var packed: UInt64 = 0
        for (position, modifier) in modifiers.enumerated() {
            guard let two = packModifier(modifier.text) else { return nil }
            packed |= UInt64(two) << (16 * position)
        }
        return packed
    }

    /// Per line, by position (as `lineBoxes`). Freed with the index; written only while `init` runs.
    private(set) var lineFacts = UnsafeMutableBufferPointer<LineFacts>(start: nil, count: 0)

    deinit { lineFacts.baseAddress?.deallocate() }

    /// The per-day totals a batch index counts: those no rule reads are left out (with their interner, their
    /// sort of the lines and a number per line).
    struct Joins: OptionSet {
        let rawValue: Int
        /// `LineFacts.dayUnits`, `line.day-units`.
        static let dayUnits = Joins(rawValue: 1)
        /// `LineFacts.patientDayRepeats`, `line.patient-day-repeats`.
        static let patientDayRepeats = Joins(rawValue: 2)
        static let all: Joins = [.dayUnits, .patientDayRepeats]

        init(rawValue: Int) { self.rawValue = rawValue }

        /// The totals the rules read, in any role, in conditions, lookup keys and templates.
        init<RuleList: Sequence>(readBy rules: RuleList) where RuleList.Element == Rule {
            var joins: Joins = []
            for rule in rules {
                for case .line(_, let field) in rule.fields {
                    if field == .dayUnits { joins.insert(.dayUnits) }
                    if field == .patientDayRepeats { joins.insert(.patientDayRepeats) }
                }
            }
            self = joins
        }
    }

    /// The totals counted (`Joins`); the others read as none.
    let joins: Joins

    init(claims: [Claim], history: [Claim], joins: Joins = .all) {
        self.joins = joins
        self.claims = claims
        self.history = history
        claimBoxes = claims.map { Shared($0) }
        historyBoxes = history.map { Shared($0) }
        originalOfClaim = history.isEmpty ? [] : HistoryMatch.originals(claims: claims, history: history)
        var keys = Interning()
        let lineCount = claims.reduce(0) { $0 + $1.lines.count } + history.reduce(0) { $0 + $1.lines.count }
        let countsRepeats = joins.contains(.patientDayRepeats)
        keys.reserve(lines: lineCount, claims: claims.count + history.count, patientDates: countsRepeats)
        dayKeys.reserveCapacity(lineCount)
        lineBoxes.reserveCapacity(lineCount)
        dayOfLine.reserveCapacity(lineCount)
        var addresses: [LineAddress] = []
        addresses.reserveCapacity(lineCount)
        var codeOfLine: [Int32] = []
        codeOfLine.reserveCapacity(lineCount)
        // Only for `patient-day-repeats`.
        var patientDateOfLine: [Int32] = []
        if countsRepeats { patientDateOfLine.reserveCapacity(lineCount) }
        // Filled while the lines are added (one pass over their storage, which is cold by the second).
        let facts = UnsafeMutableBufferPointer<LineFacts>.allocate(capacity: max(1, lineCount))
        lineFacts = facts
        datesOfClaim.reserveCapacity(claims.count)
        for (index, claim) in claims.enumerated() {
            lineStart.append(dayOfLine.count)
            add(claim, address: index, patient: keys.patient(Self.patientKey(claim)), &keys, &addresses, &codeOfLine, &patientDateOfLine)
            // While the claim's lines are in cache from `add`.
            let dates = FieldReader.claimDates(claim)
            let packed = (first: PackedDate(dates.first), last: PackedDate(dates.last))
            if packed.first.isOutOfRange || packed.last.isOutOfRange { outOfRangeClaimDates[index] = dates }
            datesOfClaim.append(packed)
        }
        batchLineCount = dayOfLine.count
        for (index, claim) in history.enumerated() {
            historyLineStart.append(dayOfLine.count)
            add(claim, address: -1 - index, patient: keys.patient(Self.patientKey(claim)), &keys, &addresses, &codeOfLine, &patientDateOfLine)
        }
        lineFacts = UnsafeMutableBufferPointer(rebasing: facts[0..<lineBoxes.count])
        groupLinesByDay(addresses)
        countDayTotals(codeOfLine, patientDateOfLine: patientDateOfLine, patientDateCount: Int(keys.patientDates.count))
        sortDaysByPatientProvider()
        self.codeOfLine = codeOfLine
        codeCount = keys.codeTexts.count
        codeTexts = keys.codeTexts
    }

    /// `dayLines` and `dayStart`: the lines of each day by a counting sort (stable: batch order, then history).
    private func groupLinesByDay(_ addresses: [LineAddress]) {
        let dayCount = dayKeys.count
        var start = [Int32](repeating: 0, count: dayCount + 1)
        for day in dayOfLine where day >= 0 { start[Int(day) + 1] += 1 }
        for d in 0..<dayCount { start[d + 1] += start[d] }
        var fill = start
        var grouped = [LineAddress](repeating: LineAddress(claim: 0, line: 0), count: Int(start[dayCount]))
        for (position, day) in dayOfLine.enumerated() where day >= 0 {
            grouped[Int(fill[Int(day)])] = addresses[position]
            fill[Int(day)] += 1
        }
        dayLines = grouped
        dayStart = start
    }

    /// `LineFacts.dayUnits` and `LineFacts.patientDayRepeats`: units of each code per day (only lines with units count),
    /// and repeats of each code per patient and date (any provider). Both are counted within groups of lines that
    /// are already together, a day's lines (`dayLines`) and a patient's date's lines (`patientDateOfLine`, grouped
    /// here by a counting sort), by comparing the codes of the group: hashing every line's (day, code) and
    /// (patient, code, date) into tables the size of the batch missed the cache on every line.
    private func countDayTotals(_ codeOfLine: [Int32], patientDateOfLine: [Int32], patientDateCount: Int) {
        let facts = lineFacts
        var group: [Int] = []
        for day in 0..<(joins.contains(.dayUnits) ? dayKeys.count : 0) {
            group.removeAll(keepingCapacity: true)
            for address in lines(ofDay: Int32(day)) where codeOfLine[linePosition(address)] >= 0 {
                group.append(linePosition(address))
            }
            Self.sortByCode(&group, codeOfLine)
            var start = 0
            while start < group.count {
                let end = Self.runEnd(group, from: start, codeOfLine)
                var total = 0.0, any = false
                for i in start..<end { if let units = facts[group[i]].units { total += units; any = true } }
                for i in start..<end { facts[group[i]].dayUnits = any ? total : nil }
                start = end
            }
        }
        guard joins.contains(.patientDayRepeats) else { return }
        // The lines of each patient's date, by a counting sort on `patientDateOfLine` (lines with no date are -1).
        var start = [Int32](repeating: 0, count: patientDateCount + 1)
        for number in patientDateOfLine where number >= 0 { start[Int(number) + 1] += 1 }
        for n in 0..<patientDateCount { start[n + 1] += start[n] }
        var fill = start
        var byPatientDate = [Int](repeating: 0, count: Int(start[patientDateCount]))
        for (position, number) in patientDateOfLine.enumerated() where number >= 0 {
            byPatientDate[Int(fill[Int(number)])] = position
            fill[Int(number)] += 1
        }
        for n in 0..<patientDateCount {
            group.removeAll(keepingCapacity: true)
            for position in byPatientDate[Int(start[n])..<Int(start[n + 1])] where codeOfLine[position] >= 0 {
                group.append(position)
            }
            Self.sortByCode(&group, codeOfLine)
            var start = 0
            while start < group.count {
                let end = Self.runEnd(group, from: start, codeOfLine)
                for i in start..<end { facts[group[i]].patientDayRepeats = Int32(clamping: end - start - 1) }
                start = end
            }
        }
    }

    /// Sorts a group of lines (positions) by code and then position, so the lines of a code form a run in position
    /// order (units add up in the order they did when they were summed line by line).
    @inline(__always)
    private static func sortByCode(_ group: inout [Int], _ codeOfLine: [Int32]) {
        if group.count > 1 { group.sort { (codeOfLine[$0], $0) < (codeOfLine[$1], $1) } }
    }

    /// The end of the run of lines with the code of `group[start]` in a group sorted by `sortByCode`.
    @inline(__always)
    private static func runEnd(_ group: [Int], from start: Int, _ codeOfLine: [Int32]) -> Int {
        let code = codeOfLine[group[start]]
        var end = start + 1
        while end < group.count, codeOfLine[group[end]] == code { end += 1 }
        return end
    }

    /// `daysByPatientProvider` and each day's run in it: one sort of the days by patient and provider, then date.
    private func sortDaysByPatientProvider() {
        let keysOfDay = dayKeys
        var order = (0..<Int32(keysOfDay.count)).map { $0 }
        order.sort { a, b in
            let x = keysOfDay[Int(a)], y = keysOfDay[Int(b)]
            return (x.patientProvider, x.day, a) < (y.patientProvider, y.day, b)
        }
        var groupStart = [Int32](repeating: 0, count: keysOfDay.count)
        var groupEnd = [Int32](repeating: 0, count: keysOfDay.count)
        var run = 0
        while run < order.count {
            let pair = keysOfDay[Int(order[run])].patientProvider
            var end = run + 1
            while end < order.count, keysOfDay[Int(order[end])].patientProvider == pair { end += 1 }
            for i in run..<end {
                groupStart[Int(order[i])] = Int32(run)
                groupEnd[Int(order[i])] = Int32(end)
            }
            run = end
        }
        daysByPatientProvider = order
        patientProviderStart = groupStart
        patientProviderEnd = groupEnd
    }

    /// The units of the line's code on its day, all lines and claims of its patient and provider on that date (nil:
    /// no code, no date, or no line of that code with units).
    @inline(__always)
    func dayUnits(ofLine position: Int) -> Double? {
        assert(joins.contains(.dayUnits), "day units read from a batch index that did not count them")
        return lineFacts[position].dayUnits
    }

    /// How many other lines of the line's patient and date of service have its code, any provider (nil: no code or
    /// no date).
    @inline(__always)
    func patientDayRepeats(ofLine position: Int) -> Int? {
        assert(joins.contains(.patientDayRepeats), "repeats read from a batch index that did not count them")
        let repeats = lineFacts[position].patientDayRepeats
        return repeats < 0 ? nil : Int(repeats)
    }

    /// The index of the history claim batch claim `claim` corrects or voids (`HistoryMatch`), nil when none.
    @inline(__always)
    func original(ofClaim claim: Int) -> Int? { originalOfClaim.isEmpty ? nil : originalOfClaim[claim] }

    /// Batch claim `claim`'s first and last dates of service (`FieldReader.claimDates`).
    @inline(__always)
    func dates(ofClaim claim: Int) -> (first: CalendarDate?, last: CalendarDate?) {
        let dates = datesOfClaim[claim]
        if dates.first.isOutOfRange || dates.last.isOutOfRange, let whole = outOfRangeClaimDates[claim] { return whole }
        return (dates.first.date, dates.last.date)
    }

    /// The line's date of service (`serviceDate?.from`).
    @inline(__always)
    func serviceDate(ofLine position: Int) -> CalendarDate? {
        let packed = lineFacts[position].packedServiceDate
        return packed.isOutOfRange ? outOfRangeDates[position] : packed.date
    }

    /// How many lines batch claim `claim` has (read from the index, not from the claim's storage).
    @inline(__always)
    func lineCount(ofClaim claim: Int) -> Int {
        (claim + 1 < lineStart.count ? lineStart[claim + 1] : batchLineCount) - lineStart[claim]
    }

    /// The box of the claim a line address points into.
    func claimBox(_ address: LineAddress) -> Shared<Claim> {
        address.inHistory ? historyBoxes[-1 - address.claim] : claimBoxes[address.claim]
    }

    /// The position of a line in the per-line arrays.
    func linePosition(_ address: LineAddress) -> Int {
        (address.inHistory ? historyLineStart[-1 - address.claim] : lineStart[address.claim]) + address.line
    }

    /// The lines of day `day` (a number of `dayOfLine`).
    func lines(ofDay day: Int32) -> ArraySlice<LineAddress> {
        day < 0 ? [] : dayLines[Int(dayStart[Int(day)])..<Int(dayStart[Int(day) + 1])]
    }

    /// Numbers for the patients, providers, days and codes met while the index is built.
    private struct Interning {
        /// Patients by their hash, then compared with `patientIdentities` (by number): one probe of a flat table
        /// instead of a `Dictionary`'s lookup and insert, each touching its keys' strings.
        var patients = IntegerInterner(expected: 0)
        var patientIdentities: [PatientIdentity] = []
        /// Providers and codes by an integer form of their text (`Interning.integerKey`), numbered in the order
        /// first seen; texts with no integer form go through `otherTexts` first. Hashing the strings with SipHash
        /// was most of the cost of building the index.
        var providers = IntegerInterner(expected: 0)
        var codes = IntegerInterner(expected: 0)
        var otherTexts: [String: Int32] = [:]
        /// The code texts by number.
        var codeTexts: [String] = []
        /// A patient and provider (`IntegerInterner.pair`), then that number and a date: a day of `dayOfLine`.
        var patientProviders = IntegerInterner(expected: 0)
        var days = IntegerInterner(expected: 0)
        /// A patient and a date of service (any provider).
        var patientDates = IntegerInterner(expected: 0)

        /// Room for what a batch of that many lines and claims can hold at most (codes and providers: few, so
        /// they start small and grow). Sized by claims, not lines, where a claim has one: every reserved slot is
        /// fresh memory the kernel zeroes on first touch.
        mutating func reserve(lines: Int, claims: Int, patientDates numbersPatientDates: Bool) {
            // Mostly one provider a claim (a rendering provider on some lines adds one); more grow the table.
            patientProviders = IntegerInterner(expected: min(lines, claims))
            // A claim's lines mostly share one date, so most batches have about a day per claim (they grow if not).
            days = IntegerInterner(expected: min(lines, claims))
            if numbersPatientDates { patientDates = IntegerInterner(expected: min(lines, claims)) }
            codes = IntegerInterner(expected: min(lines, 1 << 12))
            providers = IntegerInterner(expected: min(lines, 1 << 10))
            // At most one patient a claim; reserved, so growing does not rehash them.
            patients = IntegerInterner(expected: claims)
            patientIdentities.reserveCapacity(claims)
        }

        mutating func patient(_ key: PatientIdentity) -> Int32 {
            Self.patient(key, in: &patients, identities: &patientIdentities)
        }

        /// Static, with the two parts passed apart: a closure reading `self` while `patients` is modified would
        /// overlap the accesses.
        private static func patient(_ key: PatientIdentity, in patients: inout IntegerInterner,
                                    identities: inout [PatientIdentity]) -> Int32 {
            let number = patients.number(hash: UInt64(UInt(bitPattern: key.hashValue))) { identities[Int($0)] == key }
            if Int(number) == identities.count { identities.append(key) }
            return number
        }
        mutating func provider(_ text: String) -> Int32 { providers.number(integerKey(text)) }
        mutating func code(_ text: String) -> Int32 {
            let number = codes.number(integerKey(text))
            if Int(number) == codeTexts.count { codeTexts.append(text) }
            return number
        }

        /// A text as a 64-bit key, one to one: up to 8 ASCII bytes packed (procedure codes), 9 to 15 digits as
        /// their value and count (NPIs), anything else by its number in `otherTexts`; the top two bits keep the
        /// three forms apart.
        private mutating func integerKey(_ text: String) -> UInt64 {
            // Packed ASCII has its top bit clear (`PackedCode.pack`, one to one without NULs).
            if let packed = PackedCode.pack(text) { return packed }
            var text = text
            let digits: UInt64? = text.withUTF8 { utf8 in
                guard utf8.count <= 15 else { return nil }
                var value: UInt64 = 0
                for byte in utf8 {
                    guard byte >= 48, byte <= 57 else { return nil }
                    value = value * 10 + UInt64(byte - 48)
                }
                // Top two bits set; the value is below 10^15 < 2^50, the count below 2^4.
                return 3 << 62 | UInt64(utf8.count) << 50 | value
            }
            if let digits { return digits }
            // Top bit set, the next clear.
            return 1 << 63 | UInt64(UInt32(bitPattern: Self.number(text, in: &otherTexts)))
        }

        /// Static: an instance method here would read `self` while `numbers` (part of it) is modified, and Swift
        /// would copy the whole dictionary on every call.
        private static func number<Key: Hashable>(_ key: Key, in numbers: inout [Key: Int32]) -> Int32 {
            if let known = numbers[key] { return known }
            let next = Int32(numbers.count)
            numbers[key] = next
            return next
        }
    }

    private func add(_ claim: Claim, address: Int, patient: Int32, _ keys: inout Interning,
                     _ addresses: inout [LineAddress], _ codeOfLine: inout [Int32], _ patientDateOfLine: inout [Int32]) {
        let countsRepeats = joins.contains(.patientDayRepeats)
        for (lineIndex, line) in claim.lines.enumerated() {
            let modifiers = line.modifiers
            let packed = modifiers.isEmpty ? 0 : Self.packModifiers(modifiers)
            lineFacts[lineBoxes.count] = LineFacts(
                units: line.units?.value, charge: line.charge.cents.map { Double($0) / 100 }, number: line.number,
                serviceDate: line.serviceDate?.from, pointerCount: Int32(clamping: line.diagnosisPointers.count),
                modifierCount: Int32(clamping: modifiers.count), modifiers: packed)
            if lineFacts[lineBoxes.count].packedServiceDate.isOutOfRange { outOfRangeDates[lineBoxes.count] = line.serviceDate?.from }
            lineBoxes.append(Shared(line))
            addresses.append(LineAddress(claim: address, line: lineIndex))
            codeOfLine.append(line.procedureCode.map { keys.code($0.text) } ?? -1)
            guard let date = line.serviceDate?.from else {
                dayOfLine.append(-1)
                if countsRepeats { patientDateOfLine.append(-1) }
                continue
            }
            let provider = keys.provider(Self.providerKey(claim, line))
            let patientProvider = keys.patientProviders.number(IntegerInterner.pair(patient, provider))
            let dayNumber = Int32(clamping: date.dayNumber)
            if countsRepeats { patientDateOfLine.append(keys.patientDates.number(IntegerInterner.pair(patient, dayNumber))) }
            let day = keys.days.number(IntegerInterner.pair(patientProvider, dayNumber))
            if Int(day) == dayKeys.count { dayKeys.append(DayKey(patient: patient, patientProvider: patientProvider, day: dayNumber)) }
            dayOfLine.append(day)
        }
    }

    /// Who a claim's patient is, for joining claims: member id, name and birth date (two dependants under one
    /// member id stay apart). Compared and hashed field by field: building a text key by appending cost about
    /// 3,500 instructions a claim (callgrind), and a separator in a name could make two patients one.
    struct PatientIdentity: Hashable {
        enum Birth: Hashable {
            case none
            /// A birth date's first and last day, packed (one to one with the dates; no day number computed)...
            case packed(PackedDate, PackedDate)
            /// ... or as day numbers when one is out of `PackedDate`'s range.
            case days(Int, Int)
            case unparsed(String)
        }
        var memberID: String
        /// nil when the claim names no patient.
        var last: String?
        var first: String
        var birth: Birth
    }

    /// The patient of a claim (`PatientIdentity`): a missing member id or first name counts as empty, a birth
    /// date that did not parse by its text.
    static func patientKey(_ claim: Claim) -> PatientIdentity {
        let birth: PatientIdentity.Birth
        if let date = claim.patient.birthDate {
            if let from = date.from, let to = date.to {
                let first = PackedDate(from), last = PackedDate(to)
                birth = first.isOutOfRange || last.isOutOfRange ? .days(from.dayNumber, to.dayNumber) : .packed(first, last)
            } else {
                birth = .unparsed(date.unparsedText ?? "")
            }
        } else {
            birth = .none
        }
        let name = claim.patient.name
        return PatientIdentity(memberID: claim.subscriber.memberID ?? "", last: name?.last, first: name?.first ?? "",
                               birth: birth)
    }

    /// The provider of a line: its rendering NPI, else the claim's rendering, else the billing provider's.
    static func providerKey(_ claim: Claim, _ line: ServiceLine) -> String {
        line.renderingProvider?.npi?.text ?? claim.renderingProvider?.npi?.text ?? claim.billingProvider?.npi?.text ?? ""
    }

    /// The procedure codes of the other lines of the same patient, provider and day as the line at `position`.
    func dayCodes(_ position: Int) -> [String] {
        let day = dayOfLine[position]
        guard day >= 0 else { return [] }
        return lines(ofDay: day).compactMap { address in
            let other = linePosition(address)
            return other == position ? nil : lineBoxes[other].value.procedureCode?.text
        }
    }

    /// Lines of the same patient and provider as the line at `position`, other than itself, whose date of
    /// service is such that the line's date minus theirs is in `window` (days), in batch order, then history
    /// (the order of their positions). `0...0` is the same day (`sameDay`).
    func linesWithin(_ window: ClosedRange<Int>, of position: Int) -> [LineAddress] {
        let day = dayOfLine[position]
        guard day >= 0 else { return [] }
        let own = Int(dayKeys[Int(day)].day)
        var found: [LineAddress] = []
        var groups = 0
        // The patient and provider's days are in date order: start at the first one on or after own - upper
        // (binary search, so a long history costs a logarithm, not a scan), stop past own - lower.
        let earliest = own - window.upperBound
        var low = Int(patientProviderStart[Int(day)]), high = Int(patientProviderEnd[Int(day)])
        let end = high
        while low < high {
            let middle = (low + high) / 2
            if Int(dayKeys[Int(daysByPatientProvider[middle])].day) < earliest { low = middle + 1 } else { high = middle }
        }
        for other in daysByPatientProvider[low..<end] {
            let difference = own - Int(dayKeys[Int(other)].day)
            if difference < window.lowerBound { break }  // later days only from here
            groups += 1
            for address in lines(ofDay: other) where linePosition(address) != position { found.append(address) }
        }
        if groups > 1 { found.sort { linePosition($0) < linePosition($1) } }
        return found
    }

    /// The procedure codes of the other lines of the same patient and provider dated on the line's date or up
    /// to `days` days before it (`prior-codes-10`, `prior-codes-90`), in position order.
    func priorCodes(_ position: Int, days: Int) -> [String] {
        linesWithin(0...days, of: position).compactMap { lineBoxes[linePosition($0)].value.procedureCode?.text }
    }

    /// Lines of the same patient, provider and day as `line`, other than itself.
    func sameDay(as claimIndex: Int, _ lineIndex: Int) -> [LineAddress] {
        linesOnDay(of: claimIndex, lineIndex).filter { !($0.claim == claimIndex && $0.line == lineIndex) }
    }

    /// Lines of the same patient, provider and day as `line`, itself included (in batch order, then history).
    func linesOnDay(of claimIndex: Int, _ lineIndex: Int) -> ArraySlice<LineAddress> {
        lines(ofDay: dayOfLine[lineStart[claimIndex] + lineIndex])
    }
}
