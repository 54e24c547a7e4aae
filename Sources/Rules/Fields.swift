/// The fields a rule can read, by scope. The names are the rule language's (docs/rules.md); what each
/// one means on a claim is defined once, in RuleGraph's `FieldReader`.

/// The type of a field's value, checked against the comparison a rule applies.
public enum FieldType: String, Sendable, Hashable {
    case text, number, date, flag, list
}

/// Fields of a service line (`line.…`, and `a.…`/`b.…` in a line pair).
public enum LineField: String, Sendable, Hashable, CaseIterable {
    case code, codeKind = "code-kind", modifiers, units, charge, placeOfService = "place-of-service"
    case date, dateTo = "date-to", number, revenueCode = "revenue-code", unitBasis = "unit-basis"
    case ndc, drugQuantity = "drug-quantity", drugUnit = "drug-unit"
    case diagnoses, pointers
    /// The diagnosis pointers (SV107) that name no diagnosis of the claim (0, or past its last pointable code).
    case unresolvedPointers = "unresolved-pointers"
    case renderingNPI = "rendering-npi", renderingNPIValid = "rendering-npi-valid"
    case referringNPI = "referring-npi", referringNPIValid = "referring-npi-valid"
    /// The ordering provider of the line (837P loop 2420E, NM1*DK).
    case orderingNPI = "ordering-npi", orderingNPIValid = "ordering-npi-valid"
    case description, notes, attachments, priorAuthorization = "prior-authorization"
    /// Units of the same code for the same patient, provider and date of service, summed over the lines of
    /// the batch and the claim history (for date-of-service MUEs).
    case dayUnits = "day-units"
    /// The procedure codes of the other lines of the same patient, provider and date of service, in the batch
    /// and the claim history (for add-on codes and their primaries).
    case dayCodes = "day-codes"
    /// The number of other lines of the same patient and date of service with the same code, whatever their
    /// provider, in the batch and the history (for modifier 77, a repeat by another physician).
    case patientDayRepeats = "patient-day-repeats"
    /// The procedure codes of the other lines of the same patient and provider dated on the line's date or up
    /// to 10 (90) days before it, in the batch and the history: the postoperative periods of minor (010) and
    /// major (090) surgery, for modifiers 58, 78 and 79.
    case priorCodes10 = "prior-codes-10", priorCodes90 = "prior-codes-90"
    /// True for a line of the claim history (only `a` of a line pair can be one).
    case inHistory = "in-history"
    /// The id (CLM01) of the claim the line is on.
    case claimID = "claim-id"
    /// The frequency code (CLM05-3: 1 original, 7 replacement, 8 void) of the claim the line is on.
    case claimFrequency = "claim-frequency"

    public var type: FieldType {
        switch self {
        case .units, .charge, .number, .drugQuantity, .dayUnits, .patientDayRepeats: return .number
        case .date, .dateTo: return .date
        case .modifiers, .diagnoses, .pointers, .unresolvedPointers, .notes, .attachments, .dayCodes, .priorCodes10, .priorCodes90: return .list
        case .renderingNPIValid, .referringNPIValid, .orderingNPIValid, .inHistory: return .flag
        default: return .text
        }
    }
}

/// Fields of the claim (`claim.…`).
public enum ClaimField: String, Sendable, Hashable, CaseIterable {
    case id, type, charge, lineChargeTotal = "line-charge-total", frequency, placeOfService = "place-of-service"
    case facilityType = "facility-type", billType = "bill-type"
    case payerID = "payer-id", payerName = "payer-name", filingIndicator = "filing-indicator"
    case priorAuthorization = "prior-authorization", referral, originalClaim = "original-claim"
    case memberID = "member-id"
    case patientSex = "patient.sex", patientAge = "patient.age", patientBirthDate = "patient.birth-date"
    case patientRelationship = "patient.relationship"
    case billingNPI = "billing-npi", billingNPIValid = "billing-npi-valid", billingTaxID = "billing-tax-id"
    case billingTaxonomy = "billing-taxonomy"
    case renderingNPI = "rendering-npi", renderingNPIValid = "rendering-npi-valid"
    case referringNPI = "referring-npi", referringNPIValid = "referring-npi-valid"
    case diagnoses, principalDiagnosis = "principal-diagnosis", diagnosisCount = "diagnosis-count"
    case codes, lineCount = "line-count", notes, attachments
    /// The first and last dates of service on the claim.
    case date, lastDate = "last-date"
    /// The day the claims are filed (DECISIONS §2: BHT04, else `--today`).
    case today
    case daysSinceService = "days-since-service"
    /// True when the history (`--history`) holds the claim this one corrects or voids: a claim of the same
    /// patient and billing provider, not itself a void, with the same CLM01 or the same payer claim number
    /// (REF*F8) as this claim's REF*F8 (docs/rules.md, "Corrected and void claims").
    case originalInHistory = "original-in-history"
    /// True when that original (the latest matching history claim) is identical to this claim but for the
    /// frequency code, REF*F8, CLM01 and where and when each was sent; false when something differs; missing
    /// when no original is in the history.
    case originalUnchanged = "original-unchanged"

    public var type: FieldType {
        switch self {
        case .charge, .lineChargeTotal, .patientAge, .diagnosisCount, .lineCount, .daysSinceService: return .number
        case .patientBirthDate, .date, .lastDate, .today: return .date
        case .diagnoses, .codes, .notes, .attachments: return .list
        case .billingNPIValid, .renderingNPIValid, .referringNPIValid, .originalInHistory, .originalUnchanged: return .flag
        default: return .text
        }
    }
}

/// Fields of a diagnosis (`diagnosis.…`, and `a.…`/`b.…` in a diagnosis pair).
public enum DiagnosisField: String, Sendable, Hashable, CaseIterable {
    case code, role, system, position, poa
    /// The first three characters (the ICD-10-CM category).
    case category
    /// The code and each shorter prefix down to its category (E1165: E11, E116, E1165), as a list: a lookup
    /// keyed by it finds table rows that name the code at any level (Excludes1 notes).
    case prefixes

    public var type: FieldType {
        switch self {
        case .position: return .number
        case .prefixes: return .list
        default: return .text
        }
    }
}

/// What a rule is evaluated for.
public enum Scope: String, Sendable, Hashable, CaseIterable {
    /// Once per claim.
    case claim
    /// Once per service line.
    case line
    /// Once per ordered pair of lines `(a, b)` of the same patient, provider and date of service (or, with the
    /// rule's `within-days`, dates that far apart), across the claims of the batch and the history; an edit sits
    /// on `b`.
    case linePair = "line-pair"
    /// Once per diagnosis of the claim.
    case diagnosis
    /// Once per diagnosis a line points at (through its diagnosis pointers).
    case lineDiagnosis = "line-diagnosis"
    /// Once per ordered pair of different diagnoses `(a, b)` on one claim; an edit sits on the claim.
    case diagnosisPair = "diagnosis-pair"

    /// The roots a field path may start with in this scope (lookup aliases come on top).
    var roots: [String] {
        switch self {
        case .claim: return ["claim"]
        case .line: return ["claim", "line"]
        case .linePair: return ["claim", "a", "b"]
        case .diagnosis: return ["claim", "diagnosis"]
        case .lineDiagnosis: return ["claim", "line", "diagnosis"]
        case .diagnosisPair: return ["claim", "a", "b"]
        }
    }
}

/// Which line or diagnosis of the binding a field reads.
public enum Role: String, Sendable, Hashable { case the, a, b }

/// A resolved field reference.
public enum FieldRef: Hashable, Sendable, CustomStringConvertible {
    case claim(ClaimField)
    case line(Role, LineField)
    case diagnosis(Role, DiagnosisField)
    /// A column of the row a `lookup` bound under `alias`.
    case column(alias: String, column: String)

    public var type: FieldType {
        switch self {
        case .claim(let field): return field.type
        case .line(_, let field): return field.type
        case .diagnosis(_, let field): return field.type
        case .column: return .text
        }
    }

    /// The path as the rule writes it (`line.units`, `b.code`, `ptp.modifier-indicator`).
    public var description: String {
        switch self {
        case .claim(let field): return "claim.\(field.rawValue)"
        case .line(let role, let field): return "\(role == .the ? "line" : role.rawValue).\(field.rawValue)"
        case .diagnosis(let role, let field): return "\(role == .the ? "diagnosis" : role.rawValue).\(field.rawValue)"
        case .column(let alias, let column): return "\(alias).\(column)"
        }
    }
}

/// Resolves `root.field` paths against a scope and the lookup aliases in force.
struct FieldResolver {
    let scope: Scope
    /// Lookup alias → the columns of its table.
    var aliases: [String: [String]] = [:]

    enum Failure: Error {
        case unknownRoot(String, allowed: [String])
        case unknownField(String, root: String, suggestions: [String])
        case unknownColumn(String, alias: String, columns: [String])
    }

    func resolve(_ path: String) -> Result<FieldRef, Failure> {
        guard let dot = path.firstIndex(of: ".") else {
            return .failure(.unknownRoot(path, allowed: scope.roots + aliases.keys.sorted()))
        }
        let root = String(path[..<dot])
        let name = String(path[path.index(after: dot)...])
        if let columns = aliases[root] {
            guard columns.contains(name) else { return .failure(.unknownColumn(name, alias: root, columns: columns)) }
            return .success(.column(alias: root, column: name))
        }
        guard scope.roots.contains(root) else {
            return .failure(.unknownRoot(root, allowed: scope.roots + aliases.keys.sorted()))
        }
        switch (root, scope) {
        case ("claim", _):
            guard let field = ClaimField(rawValue: name) else {
                return .failure(.unknownField(name, root: root, suggestions: ClaimField.allCases.map(\.rawValue)))
            }
            return .success(.claim(field))
        case ("line", _):
            guard let field = LineField(rawValue: name) else {
                return .failure(.unknownField(name, root: root, suggestions: LineField.allCases.map(\.rawValue)))
            }
            return .success(.line(.the, field))
        case ("diagnosis", _):
            guard let field = DiagnosisField(rawValue: name) else {
                return .failure(.unknownField(name, root: root, suggestions: DiagnosisField.allCases.map(\.rawValue)))
            }
            return .success(.diagnosis(.the, field))
        case (_, .linePair):
            let role: Role = root == "a" ? .a : .b
            guard let field = LineField(rawValue: name) else {
                return .failure(.unknownField(name, root: root, suggestions: LineField.allCases.map(\.rawValue)))
            }
            return .success(.line(role, field))
        default:
            let role: Role = root == "a" ? .a : .b
            guard let field = DiagnosisField(rawValue: name) else {
                return .failure(.unknownField(name, root: root, suggestions: DiagnosisField.allCases.map(\.rawValue)))
            }
            return .success(.diagnosis(role, field))
        }
    }
}

/// The closest candidate to a misspelt name, for "did you mean" notes.
func closest(_ name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let target = Array(name)
    let scored = candidates.map { ($0, distance(target, Array($0))) }.min { $0.1 < $1.1 }
    guard let best = scored, best.1 <= max(2, name.count / 3) else { return nil }
    return best.0
}
