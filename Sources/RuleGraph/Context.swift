import ClaimModel
import Rules

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
    /// Index into the batch (>= 0) or into the history (stored as -1 - index).
    var claim: Int
    var line: Int
    var inHistory: Bool { claim < 0 }
}

/// The joins the rules need across claims, built once per batch: lines of the same patient, provider and
/// date of service, and units per patient, provider, code and date. Both are also kept per line (by the
/// line's position in `lineStart`/`historyLineStart` order), so the evaluator finds a line's day and its day
/// total without building and hashing the keys again.
struct BatchIndex {
    /// A patient, provider and date of service, by interned numbers (hashing three integers per line, not two
    /// long strings, is what keeps building the index cheap).
    struct DayKey: Hashable { var patient: Int32; var provider: Int32; var day: Int32 }
    struct UnitsKey: Hashable { var day: Int32; var code: String }
    /// A patient and provider, by interned numbers (the join of line pairs across dates).
    struct PatientProvider: Hashable { var patient: Int32; var provider: Int32 }
    /// A patient, date of service and code, whatever the provider.
    struct PatientCodeKey: Hashable { var patient: Int32; var day: Int32; var code: String }

    let claims: [Claim]
    let history: [Claim]
    /// The claims and every line on the heap, once per batch: evaluation reads fields through these boxes, so
    /// no claim or line is copied per binding or per read. Lines by position (`linePosition`).
    let claimBoxes: [Shared<Claim>]
    let historyBoxes: [Shared<Claim>]
    private(set) var lineBoxes: [Shared<ServiceLine>] = []
    /// Where each claim's lines start in the per-line arrays (batch claims first, then history claims).
    private(set) var lineStart: [Int] = []
    private(set) var historyLineStart: [Int] = []
    /// Per line: its day's number in `days` (-1: the line has no date of service), and the units of its code
    /// on that day (nil: no code, no date, or no line of that code with units).
    private(set) var dayOfLine: [Int32] = []
    private(set) var dayUnitsOfLine: [Double?] = []
    /// The lines of each day, in batch order, then history.
    private(set) var days: [[LineAddress]] = []
    /// Per line: how many other lines of its patient and date of service have its code, any provider (nil: no
    /// code or no date).
    private(set) var patientDayRepeatsOfLine: [Int?] = []
    /// Lines of the batch's claims; positions from here on are history lines.
    private(set) var batchLineCount = 0
    /// Per day (as numbered in `days`): its patient, provider and day number.
    private(set) var dayKeys: [DayKey] = []
    /// Per day: the number of its patient and provider in `daysOfPatientProvider`.
    private(set) var patientProviderOfDay: [Int32] = []
    /// Per patient and provider: the numbers of their days, in date order (for windows across dates: a line
    /// pair's `within-days`, `prior-codes-10`/`-90`). One entry per day, not per line, so the same-day path
    /// pays one dictionary step per new day.
    private(set) var daysOfPatientProvider: [[Int32]] = []

    init(claims: [Claim], history: [Claim]) {
        self.claims = claims
        self.history = history
        claimBoxes = claims.map { Shared($0) }
        historyBoxes = history.map { Shared($0) }
        var keys = Interning()
        let lineCount = claims.reduce(0) { $0 + $1.lines.count } + history.reduce(0) { $0 + $1.lines.count }
        keys.days.reserveCapacity(lineCount)
        var unitsByDay: [UnitsKey: Double] = [:]
        unitsByDay.reserveCapacity(lineCount)
        lineBoxes.reserveCapacity(lineCount)
        dayOfLine.reserveCapacity(lineCount)
        var unitsKeys: [UnitsKey?] = []
        unitsKeys.reserveCapacity(lineCount)
        var patientCodeKeys: [PatientCodeKey?] = []
        patientCodeKeys.reserveCapacity(lineCount)
        var patientCodeCounts: [PatientCodeKey: Int] = [:]
        for (index, claim) in claims.enumerated() {
            lineStart.append(dayOfLine.count)
            add(claim, address: index, patient: keys.patient(Self.patientKey(claim)), &keys, &unitsKeys, &unitsByDay, &patientCodeKeys, &patientCodeCounts)
        }
        batchLineCount = dayOfLine.count
        for (index, claim) in history.enumerated() {
            historyLineStart.append(dayOfLine.count)
            add(claim, address: -1 - index, patient: keys.patient(Self.patientKey(claim)), &keys, &unitsKeys, &unitsByDay, &patientCodeKeys, &patientCodeCounts)
        }
        for list in daysOfPatientProvider.indices where daysOfPatientProvider[list].count > 1 {
            daysOfPatientProvider[list].sort { (dayKeys[Int($0)].day, $0) < (dayKeys[Int($1)].day, $1) }
        }
        dayUnitsOfLine = unitsKeys.map { key in key.flatMap { unitsByDay[$0] } }
        patientDayRepeatsOfLine = patientCodeKeys.map { key in key.flatMap { patientCodeCounts[$0] }.map { $0 - 1 } }
    }

    /// The box of the claim a line address points into.
    func claimBox(_ address: LineAddress) -> Shared<Claim> {
        address.inHistory ? historyBoxes[-1 - address.claim] : claimBoxes[address.claim]
    }

    /// The position of a line in the per-line arrays.
    func linePosition(_ address: LineAddress) -> Int {
        (address.inHistory ? historyLineStart[-1 - address.claim] : lineStart[address.claim]) + address.line
    }

    /// Numbers for the patients, providers and days met while the index is built.
    private struct Interning {
        var patients: [String: Int32] = [:]
        var providers: [String: Int32] = [:]
        var days: [DayKey: Int32] = [:]
        var patientProviders: [PatientProvider: Int32] = [:]

        mutating func patient(_ key: String) -> Int32 { Self.number(key, in: &patients) }
        mutating func provider(_ key: String) -> Int32 { Self.number(key, in: &providers) }

        /// Static: an instance method here would read `self` while `numbers` (part of it) is modified, and Swift
        /// would copy the whole dictionary on every call.
        private static func number(_ key: String, in numbers: inout [String: Int32]) -> Int32 {
            if let known = numbers[key] { return known }
            let next = Int32(numbers.count)
            numbers[key] = next
            return next
        }
    }

    private mutating func add(_ claim: Claim, address: Int, patient: Int32, _ keys: inout Interning,
                              _ unitsKeys: inout [UnitsKey?], _ unitsByDay: inout [UnitsKey: Double],
                              _ patientCodeKeys: inout [PatientCodeKey?], _ patientCodeCounts: inout [PatientCodeKey: Int]) {
        for (lineIndex, line) in claim.lines.enumerated() {
            lineBoxes.append(Shared(line))
            guard let date = line.serviceDate?.from else {
                dayOfLine.append(-1)
                unitsKeys.append(nil)
                patientCodeKeys.append(nil)
                continue
            }
            if let code = line.procedureCode?.text {
                let key = PatientCodeKey(patient: patient, day: Int32(clamping: date.dayNumber), code: code)
                patientCodeKeys.append(key)
                patientCodeCounts[key, default: 0] += 1
            } else {
                patientCodeKeys.append(nil)
            }
            let key = DayKey(patient: patient, provider: keys.provider(Self.providerKey(claim, line)),
                             day: Int32(clamping: date.dayNumber))
            let day: Int32
            if let known = keys.days[key] {
                day = known
            } else {
                day = Int32(days.count)
                keys.days[key] = day
                days.append([])
                dayKeys.append(key)
                let pair = PatientProvider(patient: key.patient, provider: key.provider)
                let list: Int32
                if let known = keys.patientProviders[pair] {
                    list = known
                } else {
                    list = Int32(daysOfPatientProvider.count)
                    keys.patientProviders[pair] = list
                    daysOfPatientProvider.append([])
                }
                patientProviderOfDay.append(list)
                daysOfPatientProvider[Int(list)].append(day)
            }
            dayOfLine.append(day)
            days[Int(day)].append(LineAddress(claim: address, line: lineIndex))
            if let code = line.procedureCode?.text {
                let unitsKey = UnitsKey(day: day, code: code)
                unitsKeys.append(unitsKey)
                if let units = line.units?.value { unitsByDay[unitsKey, default: 0] += units }
            } else {
                unitsKeys.append(nil)
            }
        }
    }

    /// The patient: member id, name and birth date (two dependants under one member id stay apart).
    static func patientKey(_ claim: Claim) -> String {
        let name = claim.patient.name.map { "\($0.last)|\($0.first ?? "")" } ?? ""
        return "\(claim.subscriber.memberID ?? "")|\(name)|\(claim.patient.birthDate?.description ?? "")"
    }

    /// The provider of a line: its rendering NPI, else the claim's rendering, else the billing provider's.
    static func providerKey(_ claim: Claim, _ line: ServiceLine) -> String {
        line.renderingProvider?.npi?.text ?? claim.renderingProvider?.npi?.text ?? claim.billingProvider?.npi?.text ?? ""
    }

    /// The procedure codes of the other lines of the same patient, provider and day as the line at `position`.
    func dayCodes(_ position: Int) -> [String] {
        let day = dayOfLine[position]
        guard day >= 0 else { return [] }
        return days[Int(day)].compactMap { address in
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
        for other in daysOfPatientProvider[Int(patientProviderOfDay[Int(day)])] {
            let difference = own - Int(dayKeys[Int(other)].day)
            if difference < window.lowerBound { break }  // days are in date order: later days only from here
            guard difference <= window.upperBound else { continue }
            groups += 1
            for address in days[Int(other)] where linePosition(address) != position { found.append(address) }
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
    func linesOnDay(of claimIndex: Int, _ lineIndex: Int) -> [LineAddress] {
        let day = dayOfLine[lineStart[claimIndex] + lineIndex]
        return day < 0 ? [] : days[Int(day)]
    }
}
