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

    var isList: Bool {
        if case .list = self { return true }
        return false
    }

    var number: Double? {
        switch self {
        case .number(let value): return value
        case .text(let text): return Value.wholeNumber(text) ?? Double(text)
        default: return nil
        }
    }

    /// A text of 1 to 15 ASCII digits as its value (what `Double(text)` gives, without strtod: table columns such
    /// as MUE units are read as text on every comparison); nil for any other text.
    @inline(__always)
    static func wholeNumber(_ text: String) -> Double? {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return Double(value)
    }
}

/// A claim or line as the batch index holds it. `Claim` and `ServiceLine` keep their fields behind one
/// copy-on-write reference, so this is a value (one reference to retain when copied), not a box of its own: a box
/// per claim and line cost an allocation each, made one by one before the workers start, when the models were
/// kilobytes inline.
struct Shared<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The lines and diagnoses one evaluation of a rule looks at, as positions in the batch index.
struct Binding {
    var claimIndex: Int
    /// The line of a line scope, and the lines of a pair (`a` may sit in another claim of the batch or in the
    /// history).
    var line: LineAddress?
    var a: LineAddress?
    var b: LineAddress?
    var diagnosis: (Diagnosis, position: Int)?
    var diagnosisA: (Diagnosis, position: Int)?
    var diagnosisB: (Diagnosis, position: Int)?
    /// The date rules and tables are chosen by (the line's date of service, or `asOf`).
    var date: CalendarDate?
    var today: CalendarDate?

    init(claimIndex: Int, today: CalendarDate? = nil) {
        self.claimIndex = claimIndex
        self.today = today
    }
}

/// Reads fields from the claims and lines the batch index holds on the heap. Claims and lines are passed as
/// their `Shared` boxes and only the field asked for is loaded: passing a `Claim` (2 KB, some 50 references)
/// by value made every read copy and release it whole.
enum FieldReader {
    static func read(_ field: FieldRef, _ binding: Binding, index: BatchIndex, column: (String, String) -> String?) -> Value {
        switch field {
        case .claim(let name):
            return claim(name, claimIndex: binding.claimIndex, index: index, date: binding.date, today: binding.today)
        case .line(let role, let name):
            let address: LineAddress?
            switch role {
            case .the: address = binding.line
            case .a: address = binding.a
            case .b: address = binding.b
            }
            guard let address else { return .missing }
            let position = index.linePosition(address)
            return line(name, index.lineBoxes[position], claim: index.claimBox(address), position: position, index: index)
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

    /// `position`: the line's position in the batch index (for `day-units`).
    @inline(__always)
    static func line(_ field: LineField, _ lineRef: Shared<ServiceLine>, claim claimRef: Shared<Claim>, position: Int,
                     index: BatchIndex) -> Value {
        // Fields are read through the boxes (`lineRef.value.units`): binding `let line = lineRef.value` would copy.
        switch field {
        case .code: return optionalText(lineRef.value.procedureCode?.text)
        case .codeKind: return optionalText(lineRef.value.procedureCode?.kind.rawValue)
        case .modifiers: return .list(lineRef.value.modifiers.map(\.text))
        case .units: return lineRef.value.units?.value.map { .number($0) } ?? .missing
        case .charge: return lineRef.value.charge.cents.map { .number(Double($0) / 100) } ?? .missing
        case .placeOfService: return optionalText(lineRef.value.placeOfService ?? claimRef.value.placeOfService)
        case .date: return lineRef.value.serviceDate?.from.map { .date($0) } ?? .missing
        case .dateTo: return lineRef.value.serviceDate?.to.map { .date($0) } ?? .missing
        case .number: return .number(Double(lineRef.value.number))
        case .revenueCode: return optionalText(lineRef.value.revenueCode)
        case .unitBasis: return optionalText(lineRef.value.unitBasis)
        case .ndc: return optionalText(lineRef.value.drug?.ndc.text)
        case .drugQuantity: return lineRef.value.drug?.quantity?.value.map { .number($0) } ?? .missing
        case .drugUnit: return optionalText(lineRef.value.drug?.unit)
        case .diagnoses: return .list(lineRef.value.diagnosisPointers.compactMap { pointed(claimRef.value.diagnoses, $0)?.code })
        case .pointers: return .list(lineRef.value.diagnosisPointers.map(String.init))
        case .unresolvedPointers:
            return .list(lineRef.value.diagnosisPointers.filter { pointed(claimRef.value.diagnoses, $0) == nil }.map(String.init))
        case .renderingNPI: return optionalText(renderingNPI(lineRef, claimRef)?.text)
        case .renderingNPIValid: return renderingNPI(lineRef, claimRef).map { .flag($0.isValid) } ?? .missing
        case .referringNPI: return optionalText((lineRef.value.referringProvider ?? claimRef.value.referringProvider)?.npi?.text)
        case .referringNPIValid:
            return (lineRef.value.referringProvider ?? claimRef.value.referringProvider)?.npi.map { .flag($0.isValid) } ?? .missing
        case .orderingNPI: return optionalText(lineRef.value.otherProviders.first { $0.role == .ordering }?.npi?.text)
        case .orderingNPIValid:
            return lineRef.value.otherProviders.first { $0.role == .ordering }?.npi.map { .flag($0.isValid) } ?? .missing
        case .description: return optionalText(lineRef.value.procedureDescription)
        case .notes: return .list(lineRef.value.notes.map(\.text))
        case .attachments: return .list(lineRef.value.attachments.map(\.reportType))
        case .priorAuthorization: return optionalText(lineRef.value.priorAuthorization ?? claimRef.value.priorAuthorization)
        case .dayUnits:
            if let total = index.dayUnits(ofLine: position) { return .number(total) }
            return lineRef.value.units?.value.map { .number($0) } ?? .missing
        case .dayCodes: return .list(index.dayCodes(position))
        case .priorCodes10: return .list(index.priorCodes(position, days: 10))
        case .priorCodes90: return .list(index.priorCodes(position, days: 90))
        case .patientDayRepeats: return index.patientDayRepeats(ofLine: position).map { .number(Double($0)) } ?? .missing
        case .inHistory: return .flag(position >= index.batchLineCount)
        case .claimID: return .text(claimRef.value.id)
        case .claimFrequency: return optionalText(claimRef.value.frequencyCode)
        }
    }

    /// `claim.diagnosis(forPointer:)` without building the list of pointable diagnoses.
    static func pointed(_ diagnoses: [Diagnosis], _ pointer: Int) -> Diagnosis? {
        pointedIndex(diagnoses, pointer).map { diagnoses[$0] }
    }

    /// The index in `diagnoses` of the one a line's pointer names; nil when it names none.
    static func pointedIndex(_ diagnoses: [Diagnosis], _ pointer: Int) -> Int? {
        guard pointer >= 1 else { return nil }
        var position = 0
        for (index, diagnosis) in diagnoses.enumerated() where diagnosis.role == .principal || diagnosis.role == .other {
            position += 1
            if position == pointer { return index }
        }
        return nil
    }

    static func renderingNPI(_ line: Shared<ServiceLine>, _ claim: Shared<Claim>) -> NPI? {
        line.value.renderingProvider?.npi ?? claim.value.renderingProvider?.npi ?? claim.value.billingProvider?.npi
    }

    static func claimDates(_ claim: Claim) -> (first: CalendarDate?, last: CalendarDate?) {
        claimDates(claim.lines, claim.dates)
    }

    /// The first and last dates of service of a claim's lines, else its statement period (DTP*434).
    static func claimDates(_ lines: [ServiceLine], _ dates: [QualifiedDate]) -> (first: CalendarDate?, last: CalendarDate?) {
        var first: CalendarDate?, last: CalendarDate?
        for line in lines {
            if let from = line.serviceDate?.from { first = first.map { min($0, from) } ?? from }
            if let to = line.serviceDate?.to ?? line.serviceDate?.from { last = last.map { max($0, to) } ?? to }
        }
        if first == nil, let statement = dates.first(where: { $0.qualifier == "434" })?.date {
            first = statement.from
            last = statement.to
        }
        return (first, last)
    }

    /// `date`: the binding's date (a patient's age is taken on it); `today`: the filing date, if set; `dates`: the
    /// claim's `claimDates` when the caller has them (else they are found from its lines).
    @inline(__always)
    static func claim(_ field: ClaimField, _ claimRef: Shared<Claim>, date: CalendarDate?, today: CalendarDate?,
                      dates known: (first: CalendarDate?, last: CalendarDate?)? = nil) -> Value {
        // The claim's lines are read only when the dates are not known.
        func claimDates(_ lines: @autoclosure () -> [ServiceLine], _ dates: @autoclosure () -> [QualifiedDate])
            -> (first: CalendarDate?, last: CalendarDate?) {
            known ?? FieldReader.claimDates(lines(), dates())
        }
        switch field {
        case .id: return .text(claimRef.value.id)
        case .type: return .text(claimRef.value.type.rawValue)
        case .charge: return claimRef.value.totalCharge.cents.map { .number(Double($0) / 100) } ?? .missing
        case .lineChargeTotal: return claimRef.value.lineChargeTotal?.cents.map { .number(Double($0) / 100) } ?? .missing
        case .frequency: return optionalText(claimRef.value.frequencyCode)
        case .placeOfService: return optionalText(claimRef.value.placeOfService)
        case .facilityType: return optionalText(claimRef.value.facilityTypeCode)
        case .billType:
            guard let facility = claimRef.value.facilityTypeCode else { return .missing }
            return .text(facility + (claimRef.value.frequencyCode ?? ""))
        case .payerID: return optionalText(claimRef.value.payer?.id)
        case .payerName: return optionalText(claimRef.value.payer?.name)
        case .filingIndicator: return optionalText(claimRef.value.subscriber.claimFilingIndicator)
        case .priorAuthorization: return optionalText(claimRef.value.priorAuthorization)
        case .referral: return optionalText(claimRef.value.referralNumber)
        case .originalClaim: return optionalText(claimRef.value.originalClaimNumber)
        case .memberID: return optionalText(claimRef.value.subscriber.memberID)
        case .patientSex: return optionalText(claimRef.value.patient.sex)
        case .patientAge:
            guard let birth = claimRef.value.patient.birthDate?.from, let on = date ?? claimDates(claimRef.value.lines, claimRef.value.dates).first else { return .missing }
            var years = on.year - birth.year
            if (on.month, on.day) < (birth.month, birth.day) { years -= 1 }
            return .number(Double(years))
        case .patientBirthDate: return claimRef.value.patient.birthDate?.from.map { .date($0) } ?? .missing
        case .patientRelationship: return optionalText(claimRef.value.patient.relationshipToSubscriber)
        case .billingNPI: return optionalText(claimRef.value.billingProvider?.npi?.text)
        case .billingNPIValid: return claimRef.value.billingProvider?.npi.map { .flag($0.isValid) } ?? .missing
        case .billingTaxID: return optionalText(claimRef.value.billingProvider?.taxID?.id)
        case .billingTaxonomy: return optionalText(claimRef.value.billingProvider?.taxonomy)
        case .renderingNPI: return optionalText(claimRef.value.renderingProvider?.npi?.text)
        case .renderingNPIValid: return claimRef.value.renderingProvider?.npi.map { .flag($0.isValid) } ?? .missing
        case .referringNPI: return optionalText(claimRef.value.referringProvider?.npi?.text)
        case .referringNPIValid: return claimRef.value.referringProvider?.npi.map { .flag($0.isValid) } ?? .missing
        case .diagnoses: return .list(claimRef.value.diagnoses.map(\.code))
        case .principalDiagnosis: return optionalText(claimRef.value.diagnoses.first(where: { $0.role == .principal })?.code)
        case .diagnosisCount: return .number(Double(claimRef.value.diagnoses.count))
        case .codes: return .list(claimRef.value.lines.compactMap { $0.procedureCode?.text })
        case .lineCount: return .number(Double(claimRef.value.lines.count))
        case .notes: return .list(claimRef.value.notes.map(\.text))
        case .attachments: return .list(claimRef.value.attachments.map(\.reportType))
        case .date: return claimDates(claimRef.value.lines, claimRef.value.dates).first.map { .date($0) } ?? .missing
        case .lastDate: return claimDates(claimRef.value.lines, claimRef.value.dates).last.map { .date($0) } ?? .missing
        case .today: return (today ?? claimRef.value.createdOn).map { .date($0) } ?? .missing
        case .daysSinceService:
            guard let today = today ?? claimRef.value.createdOn, let first = claimDates(claimRef.value.lines, claimRef.value.dates).first else { return .missing }
            return .number(Double(today.dayNumber - first.dayNumber))
        case .originalInHistory, .originalUnchanged:
            // They join the claim with the history: read through `claim(_:claimIndex:index:date:today:)`.
            return .missing
        }
    }

    /// A diagnosis code's category: its first three characters, taken as bytes when the first four bytes (all of
    /// them, if fewer) are `bytesAreCharacters`: `prefix(3)` walks grapheme clusters, hundreds of instructions on
    /// every read.
    static func category(of code: String) -> String {
        var code = code
        let bytes: String? = code.withUTF8 { utf8 in
            guard bytesAreCharacters(UnsafeBufferPointer(rebasing: utf8[0..<min(4, utf8.count)])) else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: utf8[0..<min(3, utf8.count)]), as: UTF8.self)
        }
        return bytes ?? String(code.prefix(3))
    }

    /// All ASCII other than CR. In a text that starts with such bytes, all but the last are one character each, and
    /// so is the last when the text ends there or goes on with another such byte: only CR LF joins two ASCII bytes,
    /// and what attaches to an ASCII character is never ASCII.
    @inline(__always)
    private static func bytesAreCharacters(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        !utf8.contains { $0 >= 0x80 || $0 == 0x0D }
    }

    static func diagnosis(_ field: DiagnosisField, _ diagnosis: Diagnosis, position: Int) -> Value {
        switch field {
        case .code: return .text(diagnosis.code)
        case .role: return .text(diagnosis.role.rawValue)
        case .system: return .text(diagnosis.system.rawValue)
        case .position: return .number(Double(position))
        case .poa: return optionalText(diagnosis.presentOnAdmission)
        case .category: return .text(category(of: diagnosis.code))
        case .prefixes: return .list(prefixes(of: diagnosis.code))
        }
    }

    /// A diagnosis code's prefixes of three characters or more, shortest first (the code itself when shorter).
    /// An all-ASCII code without CR has one character per byte (as in `category(of:)`), so its prefixes are taken
    /// as bytes; any other walks characters.
    static func prefixes(of code: String) -> [String] {
        var code = code
        let bytes: [String]? = code.withUTF8 { utf8 in
            guard utf8.count >= 3, bytesAreCharacters(utf8) else { return nil }
            return (3...utf8.count).map { String(decoding: UnsafeBufferPointer(rebasing: utf8[0..<$0]), as: UTF8.self) }
        }
        if let bytes { return bytes }
        let count = code.count
        return count < 3 ? [code] : (3...count).map { String(code.prefix($0)) }
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
        case .includesOutside(let set):
            guard case .list(let items) = value else { return false }
            return items.contains { !inSet(set, $0) }
        case .matches(let pattern):
            // The reference compiles the pattern each time (it is slow on purpose); the graph compiles it once.
            guard !isMissing(value), let text = value.text, let regex = try? Regex(pattern) else { return false }
            return text.wholeMatch(of: regex) != nil
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
            return apply(op, evaluate(lhs, read: read), evaluate(rhs, read: read))
        }
    }

    /// One arithmetic step: a date plus or minus whole days, else numbers; missing when an operand is.
    static func apply(_ op: Expression.Operator, _ left: Value, _ right: Value) -> Value {
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

/// Renders a message or fix template; a missing value shows as `(none)`. Both evaluators write a rendering as
/// UTF-8 into a `RenderBuffer` through `append` and make it a string once (appending to a `String` piece by piece
/// cost about 330 instructions a piece, and to a `[UInt8]` about 90, through its generic sequence path).
enum TemplateRenderer {
    /// The template with each field's value in place.
    static func render(_ template: Template, read: (FieldRef) -> Value) -> String {
        if template.parts.count == 1, case .text(let text) = template.parts[0] { return text }
        var bytes = RenderBuffer()
        for part in template.parts {
            switch part {
            case .text(let text): bytes.append(text)
            case .field(let field): bytes.append(read(field))
            }
        }
        return bytes.string()
    }
}

/// A growable buffer of UTF-8 that a rendering is written into: appending is a capacity check and a copy.
/// Not copyable, so its memory has one owner and is freed with it.
struct RenderBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() { count = 0 }

    /// The bytes written, as a string.
    func string() -> String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    @inline(__always)
    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        let grown = max(capacity * 2, count + more)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// A string's UTF-8, from its contiguous storage.
    @inline(__always)
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// A number as a template shows it (`Value.text`): a whole number as its digits, written here without making
    /// the string; any other through `Value.text`.
    mutating func append(number: Double) {
        guard number == number.rounded() && abs(number) < 1e15 else {
            append(Value.number(number).text ?? "(none)")
            return
        }
        var whole = Int64(number)
        if whole < 0 { append(byte: UInt8(ascii: "-")); whole = -whole }
        reserve(16)
        let start = count
        repeat {
            base[count] = UInt8(truncatingIfNeeded: 48 + whole % 10)
            count += 1
            whole /= 10
        } while whole > 0
        var low = start, high = count - 1
        while low < high {
            let byte = base[low]
            base[low] = base[high]
            base[high] = byte
            low += 1
            high -= 1
        }
    }

    /// A field's value as a template shows it: a list joined by ", ", a missing value as `(none)`, a number as
    /// `append(number:)` writes it, anything else as `Value.text`.
    mutating func append(_ value: Value) {
        switch value {
        case .text(let text): append(text)
        case .list(let items):
            for (index, item) in items.enumerated() {
                if index > 0 { append(byte: UInt8(ascii: ",")); append(byte: UInt8(ascii: " ")) }
                append(item)
            }
        case .number(let number): append(number: number)
        case let other: append(other.text ?? "(none)")
        }
    }
}
