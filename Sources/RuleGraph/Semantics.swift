import ClaimModel
import Rules
import Tables

/// What the rule language's fields and comparisons mean on a claim. The reference evaluator and the
/// compiled graph both read values through here, so they differ only in what they evaluate and when.

/// A field's value on one binding.
enum Value {
    case text(String)
    case number(Double)
    case date(CalendarDate)
    case flag(Bool)
    case list([String])
    case missing

    var text: String? {
        switch self {
        case .text(let value): return value
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .date(let date): return date.description
        case .flag(let flag): return flag ? "true" : "false"
        case .list(let items): return items.joined(separator: ", ")
        case .missing: return nil
        }
    }

    var number: Double? {
        switch self {
        case .number(let value): return value
        case .text(let text): return Double(text)
        default: return nil
        }
    }
}

/// A value on the heap, shared by reference: bindings point at their claim and lines instead of holding copies,
/// so starting a binding copies a few pointers, not a whole claim.
final class Shared<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The lines and diagnoses one evaluation of a rule looks at.
struct Binding {
    var claimRef: Shared<Claim>
    var claimIndex: Int
    var lineRef: Shared<ServiceLine>?
    /// Line pairs: `a` may sit in another claim of the batch or in the history.
    var aRef: (claim: Shared<Claim>, line: Shared<ServiceLine>, address: LineAddress)?
    var bRef: Shared<ServiceLine>?
    var diagnosis: (Diagnosis, position: Int)?
    var diagnosisA: (Diagnosis, position: Int)?
    var diagnosisB: (Diagnosis, position: Int)?
    /// The date rules and tables are chosen by (the line's date of service, or `asOf`).
    var date: CalendarDate?
    var today: CalendarDate?

    init(claim: Claim, claimIndex: Int, today: CalendarDate? = nil) {
        self.init(claim: Shared(claim), claimIndex: claimIndex, today: today)
    }

    init(claim: Shared<Claim>, claimIndex: Int, today: CalendarDate?) {
        claimRef = claim
        self.claimIndex = claimIndex
        self.today = today
    }

    var claim: Claim {
        get { claimRef.value }
        set { claimRef = Shared(newValue) }
    }
    var line: ServiceLine? {
        get { lineRef?.value }
        set { lineRef = newValue.map { Shared($0) } }
    }
    var a: (claim: Claim, line: ServiceLine, address: LineAddress)? {
        get { aRef.map { ($0.claim.value, $0.line.value, $0.address) } }
        set { aRef = newValue.map { (Shared($0.claim), Shared($0.line), $0.address) } }
    }
    var b: ServiceLine? {
        get { bRef?.value }
        set { bRef = newValue.map { Shared($0) } }
    }
}

enum FieldReader {
    static func read(_ field: FieldRef, _ binding: Binding, index: BatchIndex, column: (String, String) -> String?) -> Value {
        switch field {
        case .claim(let name): return claim(name, binding.claimRef.value, binding)
        case .line(let role, let name):
            switch role {
            case .the:
                guard let line = binding.lineRef else { return .missing }
                return self.line(name, line.value, claim: binding.claimRef.value, patient: { index.patientKey(binding.claimIndex) }, index: index)
            case .a:
                guard let a = binding.aRef else { return .missing }
                return line(name, a.line.value, claim: a.claim.value, patient: { index.patientKey(a.address) }, index: index)
            case .b:
                guard let line = binding.bRef else { return .missing }
                return self.line(name, line.value, claim: binding.claimRef.value, patient: { index.patientKey(binding.claimIndex) }, index: index)
            }
        case .diagnosis(let role, let name):
            switch role {
            case .the: return binding.diagnosis.map { diagnosis(name, $0.0, position: $0.position) } ?? .missing
            case .a: return binding.diagnosisA.map { diagnosis(name, $0.0, position: $0.position) } ?? .missing
            case .b: return binding.diagnosisB.map { diagnosis(name, $0.0, position: $0.position) } ?? .missing
            }
        case .column(let alias, let name):
            return column(alias, name).map { .text($0) } ?? .missing
        }
    }

    static func optionalText(_ value: String?) -> Value { value.map { .text($0) } ?? .missing }

    /// `patient` gives the batch index's key of the line's patient (for `day-units`).
    static func line(_ field: LineField, _ line: ServiceLine, claim: Claim, patient: () -> String, index: BatchIndex) -> Value {
        switch field {
        case .code: return optionalText(line.procedureCode?.text)
        case .codeKind: return optionalText(line.procedureCode?.kind.rawValue)
        case .modifiers: return .list(line.modifiers.map(\.text))
        case .units: return line.units?.value.map { .number($0) } ?? .missing
        case .charge: return line.charge.cents.map { .number(Double($0) / 100) } ?? .missing
        case .placeOfService: return optionalText(line.placeOfService ?? claim.placeOfService)
        case .date: return line.serviceDate?.from.map { .date($0) } ?? .missing
        case .dateTo: return line.serviceDate?.to.map { .date($0) } ?? .missing
        case .number: return .number(Double(line.number))
        case .revenueCode: return optionalText(line.revenueCode)
        case .unitBasis: return optionalText(line.unitBasis)
        case .ndc: return optionalText(line.drug?.ndc.text)
        case .drugQuantity: return line.drug?.quantity?.value.map { .number($0) } ?? .missing
        case .drugUnit: return optionalText(line.drug?.unit)
        case .diagnoses: return .list(line.diagnosisPointers.compactMap { claim.diagnosis(forPointer: $0)?.code })
        case .pointers: return .list(line.diagnosisPointers.map(String.init))
        case .unresolvedPointers:
            return .list(line.diagnosisPointers.filter { claim.diagnosis(forPointer: $0) == nil }.map(String.init))
        case .renderingNPI: return optionalText(renderingNPI(line, claim)?.text)
        case .renderingNPIValid: return renderingNPI(line, claim).map { .flag($0.isValid) } ?? .missing
        case .referringNPI: return optionalText((line.referringProvider ?? claim.referringProvider)?.npi?.text)
        case .referringNPIValid:
            return (line.referringProvider ?? claim.referringProvider)?.npi.map { .flag($0.isValid) } ?? .missing
        case .description: return optionalText(line.procedureDescription)
        case .notes: return .list(line.notes.map(\.text))
        case .attachments: return .list(line.attachments.map(\.reportType))
        case .priorAuthorization: return optionalText(line.priorAuthorization ?? claim.priorAuthorization)
        case .dayUnits:
            return index.dayUnits(claim: claim, line: line, patient: patient()).map { .number($0) } ?? line.units?.value.map { .number($0) } ?? .missing
        }
    }

    static func renderingNPI(_ line: ServiceLine, _ claim: Claim) -> NPI? {
        line.renderingProvider?.npi ?? claim.renderingProvider?.npi ?? claim.billingProvider?.npi
    }

    static func claimDates(_ claim: Claim) -> (first: CalendarDate?, last: CalendarDate?) {
        var first: CalendarDate?, last: CalendarDate?
        for line in claim.lines {
            if let from = line.serviceDate?.from { first = first.map { min($0, from) } ?? from }
            if let to = line.serviceDate?.to ?? line.serviceDate?.from { last = last.map { max($0, to) } ?? to }
        }
        if first == nil, let statement = claim.dates.first(where: { $0.qualifier == "434" })?.date {
            first = statement.from
            last = statement.to
        }
        return (first, last)
    }

    static func claim(_ field: ClaimField, _ claim: Claim, _ binding: Binding) -> Value {
        switch field {
        case .id: return .text(claim.id)
        case .type: return .text(claim.type.rawValue)
        case .charge: return claim.totalCharge.cents.map { .number(Double($0) / 100) } ?? .missing
        case .lineChargeTotal: return claim.lineChargeTotal?.cents.map { .number(Double($0) / 100) } ?? .missing
        case .frequency: return optionalText(claim.frequencyCode)
        case .placeOfService: return optionalText(claim.placeOfService)
        case .facilityType: return optionalText(claim.facilityTypeCode)
        case .billType:
            guard let facility = claim.facilityTypeCode else { return .missing }
            return .text(facility + (claim.frequencyCode ?? ""))
        case .payerID: return optionalText(claim.payer?.id)
        case .payerName: return optionalText(claim.payer?.name)
        case .filingIndicator: return optionalText(claim.subscriber.claimFilingIndicator)
        case .priorAuthorization: return optionalText(claim.priorAuthorization)
        case .referral: return optionalText(claim.referralNumber)
        case .originalClaim: return optionalText(claim.originalClaimNumber)
        case .memberID: return optionalText(claim.subscriber.memberID)
        case .patientSex: return optionalText(claim.patient.sex)
        case .patientAge:
            guard let birth = claim.patient.birthDate?.from, let on = binding.date ?? claimDates(claim).first else { return .missing }
            var years = on.year - birth.year
            if (on.month, on.day) < (birth.month, birth.day) { years -= 1 }
            return .number(Double(years))
        case .patientBirthDate: return claim.patient.birthDate?.from.map { .date($0) } ?? .missing
        case .patientRelationship: return optionalText(claim.patient.relationshipToSubscriber)
        case .billingNPI: return optionalText(claim.billingProvider?.npi?.text)
        case .billingNPIValid: return claim.billingProvider?.npi.map { .flag($0.isValid) } ?? .missing
        case .billingTaxID: return optionalText(claim.billingProvider?.taxID?.id)
        case .billingTaxonomy: return optionalText(claim.billingProvider?.taxonomy)
        case .renderingNPI: return optionalText(claim.renderingProvider?.npi?.text)
        case .renderingNPIValid: return claim.renderingProvider?.npi.map { .flag($0.isValid) } ?? .missing
        case .referringNPI: return optionalText(claim.referringProvider?.npi?.text)
        case .referringNPIValid: return claim.referringProvider?.npi.map { .flag($0.isValid) } ?? .missing
        case .diagnoses: return .list(claim.diagnoses.map(\.code))
        case .principalDiagnosis: return optionalText(claim.diagnoses.first(where: { $0.role == .principal })?.code)
        case .diagnosisCount: return .number(Double(claim.diagnoses.count))
        case .codes: return .list(claim.lines.compactMap { $0.procedureCode?.text })
        case .lineCount: return .number(Double(claim.lines.count))
        case .notes: return .list(claim.notes.map(\.text))
        case .attachments: return .list(claim.attachments.map(\.reportType))
        case .date: return claimDates(claim).first.map { .date($0) } ?? .missing
        case .lastDate: return claimDates(claim).last.map { .date($0) } ?? .missing
        case .today: return (binding.today ?? claim.createdOn).map { .date($0) } ?? .missing
        case .daysSinceService:
            guard let today = binding.today ?? claim.createdOn, let first = claimDates(claim).first else { return .missing }
            return .number(Double(today.dayNumber - first.dayNumber))
        }
    }

    static func diagnosis(_ field: DiagnosisField, _ diagnosis: Diagnosis, position: Int) -> Value {
        switch field {
        case .code: return .text(diagnosis.code)
        case .role: return .text(diagnosis.role.rawValue)
        case .system: return .text(diagnosis.system.rawValue)
        case .position: return .number(Double(position))
        case .poa: return optionalText(diagnosis.presentOnAdmission)
        case .category: return .text(String(diagnosis.code.prefix(3)))
        }
    }
}

/// The release of a table in force on a date, with whether it is applied past its window.
enum TableChoice {
    case release(TableRelease, stale: Bool)
    /// No release covers the date (before the oldest one).
    case notCovered(String)
}

enum TableResolver {
    static func choose(_ releases: [TableRelease], on date: CalendarDate) -> TableChoice {
        var chosen: TableRelease?
        for release in releases {
            if let start = release.window.effective, start > date { break }
            chosen = release
        }
        guard let chosen else {
            let first = releases.first?.window.effective?.description ?? "?"
            return .notCovered("no release before \(first) is loaded")
        }
        let stale = chosen.window.expires.map { date > $0 } ?? false
        return .release(chosen, stale: stale)
    }
}

/// Comparisons on values.
enum Compare {
    static func holds(_ value: Value, _ comparison: Comparison, evaluate: (Expression) -> Value,
                      inSet: (SetRef, String) -> Bool, other: (FieldRef) -> Value) -> Bool {
        switch comparison {
        case .present(let wanted):
            if case .missing = value { return !wanted }
            if case .list(let items) = value { return items.isEmpty != wanted }
            if case .text(let text) = value { return text.isEmpty != wanted }
            return wanted
        case .equals(let literal):
            return equals(value, literal)
        case .notEquals(let literal):
            if case .missing = value { return false }
            return !equals(value, literal)
        case .inSet(let set):
            guard let text = value.text, !isMissing(value) else { return false }
            return inSet(set, text)
        case .notInSet(let set):
            guard let text = value.text, !isMissing(value) else { return false }
            return !inSet(set, text)
        case .greater(let e): return numeric(value, evaluate(e), >)
        case .greaterOrEqual(let e): return numeric(value, evaluate(e), >=)
        case .less(let e): return numeric(value, evaluate(e), <)
        case .lessOrEqual(let e): return numeric(value, evaluate(e), <=)
        case .numericEquals(let e): return numeric(value, evaluate(e), ==)
        case .before(let e): return dates(value, evaluate(e), <)
        case .after(let e): return dates(value, evaluate(e), >)
        case .onOrBefore(let e): return dates(value, evaluate(e), <=)
        case .onOrAfter(let e): return dates(value, evaluate(e), >=)
        case .includes(let literal):
            guard case .list(let items) = value else { return false }
            return items.contains(literal)
        case .includesAny(let set):
            guard case .list(let items) = value else { return false }
            return items.contains { inSet(set, $0) }
        case .includesNone(let set):
            guard case .list(let items) = value else { return false }
            return !items.contains { inSet(set, $0) }
        case .startsWith(let prefixes):
            guard let text = value.text, !isMissing(value) else { return false }
            return prefixes.contains { text.hasPrefix($0) }
        case .sameAs(let field):
            guard let lhs = value.text, let rhs = other(field).text else { return false }
            return lhs == rhs
        case .differsFrom(let field):
            guard let lhs = value.text, let rhs = other(field).text else { return false }
            return lhs != rhs
        case .count(let inner):
            guard case .list(let items) = value else { return false }
            return holds(.number(Double(items.count)), inner, evaluate: evaluate, inSet: inSet, other: other)
        case .isTrue(let wanted):
            guard case .flag(let flag) = value else { return false }
            return flag == wanted
        }
    }

    static func isMissing(_ value: Value) -> Bool {
        if case .missing = value { return true }
        return false
    }

    static func equals(_ value: Value, _ literal: String) -> Bool {
        switch value {
        case .missing: return false
        case .number(let number): return Double(literal) == number
        case .flag(let flag): return literal.lowercased() == (flag ? "true" : "false")
        case .date(let date): return CalendarDate(literal) == date
        case .text(let text): return text == literal
        case .list: return false
        }
    }

    static func numeric(_ lhs: Value, _ rhs: Value, _ op: (Double, Double) -> Bool) -> Bool {
        guard let l = lhs.number, let r = rhs.number else { return false }
        return op(l, r)
    }

    static func dates(_ lhs: Value, _ rhs: Value, _ op: (Int, Int) -> Bool) -> Bool {
        guard case .date(let l) = lhs, case .date(let r) = rhs else { return false }
        return op(l.dayNumber, r.dayNumber)
    }

    /// Evaluates arithmetic; a missing operand makes the whole expression missing.
    static func evaluate(_ expression: Expression, read: (FieldRef) -> Value) -> Value {
        switch expression {
        case .number(let value): return .number(value)
        case .date(let date): return .date(date)
        case .field(let field): return read(field)
        case .binary(let op, let lhs, let rhs):
            let left = evaluate(lhs, read: read), right = evaluate(rhs, read: read)
            if case .date(let date) = left, let days = right.number {
                guard days == days.rounded(), abs(days) < 3_000_000 else { return .missing }
                return .date(date.adding(days: op == .subtract ? -Int(days) : Int(days)))
            }
            guard let l = left.number, let r = right.number else { return .missing }
            switch op {
            case .add: return .number(l + r)
            case .subtract: return .number(l - r)
            case .multiply: return .number(l * r)
            case .divide: return r == 0 ? .missing : .number(l / r)
            }
        }
    }
}

/// Renders a message or fix template; a missing value shows as `(none)`.
enum TemplateRenderer {
    static func render(_ template: Template, read: (FieldRef) -> Value) -> String {
        template.parts.map { part in
            switch part {
            case .text(let text): return text
            case .field(let field): return read(field).text ?? "(none)"
            }
        }.joined()
    }
}
