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
/// date of service, and units per patient, provider, code and date.
struct BatchIndex {
    struct DayKey: Hashable { var patient: String; var provider: String; var date: CalendarDate }
    struct UnitsKey: Hashable { var day: DayKey; var code: String }

    let claims: [Claim]
    let history: [Claim]
    private(set) var linesByDay: [DayKey: [LineAddress]] = [:]
    private(set) var unitsByDay: [UnitsKey: Double] = [:]
    /// `patientKey` of each claim and each history claim, made once.
    private(set) var patientKeys: [String] = []
    private(set) var historyPatientKeys: [String] = []

    init(claims: [Claim], history: [Claim]) {
        self.claims = claims
        self.history = history
        patientKeys.reserveCapacity(claims.count)
        historyPatientKeys.reserveCapacity(history.count)
        for (index, claim) in claims.enumerated() {
            let patient = Self.patientKey(claim)
            patientKeys.append(patient)
            add(claim, address: index, patient: patient)
        }
        for (index, claim) in history.enumerated() {
            let patient = Self.patientKey(claim)
            historyPatientKeys.append(patient)
            add(claim, address: -1 - index, patient: patient)
        }
    }

    func claim(_ address: LineAddress) -> Claim { address.inHistory ? history[-1 - address.claim] : claims[address.claim] }

    /// The patient key of a claim of the batch.
    func patientKey(_ claimIndex: Int) -> String { patientKeys[claimIndex] }

    /// The patient key of the claim a line address points into.
    func patientKey(_ address: LineAddress) -> String {
        address.inHistory ? historyPatientKeys[-1 - address.claim] : patientKeys[address.claim]
    }

    private mutating func add(_ claim: Claim, address: Int, patient: String) {
        for (lineIndex, line) in claim.lines.enumerated() {
            guard let key = Self.dayKey(claim, line, patient: patient) else { continue }
            linesByDay[key, default: []].append(LineAddress(claim: address, line: lineIndex))
            if let code = line.procedureCode?.text, let units = line.units?.value {
                unitsByDay[UnitsKey(day: key, code: code), default: 0] += units
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

    static func dayKey(_ claim: Claim, _ line: ServiceLine, patient: String) -> DayKey? {
        guard let date = line.serviceDate?.from else { return nil }
        return DayKey(patient: patient, provider: providerKey(claim, line), date: date)
    }

    /// Lines of the same patient, provider and day as `line`, other than itself.
    func sameDay(as claimIndex: Int, _ lineIndex: Int) -> [LineAddress] {
        linesOnDay(of: claimIndex, lineIndex).filter { !($0.claim == claimIndex && $0.line == lineIndex) }
    }

    /// Lines of the same patient, provider and day as `line`, itself included (in batch order, then history).
    func linesOnDay(of claimIndex: Int, _ lineIndex: Int) -> [LineAddress] {
        let claim = claims[claimIndex]
        guard let key = Self.dayKey(claim, claim.lines[lineIndex], patient: patientKeys[claimIndex]) else { return [] }
        return linesByDay[key] ?? []
    }

    /// Units of the line's code on its day for its patient (`patient`: the claim's `patientKey`) and provider.
    func dayUnits(claim: Claim, line: ServiceLine, patient: String) -> Double? {
        guard let code = line.procedureCode?.text, let key = Self.dayKey(claim, line, patient: patient) else { return nil }
        return unitsByDay[UnitsKey(day: key, code: code)]
    }
}
