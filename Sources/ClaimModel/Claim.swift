/// The claim model: what a biller sends the payer, as value types. One `Claim` is one CLM loop (2300)
/// with its context (billing provider, subscriber, patient, payer) resolved from the HL hierarchy.
/// Optional fields are absent when the source did not carry them; nothing is defaulted.

/// Professional (837P, CMS-1500) or institutional (837I, UB-04).
public enum ClaimType: String, Sendable, Codable, Hashable {
    case professional
    case institutional
}

/// A person's or organization's name as X12 writes it in NM1 (NM103 last or organization name, NM104 first…).
public struct PersonName: Hashable, Sendable, Codable {
    public var last: String
    public var first: String?
    public var middle: String?
    public var suffix: String?
    public init(last: String, first: String? = nil, middle: String? = nil, suffix: String? = nil) {
        self.last = last; self.first = first; self.middle = middle; self.suffix = suffix
    }
}

/// A postal address (N3/N4).
public struct Address: Hashable, Sendable, Codable {
    @OmittedWhenEmpty public var lines: [String]
    public var city: String?
    public var state: String?
    public var postalCode: String?
    public var country: String?
    public init(lines: [String] = [], city: String? = nil, state: String? = nil, postalCode: String? = nil, country: String? = nil) {
        self.lines = lines; self.city = city; self.state = state; self.postalCode = postalCode; self.country = country
    }
}

/// An identifier with its X12 qualifier (REF01/REF02, or NM108/NM109 other than the NPI).
public struct QualifiedID: Hashable, Sendable, Codable {
    public var qualifier: String
    public var id: String
    public init(qualifier: String, id: String) { self.qualifier = qualifier; self.id = id }
}

/// The submitter (1000A) or receiver (1000B) of the interchange.
public struct Party: Hashable, Sendable, Codable {
    public var name: String
    public var id: String?
    public init(name: String, id: String? = nil) { self.name = name; self.id = id }
}

/// A provider in one of its roles on the claim or line.
public struct Provider: Hashable, Sendable, Codable {
    /// The NM101 entity identifier code the provider was written with (85 billing, 82 rendering, DN referring …).
    public enum Role: String, Sendable, Codable, Hashable {
        case billing, payTo, referring, rendering, serviceFacility, supervising, ordering
        case attending, operating, otherOperating, purchasedService, other
    }
    @inlinable public var role: Role {
        get { storage.fields.role }
        _modify { makeUnique(); yield &storage.fields.role }
    }
    /// NM102: 1 person, 2 non-person entity.
    @inlinable public var entityType: String? {
        get { storage.fields.entityType }
        _modify { makeUnique(); yield &storage.fields.entityType }
    }
    @inlinable public var name: PersonName {
        get { storage.fields.name }
        _modify { makeUnique(); yield &storage.fields.name }
    }
    @inlinable public var npi: NPI? {
        get { storage.fields.npi }
        _modify { makeUnique(); yield &storage.fields.npi }
    }
    /// Federal tax id (REF*EI, employer id) or social security number (REF*SY).
    @inlinable public var taxID: QualifiedID? {
        get { storage.fields.taxID }
        _modify { makeUnique(); yield &storage.fields.taxID }
    }
    /// Provider taxonomy code (PRV03).
    @inlinable public var taxonomy: String? {
        get { storage.fields.taxonomy }
        _modify { makeUnique(); yield &storage.fields.taxonomy }
    }
    @inlinable public var secondaryIDs: [QualifiedID] {
        get { storage.fields.secondaryIDs }
        _modify { makeUnique(); yield &storage.fields.secondaryIDs }
    }
    @inlinable public var address: Address? {
        get { storage.fields.address }
        _modify { makeUnique(); yield &storage.fields.address }
    }

    /// The stored properties of a provider, in the order (and with the coding) they always had.
    @usableFromInline struct Fields: Hashable, Sendable, Codable {
        @usableFromInline var role: Role
        @usableFromInline var entityType: String?
        @usableFromInline var name: PersonName
        @usableFromInline var npi: NPI?
        @usableFromInline var taxID: QualifiedID?
        @usableFromInline var taxonomy: String?
        @OmittedWhenEmpty @usableFromInline var secondaryIDs: [QualifiedID]
        @usableFromInline var address: Address?
    }

    /// The fields behind a reference: a copy of the value shares them until one copy is mutated.
    /// Mutated only through `makeUnique()`, so a shared instance is never written (hence `@unchecked Sendable`).
    @usableFromInline final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) @usableFromInline var fields: Fields
        @inlinable init(_ fields: Fields) { self.fields = fields }
    }

    @usableFromInline var storage: Storage

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    }

    public init(role: Role, entityType: String? = nil, name: PersonName, npi: NPI? = nil, taxID: QualifiedID? = nil,
                taxonomy: String? = nil, secondaryIDs: [QualifiedID] = [], address: Address? = nil) {
        storage = Storage(Fields(role: role, entityType: entityType, name: name, npi: npi, taxID: taxID, taxonomy: taxonomy, secondaryIDs: secondaryIDs, address: address))
    }

    public static func == (lhs: Provider, rhs: Provider) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { storage.fields.hash(into: &hasher) }

    /// The same JSON as the fields' own (synthesized) coding: the keys and their order are the properties'.
    public init(from decoder: any Decoder) throws { storage = Storage(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try storage.fields.encode(to: encoder) }
}

/// The insured (loop 2000B/2010BA).
public struct Subscriber: Hashable, Sendable, Codable {
    @inlinable public var memberID: String? {
        get { storage.fields.memberID }
        _modify { makeUnique(); yield &storage.fields.memberID }
    }
    /// Loop 2010BA's name; nil when the loop is missing.
    @inlinable public var name: PersonName? {
        get { storage.fields.name }
        _modify { makeUnique(); yield &storage.fields.name }
    }
    @inlinable public var birthDate: DateOrRange? {
        get { storage.fields.birthDate }
        _modify { makeUnique(); yield &storage.fields.birthDate }
    }
    /// DMG03: F, M or U.
    @inlinable public var sex: String? {
        get { storage.fields.sex }
        _modify { makeUnique(); yield &storage.fields.sex }
    }
    @inlinable public var address: Address? {
        get { storage.fields.address }
        _modify { makeUnique(); yield &storage.fields.address }
    }
    /// SBR01: P primary, S secondary, T tertiary …
    @inlinable public var payerResponsibility: String? {
        get { storage.fields.payerResponsibility }
        _modify { makeUnique(); yield &storage.fields.payerResponsibility }
    }
    /// SBR02: the individual relationship code (18 = self, the subscriber is the patient).
    @inlinable public var relationshipCode: String? {
        get { storage.fields.relationshipCode }
        _modify { makeUnique(); yield &storage.fields.relationshipCode }
    }
    @inlinable public var groupNumber: String? {
        get { storage.fields.groupNumber }
        _modify { makeUnique(); yield &storage.fields.groupNumber }
    }
    @inlinable public var groupName: String? {
        get { storage.fields.groupName }
        _modify { makeUnique(); yield &storage.fields.groupName }
    }
    /// SBR05 insurance type code (837P; e.g. 12 Medicare secondary working aged).
    @inlinable public var insuranceType: String? {
        get { storage.fields.insuranceType }
        _modify { makeUnique(); yield &storage.fields.insuranceType }
    }
    /// SBR09: MB Medicare Part B, MA Part A, MC Medicaid, CI commercial, BL Blue Cross …
    @inlinable public var claimFilingIndicator: String? {
        get { storage.fields.claimFilingIndicator }
        _modify { makeUnique(); yield &storage.fields.claimFilingIndicator }
    }

    /// The stored properties of a subscriber, in the order (and with the coding) they always had.
    @usableFromInline struct Fields: Hashable, Sendable, Codable {
        @usableFromInline var memberID: String?
        @usableFromInline var name: PersonName?
        @usableFromInline var birthDate: DateOrRange?
        @usableFromInline var sex: String?
        @usableFromInline var address: Address?
        @usableFromInline var payerResponsibility: String?
        @usableFromInline var relationshipCode: String?
        @usableFromInline var groupNumber: String?
        @usableFromInline var groupName: String?
        @usableFromInline var insuranceType: String?
        @usableFromInline var claimFilingIndicator: String?
    }

    /// The fields behind a reference: a copy of the value shares them until one copy is mutated.
    /// Mutated only through `makeUnique()`, so a shared instance is never written (hence `@unchecked Sendable`).
    @usableFromInline final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) @usableFromInline var fields: Fields
        @inlinable init(_ fields: Fields) { self.fields = fields }
    }

    @usableFromInline var storage: Storage

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    }

    public init(memberID: String? = nil, name: PersonName?, birthDate: DateOrRange? = nil, sex: String? = nil,
                address: Address? = nil, payerResponsibility: String? = nil, relationshipCode: String? = nil,
                groupNumber: String? = nil, groupName: String? = nil, insuranceType: String? = nil,
                claimFilingIndicator: String? = nil) {
        storage = Storage(Fields(memberID: memberID, name: name, birthDate: birthDate, sex: sex, address: address, payerResponsibility: payerResponsibility, relationshipCode: relationshipCode, groupNumber: groupNumber, groupName: groupName, insuranceType: insuranceType, claimFilingIndicator: claimFilingIndicator))
    }

    public static func == (lhs: Subscriber, rhs: Subscriber) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { storage.fields.hash(into: &hasher) }

    /// The same JSON as the fields' own (synthesized) coding: the keys and their order are the properties'.
    public init(from decoder: any Decoder) throws { storage = Storage(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try storage.fields.encode(to: encoder) }
}

/// The person who received the services: the subscriber, or a dependent (loop 2000C/2010CA).
public struct Patient: Hashable, Sendable, Codable {
    /// nil when the name loop (2010BA or 2010CA) is missing.
    @inlinable public var name: PersonName? {
        get { storage.fields.name }
        _modify { makeUnique(); yield &storage.fields.name }
    }
    @inlinable public var birthDate: DateOrRange? {
        get { storage.fields.birthDate }
        _modify { makeUnique(); yield &storage.fields.birthDate }
    }
    @inlinable public var sex: String? {
        get { storage.fields.sex }
        _modify { makeUnique(); yield &storage.fields.sex }
    }
    @inlinable public var address: Address? {
        get { storage.fields.address }
        _modify { makeUnique(); yield &storage.fields.address }
    }
    /// Relationship to the subscriber: `18` (self) when the subscriber is the patient, else PAT01 (01 spouse, 19 child …).
    @inlinable public var relationshipToSubscriber: String? {
        get { storage.fields.relationshipToSubscriber }
        _modify { makeUnique(); yield &storage.fields.relationshipToSubscriber }
    }
    /// True when the patient is the subscriber (no 2000C loop).
    @inlinable public var isSubscriber: Bool {
        get { storage.fields.isSubscriber }
        _modify { makeUnique(); yield &storage.fields.isSubscriber }
    }

    /// The stored properties of a patient, in the order (and with the coding) they always had.
    @usableFromInline struct Fields: Hashable, Sendable, Codable {
        @usableFromInline var name: PersonName?
        @usableFromInline var birthDate: DateOrRange?
        @usableFromInline var sex: String?
        @usableFromInline var address: Address?
        @usableFromInline var relationshipToSubscriber: String?
        @usableFromInline var isSubscriber: Bool
    }

    /// The fields behind a reference: a copy of the value shares them until one copy is mutated.
    /// Mutated only through `makeUnique()`, so a shared instance is never written (hence `@unchecked Sendable`).
    @usableFromInline final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) @usableFromInline var fields: Fields
        @inlinable init(_ fields: Fields) { self.fields = fields }
    }

    @usableFromInline var storage: Storage

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    }

    public init(name: PersonName?, birthDate: DateOrRange? = nil, sex: String? = nil, address: Address? = nil,
                relationshipToSubscriber: String? = nil, isSubscriber: Bool) {
        storage = Storage(Fields(name: name, birthDate: birthDate, sex: sex, address: address, relationshipToSubscriber: relationshipToSubscriber, isSubscriber: isSubscriber))
    }

    public static func == (lhs: Patient, rhs: Patient) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { storage.fields.hash(into: &hasher) }

    /// The same JSON as the fields' own (synthesized) coding: the keys and their order are the properties'.
    public init(from decoder: any Decoder) throws { storage = Storage(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try storage.fields.encode(to: encoder) }
}

/// The payer (2010BB).
public struct Payer: Hashable, Sendable, Codable {
    public var id: String?
    public var name: String
    /// NM108: PI payer id, XV CMS plan id.
    public var idQualifier: String?
    public init(id: String? = nil, name: String, idQualifier: String? = nil) {
        self.id = id; self.name = name; self.idQualifier = idQualifier
    }
}

/// One diagnosis of the claim, in the order written in HI.
public struct Diagnosis: Hashable, Sendable, Codable {
    public enum Role: String, Sendable, Codable, Hashable {
        case principal, other, admitting, externalCause, reasonForVisit
    }
    public var code: String
    public var system: DiagnosisCodeSystem
    public var role: Role
    /// The HI composite qualifier as written (ABK, ABF, BK …).
    public var qualifier: String
    /// Present-on-admission indicator (837I, HI0x-9): Y, N, U, W or 1.
    public var presentOnAdmission: String?

    public init(code: String, system: DiagnosisCodeSystem, role: Role, qualifier: String, presentOnAdmission: String? = nil) {
        self.code = code; self.system = system; self.role = role; self.qualifier = qualifier
        self.presentOnAdmission = presentOnAdmission
    }

    /// The code as an ICD-10-CM code when the qualifier says it is one.
    public var icd10: ICD10CMCode? { system == .icd10cm ? ICD10CMCode(code) : nil }
}

/// A free-text note (NTE) with its reference code (ADD, CER, DCP, DGN, TPO…).
public struct Note: Hashable, Sendable, Codable {
    public var reference: String
    public var text: String
    public init(reference: String, text: String) { self.reference = reference; self.text = text }
}

/// A paperwork attachment indicator (PWK): report type, how it is sent, and its control number.
public struct Attachment: Hashable, Sendable, Codable {
    public var reportType: String
    public var transmission: String
    public var controlNumber: String?
    public init(reportType: String, transmission: String, controlNumber: String? = nil) {
        self.reportType = reportType; self.transmission = transmission; self.controlNumber = controlNumber
    }
}

/// A date on the claim with its DTP qualifier (431 onset, 435 admission, 434 statement, 439 accident …).
public struct QualifiedDate: Hashable, Sendable, Codable {
    public var qualifier: String
    public var date: DateOrRange
    public init(qualifier: String, date: DateOrRange) { self.qualifier = qualifier; self.date = date }
}

/// A coded value with an optional date or amount (837I condition, occurrence and value codes).
public struct InstitutionalCode: Hashable, Sendable, Codable {
    public var qualifier: String
    public var code: String
    public var date: DateOrRange?
    public var amount: Money?
    public init(qualifier: String, code: String, date: DateOrRange? = nil, amount: Money? = nil) {
        self.qualifier = qualifier; self.code = code; self.date = date; self.amount = amount
    }
}

/// The parts of a claim only an 837I carries.
public struct InstitutionalDetails: Hashable, Sendable, Codable {
    /// CL1-01 priority (type) of admission, CL1-02 point of origin, CL1-03 patient status.
    public var admissionType: String?
    public var admissionSource: String?
    public var patientStatus: String?
    @OmittedWhenEmpty public var conditionCodes: [String]
    @OmittedWhenEmpty public var occurrenceCodes: [InstitutionalCode]
    @OmittedWhenEmpty public var occurrenceSpans: [InstitutionalCode]
    @OmittedWhenEmpty public var valueCodes: [InstitutionalCode]
    /// ICD-10-PCS (BBR/BBQ) or ICD-9 (BR/BQ) procedures with their dates.
    @OmittedWhenEmpty public var procedures: [InstitutionalCode]

    public init(admissionType: String? = nil, admissionSource: String? = nil, patientStatus: String? = nil,
                conditionCodes: [String] = [], occurrenceCodes: [InstitutionalCode] = [],
                occurrenceSpans: [InstitutionalCode] = [], valueCodes: [InstitutionalCode] = [],
                procedures: [InstitutionalCode] = []) {
        self.admissionType = admissionType; self.admissionSource = admissionSource; self.patientStatus = patientStatus
        self.conditionCodes = conditionCodes; self.occurrenceCodes = occurrenceCodes
        self.occurrenceSpans = occurrenceSpans; self.valueCodes = valueCodes; self.procedures = procedures
    }
}

/// Another payer responsible for the claim (loop 2320 with 2330A/2330B), for coordination of benefits.
public struct OtherCoverage: Hashable, Sendable, Codable {
    public var payerResponsibility: String?
    public var relationshipCode: String?
    public var groupNumber: String?
    public var claimFilingIndicator: String?
    public var subscriberName: PersonName?
    public var memberID: String?
    public var payer: Payer?
    /// AMT*D: what this payer already paid.
    public var paidAmount: Money?

    public init(payerResponsibility: String? = nil, relationshipCode: String? = nil, groupNumber: String? = nil,
                claimFilingIndicator: String? = nil, subscriberName: PersonName? = nil, memberID: String? = nil,
                payer: Payer? = nil, paidAmount: Money? = nil) {
        self.payerResponsibility = payerResponsibility; self.relationshipCode = relationshipCode
        self.groupNumber = groupNumber; self.claimFilingIndicator = claimFilingIndicator
        self.subscriberName = subscriberName; self.memberID = memberID; self.payer = payer; self.paidAmount = paidAmount
    }
}

/// Drug identification for a service line (2410: LIN, CTP, REF*XZ).
public struct DrugInfo: Hashable, Sendable, Codable {
    /// LIN02 product id qualifier (N4 for an NDC in 5-4-2 form).
    public var qualifier: String
    public var ndc: NDC
    public var quantity: Quantity?
    /// CTP05-1: F2 international unit, GR gram, ME milligram, ML milliliter, UN unit.
    public var unit: String?
    public var prescriptionNumber: String?
    public init(qualifier: String = "N4", ndc: NDC, quantity: Quantity? = nil, unit: String? = nil, prescriptionNumber: String? = nil) {
        self.qualifier = qualifier; self.ndc = ndc; self.quantity = quantity; self.unit = unit
        self.prescriptionNumber = prescriptionNumber
    }
}

/// One service line (loop 2400).
public struct ServiceLine: Hashable, Sendable, Codable {
    /// 1-based position of the line within its claim.
    @inlinable public var number: Int {
        get { storage.fields.number }
        _modify { makeUnique(); yield &storage.fields.number }
    }
    /// LX01 as written (some files never restart it per claim).
    @inlinable public var lx: String? {
        get { storage.fields.lx }
        _modify { makeUnique(); yield &storage.fields.lx }
    }
    /// SV101-1 / SV202-1: HC (CPT/HCPCS), ER, IV, WK, N4 …
    @inlinable public var procedureQualifier: String? {
        get { storage.fields.procedureQualifier }
        _modify { makeUnique(); yield &storage.fields.procedureQualifier }
    }
    /// The procedure code (absent on an 837I line billed by revenue code only).
    @inlinable public var procedureCode: ProcedureCode? {
        get { storage.fields.procedureCode }
        _modify { makeUnique(); yield &storage.fields.procedureCode }
    }
    /// SV201: the revenue code of an institutional line.
    @inlinable public var revenueCode: String? {
        get { storage.fields.revenueCode }
        _modify { makeUnique(); yield &storage.fields.revenueCode }
    }
    /// Up to four modifiers, in order.
    @inlinable public var modifiers: [Modifier] {
        get { storage.fields.modifiers }
        _modify { makeUnique(); yield &storage.fields.modifiers }
    }
    /// SV101-7 / SV202-7: description, for unlisted and not-otherwise-classified codes.
    @inlinable public var procedureDescription: String? {
        get { storage.fields.procedureDescription }
        _modify { makeUnique(); yield &storage.fields.procedureDescription }
    }
    @inlinable public var charge: Money {
        get { storage.fields.charge }
        _modify { makeUnique(); yield &storage.fields.charge }
    }
    /// SV103 / SV204: UN unit, MJ minutes, DA days.
    @inlinable public var unitBasis: String? {
        get { storage.fields.unitBasis }
        _modify { makeUnique(); yield &storage.fields.unitBasis }
    }
    @inlinable public var units: Quantity? {
        get { storage.fields.units }
        _modify { makeUnique(); yield &storage.fields.units }
    }
    /// SV105, when the line's place of service differs from the claim's.
    @inlinable public var placeOfService: String? {
        get { storage.fields.placeOfService }
        _modify { makeUnique(); yield &storage.fields.placeOfService }
    }
    /// SV107 (1-based pointers into the claim's principal and other diagnoses).
    @inlinable public var diagnosisPointers: [Int] {
        get { storage.fields.diagnosisPointers }
        _modify { makeUnique(); yield &storage.fields.diagnosisPointers }
    }
    /// DTP*472 service date or range.
    @inlinable public var serviceDate: DateOrRange? {
        get { storage.fields.serviceDate }
        _modify { makeUnique(); yield &storage.fields.serviceDate }
    }
    @inlinable public var renderingProvider: Provider? {
        get { storage.fields.renderingProvider }
        _modify { makeUnique(); yield &storage.fields.renderingProvider }
    }
    @inlinable public var referringProvider: Provider? {
        get { storage.fields.referringProvider }
        _modify { makeUnique(); yield &storage.fields.referringProvider }
    }
    @inlinable public var otherProviders: [Provider] {
        get { storage.fields.otherProviders }
        _modify { makeUnique(); yield &storage.fields.otherProviders }
    }
    @inlinable public var drug: DrugInfo? {
        get { storage.fields.drug }
        _modify { makeUnique(); yield &storage.fields.drug }
    }
    /// REF*6R line item control number.
    @inlinable public var lineControlNumber: String? {
        get { storage.fields.lineControlNumber }
        _modify { makeUnique(); yield &storage.fields.lineControlNumber }
    }
    @inlinable public var priorAuthorization: String? {
        get { storage.fields.priorAuthorization }
        _modify { makeUnique(); yield &storage.fields.priorAuthorization }
    }
    @inlinable public var notes: [Note] {
        get { storage.fields.notes }
        _modify { makeUnique(); yield &storage.fields.notes }
    }
    @inlinable public var attachments: [Attachment] {
        get { storage.fields.attachments }
        _modify { makeUnique(); yield &storage.fields.attachments }
    }

    /// The stored properties of a line, in the order (and with the coding) they always had.
    @usableFromInline package struct Fields: Hashable, Sendable, Codable {
        @usableFromInline package var number: Int
        @usableFromInline package var lx: String?
        @usableFromInline package var procedureQualifier: String?
        @usableFromInline package var procedureCode: ProcedureCode?
        @usableFromInline package var revenueCode: String?
        @OmittedWhenEmpty @usableFromInline package var modifiers: [Modifier]
        @usableFromInline package var procedureDescription: String?
        @usableFromInline package var charge: Money
        @usableFromInline package var unitBasis: String?
        @usableFromInline package var units: Quantity?
        @usableFromInline package var placeOfService: String?
        @OmittedWhenEmpty @usableFromInline package var diagnosisPointers: [Int]
        @usableFromInline package var serviceDate: DateOrRange?
        @usableFromInline package var renderingProvider: Provider?
        @usableFromInline package var referringProvider: Provider?
        @OmittedWhenEmpty @usableFromInline package var otherProviders: [Provider]
        @usableFromInline package var drug: DrugInfo?
        @usableFromInline package var lineControlNumber: String?
        @usableFromInline package var priorAuthorization: String?
        @OmittedWhenEmpty @usableFromInline package var notes: [Note]
        @OmittedWhenEmpty @usableFromInline package var attachments: [Attachment]
    }

    /// The fields behind a reference: a copy of the value shares them until one copy is mutated.
    /// Mutated only through `makeUnique()`, so a shared instance is never written (hence `@unchecked Sendable`).
    @usableFromInline final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) @usableFromInline var fields: Fields
        @inlinable init(_ fields: Fields) { self.fields = fields }
    }

    @usableFromInline var storage: Storage

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    }

    /// The stored properties to fill in place, made unique once rather than on each property (the X12 reader).
    @inlinable package mutating func withFields<Result>(_ body: (inout Fields) throws -> Result) rethrows -> Result {
        makeUnique()
        return try body(&storage.fields)
    }

    public init(number: Int, lx: String? = nil, procedureQualifier: String? = "HC", procedureCode: ProcedureCode? = nil,
                revenueCode: String? = nil, modifiers: [Modifier] = [], procedureDescription: String? = nil,
                charge: Money, unitBasis: String? = "UN", units: Quantity? = nil, placeOfService: String? = nil,
                diagnosisPointers: [Int] = [], serviceDate: DateOrRange? = nil, renderingProvider: Provider? = nil,
                referringProvider: Provider? = nil, otherProviders: [Provider] = [], drug: DrugInfo? = nil,
                lineControlNumber: String? = nil, priorAuthorization: String? = nil, notes: [Note] = [],
                attachments: [Attachment] = []) {
        storage = Storage(Fields(number: number, lx: lx, procedureQualifier: procedureQualifier, procedureCode: procedureCode, revenueCode: revenueCode, modifiers: modifiers, procedureDescription: procedureDescription, charge: charge, unitBasis: unitBasis, units: units, placeOfService: placeOfService, diagnosisPointers: diagnosisPointers, serviceDate: serviceDate, renderingProvider: renderingProvider, referringProvider: referringProvider, otherProviders: otherProviders, drug: drug, lineControlNumber: lineControlNumber, priorAuthorization: priorAuthorization, notes: notes, attachments: attachments))
    }

    public static func == (lhs: ServiceLine, rhs: ServiceLine) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { storage.fields.hash(into: &hasher) }

    /// The same JSON as the fields' own (synthesized) coding: the keys and their order are the properties'.
    public init(from decoder: any Decoder) throws { storage = Storage(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try storage.fields.encode(to: encoder) }
}

/// Where a claim was read from: the file, the segment number of its CLM (1-based from the file's first
/// segment), the byte range of its loop 2300 and the envelope it came in.
public struct ClaimSource: Hashable, Sendable, Codable {
    public var file: String
    public var segment: Int
    public var byteOffset: Int64?
    public var byteLength: Int64?
    public var interchangeControlNumber: String?
    public var transactionControlNumber: String?
    /// The implementation guide named in ST03/GS08 (005010X222A1, 005010X223A2 …).
    public var implementationGuide: String?

    public init(file: String, segment: Int, byteOffset: Int64? = nil, byteLength: Int64? = nil,
                interchangeControlNumber: String? = nil, transactionControlNumber: String? = nil,
                implementationGuide: String? = nil) {
        self.file = file; self.segment = segment; self.byteOffset = byteOffset; self.byteLength = byteLength
        self.interchangeControlNumber = interchangeControlNumber
        self.transactionControlNumber = transactionControlNumber; self.implementationGuide = implementationGuide
    }
}

/// A claim: one CLM loop with everything it needs to be judged on its own.
public struct Claim: Hashable, Sendable, Codable {
    @inlinable public var type: ClaimType {
        get { storage.fields.type }
        _modify { makeUnique(); yield &storage.fields.type }
    }
    /// CLM01, the patient control number the provider assigned.
    @inlinable public var id: String {
        get { storage.fields.id }
        _modify { makeUnique(); yield &storage.fields.id }
    }
    /// CLM02.
    @inlinable public var totalCharge: Money {
        get { storage.fields.totalCharge }
        _modify { makeUnique(); yield &storage.fields.totalCharge }
    }
    @inlinable public var submitter: Party? {
        get { storage.fields.submitter }
        _modify { makeUnique(); yield &storage.fields.submitter }
    }
    @inlinable public var receiver: Party? {
        get { storage.fields.receiver }
        _modify { makeUnique(); yield &storage.fields.receiver }
    }
    /// BHT04: the day the claim file was created.
    @inlinable public var createdOn: CalendarDate? {
        get { storage.fields.createdOn }
        _modify { makeUnique(); yield &storage.fields.createdOn }
    }
    /// Loop 2010AA; nil when the file has no billing provider name loop (a rule reports it).
    @inlinable public var billingProvider: Provider? {
        get { storage.fields.billingProvider }
        _modify { makeUnique(); yield &storage.fields.billingProvider }
    }
    @inlinable public var payToProvider: Provider? {
        get { storage.fields.payToProvider }
        _modify { makeUnique(); yield &storage.fields.payToProvider }
    }
    @inlinable public var subscriber: Subscriber {
        get { storage.fields.subscriber }
        _modify { makeUnique(); yield &storage.fields.subscriber }
    }
    @inlinable public var patient: Patient {
        get { storage.fields.patient }
        _modify { makeUnique(); yield &storage.fields.patient }
    }
    /// Loop 2010BB; nil when the file has none.
    @inlinable public var payer: Payer? {
        get { storage.fields.payer }
        _modify { makeUnique(); yield &storage.fields.payer }
    }
    /// CLM05-1 on an 837P: the place of service code (11 office, 21 inpatient hospital …).
    @inlinable public var placeOfService: String? {
        get { storage.fields.placeOfService }
        _modify { makeUnique(); yield &storage.fields.placeOfService }
    }
    /// CLM05-1 on an 837I: the facility type code (first two digits of the type of bill).
    @inlinable public var facilityTypeCode: String? {
        get { storage.fields.facilityTypeCode }
        _modify { makeUnique(); yield &storage.fields.facilityTypeCode }
    }
    /// CLM05-2: B (place of service) or A (uniform billing claim form bill type).
    @inlinable public var facilityCodeQualifier: String? {
        get { storage.fields.facilityCodeQualifier }
        _modify { makeUnique(); yield &storage.fields.facilityCodeQualifier }
    }
    /// CLM05-3: 1 original, 7 replacement, 8 void …
    @inlinable public var frequencyCode: String? {
        get { storage.fields.frequencyCode }
        _modify { makeUnique(); yield &storage.fields.frequencyCode }
    }
    /// CLM06 provider signature on file, CLM07 assignment / plan participation, CLM08 benefits assigned,
    /// CLM09 release of information.
    @inlinable public var providerSignatureOnFile: String? {
        get { storage.fields.providerSignatureOnFile }
        _modify { makeUnique(); yield &storage.fields.providerSignatureOnFile }
    }
    @inlinable public var assignmentCode: String? {
        get { storage.fields.assignmentCode }
        _modify { makeUnique(); yield &storage.fields.assignmentCode }
    }
    @inlinable public var benefitsAssigned: String? {
        get { storage.fields.benefitsAssigned }
        _modify { makeUnique(); yield &storage.fields.benefitsAssigned }
    }
    @inlinable public var releaseOfInformation: String? {
        get { storage.fields.releaseOfInformation }
        _modify { makeUnique(); yield &storage.fields.releaseOfInformation }
    }
    /// CLM11: related causes (AA auto accident, EM employment, OA other accident).
    @inlinable public var relatedCauses: [String] {
        get { storage.fields.relatedCauses }
        _modify { makeUnique(); yield &storage.fields.relatedCauses }
    }
    @inlinable public var priorAuthorization: String? {
        get { storage.fields.priorAuthorization }
        _modify { makeUnique(); yield &storage.fields.priorAuthorization }
    }
    @inlinable public var referralNumber: String? {
        get { storage.fields.referralNumber }
        _modify { makeUnique(); yield &storage.fields.referralNumber }
    }
    /// REF*F8: the payer's claim control number of the claim this one replaces or voids.
    @inlinable public var originalClaimNumber: String? {
        get { storage.fields.originalClaimNumber }
        _modify { makeUnique(); yield &storage.fields.originalClaimNumber }
    }
    @inlinable public var medicalRecordNumber: String? {
        get { storage.fields.medicalRecordNumber }
        _modify { makeUnique(); yield &storage.fields.medicalRecordNumber }
    }
    @inlinable public var clearinghouseTraceNumber: String? {
        get { storage.fields.clearinghouseTraceNumber }
        _modify { makeUnique(); yield &storage.fields.clearinghouseTraceNumber }
    }
    @inlinable public var dates: [QualifiedDate] {
        get { storage.fields.dates }
        _modify { makeUnique(); yield &storage.fields.dates }
    }
    @inlinable public var diagnoses: [Diagnosis] {
        get { storage.fields.diagnoses }
        _modify { makeUnique(); yield &storage.fields.diagnoses }
    }
    @inlinable public var notes: [Note] {
        get { storage.fields.notes }
        _modify { makeUnique(); yield &storage.fields.notes }
    }
    @inlinable public var attachments: [Attachment] {
        get { storage.fields.attachments }
        _modify { makeUnique(); yield &storage.fields.attachments }
    }
    @inlinable public var referringProvider: Provider? {
        get { storage.fields.referringProvider }
        _modify { makeUnique(); yield &storage.fields.referringProvider }
    }
    @inlinable public var renderingProvider: Provider? {
        get { storage.fields.renderingProvider }
        _modify { makeUnique(); yield &storage.fields.renderingProvider }
    }
    @inlinable public var serviceFacility: Provider? {
        get { storage.fields.serviceFacility }
        _modify { makeUnique(); yield &storage.fields.serviceFacility }
    }
    /// Supervising (837P), attending, operating and other providers (837I), in the order written.
    @inlinable public var otherProviders: [Provider] {
        get { storage.fields.otherProviders }
        _modify { makeUnique(); yield &storage.fields.otherProviders }
    }
    @inlinable public var institutional: InstitutionalDetails? {
        get { storage.fields.institutional }
        _modify { makeUnique(); yield &storage.fields.institutional }
    }
    @inlinable public var otherCoverage: [OtherCoverage] {
        get { storage.fields.otherCoverage }
        _modify { makeUnique(); yield &storage.fields.otherCoverage }
    }
    @inlinable public var lines: [ServiceLine] {
        get { storage.fields.lines }
        _modify { makeUnique(); yield &storage.fields.lines }
    }
    @inlinable public var source: ClaimSource? {
        get { storage.fields.source }
        _modify { makeUnique(); yield &storage.fields.source }
    }

    /// The stored properties of a claim, in the order (and with the coding) they always had.
    @usableFromInline package struct Fields: Hashable, Sendable, Codable {
        @usableFromInline package var type: ClaimType
        @usableFromInline package var id: String
        @usableFromInline package var totalCharge: Money
        @usableFromInline package var submitter: Party?
        @usableFromInline package var receiver: Party?
        @usableFromInline package var createdOn: CalendarDate?
        @usableFromInline package var billingProvider: Provider?
        @usableFromInline package var payToProvider: Provider?
        @usableFromInline package var subscriber: Subscriber
        @usableFromInline package var patient: Patient
        @usableFromInline package var payer: Payer?
        @usableFromInline package var placeOfService: String?
        @usableFromInline package var facilityTypeCode: String?
        @usableFromInline package var facilityCodeQualifier: String?
        @usableFromInline package var frequencyCode: String?
        @usableFromInline package var providerSignatureOnFile: String?
        @usableFromInline package var assignmentCode: String?
        @usableFromInline package var benefitsAssigned: String?
        @usableFromInline package var releaseOfInformation: String?
        @OmittedWhenEmpty @usableFromInline package var relatedCauses: [String]
        @usableFromInline package var priorAuthorization: String?
        @usableFromInline package var referralNumber: String?
        @usableFromInline package var originalClaimNumber: String?
        @usableFromInline package var medicalRecordNumber: String?
        @usableFromInline package var clearinghouseTraceNumber: String?
        @OmittedWhenEmpty @usableFromInline package var dates: [QualifiedDate]
        @OmittedWhenEmpty @usableFromInline package var diagnoses: [Diagnosis]
        @OmittedWhenEmpty @usableFromInline package var notes: [Note]
        @OmittedWhenEmpty @usableFromInline package var attachments: [Attachment]
        @usableFromInline package var referringProvider: Provider?
        @usableFromInline package var renderingProvider: Provider?
        @usableFromInline package var serviceFacility: Provider?
        @OmittedWhenEmpty @usableFromInline package var otherProviders: [Provider]
        @usableFromInline package var institutional: InstitutionalDetails?
        @OmittedWhenEmpty @usableFromInline package var otherCoverage: [OtherCoverage]
        @OmittedWhenEmpty @usableFromInline package var lines: [ServiceLine]
        @usableFromInline package var source: ClaimSource?
    }

    /// The fields behind a reference: a copy of the value shares them until one copy is mutated.
    /// Mutated only through `makeUnique()`, so a shared instance is never written (hence `@unchecked Sendable`).
    @usableFromInline final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) @usableFromInline var fields: Fields
        @inlinable init(_ fields: Fields) { self.fields = fields }
    }

    @usableFromInline var storage: Storage

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    }

    /// The stored properties to fill in place, made unique once rather than on each property (the X12 reader).
    @inlinable package mutating func withFields<Result>(_ body: (inout Fields) throws -> Result) rethrows -> Result {
        makeUnique()
        return try body(&storage.fields)
    }

    public init(type: ClaimType, id: String, totalCharge: Money, submitter: Party? = nil, receiver: Party? = nil,
                createdOn: CalendarDate? = nil, billingProvider: Provider?, payToProvider: Provider? = nil,
                subscriber: Subscriber, patient: Patient, payer: Payer?, placeOfService: String? = nil,
                facilityTypeCode: String? = nil, facilityCodeQualifier: String? = nil, frequencyCode: String? = nil,
                providerSignatureOnFile: String? = nil, assignmentCode: String? = nil, benefitsAssigned: String? = nil,
                releaseOfInformation: String? = nil, relatedCauses: [String] = [], priorAuthorization: String? = nil,
                referralNumber: String? = nil, originalClaimNumber: String? = nil, medicalRecordNumber: String? = nil,
                clearinghouseTraceNumber: String? = nil, dates: [QualifiedDate] = [], diagnoses: [Diagnosis] = [],
                notes: [Note] = [], attachments: [Attachment] = [], referringProvider: Provider? = nil,
                renderingProvider: Provider? = nil, serviceFacility: Provider? = nil, otherProviders: [Provider] = [],
                institutional: InstitutionalDetails? = nil, otherCoverage: [OtherCoverage] = [],
                lines: [ServiceLine] = [], source: ClaimSource? = nil) {
        storage = Storage(Fields(type: type, id: id, totalCharge: totalCharge, submitter: submitter, receiver: receiver, createdOn: createdOn, billingProvider: billingProvider, payToProvider: payToProvider, subscriber: subscriber, patient: patient, payer: payer, placeOfService: placeOfService, facilityTypeCode: facilityTypeCode, facilityCodeQualifier: facilityCodeQualifier, frequencyCode: frequencyCode, providerSignatureOnFile: providerSignatureOnFile, assignmentCode: assignmentCode, benefitsAssigned: benefitsAssigned, releaseOfInformation: releaseOfInformation, relatedCauses: relatedCauses, priorAuthorization: priorAuthorization, referralNumber: referralNumber, originalClaimNumber: originalClaimNumber, medicalRecordNumber: medicalRecordNumber, clearinghouseTraceNumber: clearinghouseTraceNumber, dates: dates, diagnoses: diagnoses, notes: notes, attachments: attachments, referringProvider: referringProvider, renderingProvider: renderingProvider, serviceFacility: serviceFacility, otherProviders: otherProviders, institutional: institutional, otherCoverage: otherCoverage, lines: lines, source: source))
    }

    public static func == (lhs: Claim, rhs: Claim) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { storage.fields.hash(into: &hasher) }

    /// The same JSON as the fields' own (synthesized) coding: the keys and their order are the properties'.
    public init(from decoder: any Decoder) throws { storage = Storage(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try storage.fields.encode(to: encoder) }

    /// The diagnoses a service line's pointers refer to: principal and other, in the order written.
    public var pointableDiagnoses: [Diagnosis] {
        diagnoses.filter { $0.role == .principal || $0.role == .other }
    }

    /// The diagnosis a 1-based pointer names, or nil when it points past the list.
    public func diagnosis(forPointer pointer: Int) -> Diagnosis? {
        let list = pointableDiagnoses
        return pointer >= 1 && pointer <= list.count ? list[pointer - 1] : nil
    }

    /// The sum of the line charges, when every one is a valid amount.
    public var lineChargeTotal: Money? {
        var total: Int64 = 0
        for line in lines {
            guard let cents = line.charge.cents else { return nil }
            total += cents
        }
        return Money(cents: total)
    }
}
