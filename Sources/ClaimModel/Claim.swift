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
    public var role: Role
    /// NM102: 1 person, 2 non-person entity.
    public var entityType: String?
    public var name: PersonName
    public var npi: NPI?
    /// Federal tax id (REF*EI, employer id) or social security number (REF*SY).
    public var taxID: QualifiedID?
    /// Provider taxonomy code (PRV03).
    public var taxonomy: String?
    @OmittedWhenEmpty public var secondaryIDs: [QualifiedID]
    public var address: Address?

    public init(role: Role, entityType: String? = nil, name: PersonName, npi: NPI? = nil, taxID: QualifiedID? = nil,
                taxonomy: String? = nil, secondaryIDs: [QualifiedID] = [], address: Address? = nil) {
        self.role = role; self.entityType = entityType; self.name = name; self.npi = npi; self.taxID = taxID
        self.taxonomy = taxonomy; self.secondaryIDs = secondaryIDs; self.address = address
    }
}

/// The insured (loop 2000B/2010BA).
public struct Subscriber: Hashable, Sendable, Codable {
    public var memberID: String?
    /// Loop 2010BA's name; nil when the loop is missing.
    public var name: PersonName?
    public var birthDate: DateOrRange?
    /// DMG03: F, M or U.
    public var sex: String?
    public var address: Address?
    /// SBR01: P primary, S secondary, T tertiary …
    public var payerResponsibility: String?
    /// SBR02: the individual relationship code (18 = self, the subscriber is the patient).
    public var relationshipCode: String?
    public var groupNumber: String?
    public var groupName: String?
    /// SBR05 insurance type code (837P; e.g. 12 Medicare secondary working aged).
    public var insuranceType: String?
    /// SBR09: MB Medicare Part B, MA Part A, MC Medicaid, CI commercial, BL Blue Cross …
    public var claimFilingIndicator: String?

    public init(memberID: String? = nil, name: PersonName?, birthDate: DateOrRange? = nil, sex: String? = nil,
                address: Address? = nil, payerResponsibility: String? = nil, relationshipCode: String? = nil,
                groupNumber: String? = nil, groupName: String? = nil, insuranceType: String? = nil,
                claimFilingIndicator: String? = nil) {
        self.memberID = memberID; self.name = name; self.birthDate = birthDate; self.sex = sex; self.address = address
        self.payerResponsibility = payerResponsibility; self.relationshipCode = relationshipCode
        self.groupNumber = groupNumber; self.groupName = groupName; self.insuranceType = insuranceType
        self.claimFilingIndicator = claimFilingIndicator
    }
}

/// The person who received the services: the subscriber, or a dependent (loop 2000C/2010CA).
public struct Patient: Hashable, Sendable, Codable {
    /// nil when the name loop (2010BA or 2010CA) is missing.
    public var name: PersonName?
    public var birthDate: DateOrRange?
    public var sex: String?
    public var address: Address?
    /// Relationship to the subscriber: `18` (self) when the subscriber is the patient, else PAT01 (01 spouse, 19 child …).
    public var relationshipToSubscriber: String?
    /// True when the patient is the subscriber (no 2000C loop).
    public var isSubscriber: Bool

    public init(name: PersonName?, birthDate: DateOrRange? = nil, sex: String? = nil, address: Address? = nil,
                relationshipToSubscriber: String? = nil, isSubscriber: Bool) {
        self.name = name; self.birthDate = birthDate; self.sex = sex; self.address = address
        self.relationshipToSubscriber = relationshipToSubscriber; self.isSubscriber = isSubscriber
    }
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
    public var number: Int
    /// LX01 as written (some files never restart it per claim).
    public var lx: String?
    /// SV101-1 / SV202-1: HC (CPT/HCPCS), ER, IV, WK, N4 …
    public var procedureQualifier: String?
    /// The procedure code (absent on an 837I line billed by revenue code only).
    public var procedureCode: ProcedureCode?
    /// SV201: the revenue code of an institutional line.
    public var revenueCode: String?
    /// Up to four modifiers, in order.
    @OmittedWhenEmpty public var modifiers: [Modifier]
    /// SV101-7 / SV202-7: description, for unlisted and not-otherwise-classified codes.
    public var procedureDescription: String?
    public var charge: Money
    /// SV103 / SV204: UN unit, MJ minutes, DA days.
    public var unitBasis: String?
    public var units: Quantity?
    /// SV105, when the line's place of service differs from the claim's.
    public var placeOfService: String?
    /// SV107 (1-based pointers into the claim's principal and other diagnoses).
    @OmittedWhenEmpty public var diagnosisPointers: [Int]
    /// DTP*472 service date or range.
    public var serviceDate: DateOrRange?
    public var renderingProvider: Provider?
    public var referringProvider: Provider?
    @OmittedWhenEmpty public var otherProviders: [Provider]
    public var drug: DrugInfo?
    /// REF*6R line item control number.
    public var lineControlNumber: String?
    public var priorAuthorization: String?
    @OmittedWhenEmpty public var notes: [Note]
    @OmittedWhenEmpty public var attachments: [Attachment]

    public init(number: Int, lx: String? = nil, procedureQualifier: String? = "HC", procedureCode: ProcedureCode? = nil,
                revenueCode: String? = nil, modifiers: [Modifier] = [], procedureDescription: String? = nil,
                charge: Money, unitBasis: String? = "UN", units: Quantity? = nil, placeOfService: String? = nil,
                diagnosisPointers: [Int] = [], serviceDate: DateOrRange? = nil, renderingProvider: Provider? = nil,
                referringProvider: Provider? = nil, otherProviders: [Provider] = [], drug: DrugInfo? = nil,
                lineControlNumber: String? = nil, priorAuthorization: String? = nil, notes: [Note] = [],
                attachments: [Attachment] = []) {
        self.number = number; self.lx = lx; self.procedureQualifier = procedureQualifier
        self.procedureCode = procedureCode; self.revenueCode = revenueCode; self.modifiers = modifiers
        self.procedureDescription = procedureDescription; self.charge = charge; self.unitBasis = unitBasis
        self.units = units; self.placeOfService = placeOfService; self.diagnosisPointers = diagnosisPointers
        self.serviceDate = serviceDate; self.renderingProvider = renderingProvider
        self.referringProvider = referringProvider; self.otherProviders = otherProviders; self.drug = drug
        self.lineControlNumber = lineControlNumber; self.priorAuthorization = priorAuthorization
        self.notes = notes; self.attachments = attachments
    }
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
    public var type: ClaimType
    /// CLM01, the patient control number the provider assigned.
    public var id: String
    /// CLM02.
    public var totalCharge: Money
    public var submitter: Party?
    public var receiver: Party?
    /// BHT04: the day the claim file was created.
    public var createdOn: CalendarDate?
    /// Loop 2010AA; nil when the file has no billing provider name loop (a rule reports it).
    public var billingProvider: Provider?
    public var payToProvider: Provider?
    public var subscriber: Subscriber
    public var patient: Patient
    /// Loop 2010BB; nil when the file has none.
    public var payer: Payer?
    /// CLM05-1 on an 837P: the place of service code (11 office, 21 inpatient hospital …).
    public var placeOfService: String?
    /// CLM05-1 on an 837I: the facility type code (first two digits of the type of bill).
    public var facilityTypeCode: String?
    /// CLM05-2: B (place of service) or A (uniform billing claim form bill type).
    public var facilityCodeQualifier: String?
    /// CLM05-3: 1 original, 7 replacement, 8 void …
    public var frequencyCode: String?
    /// CLM06 provider signature on file, CLM07 assignment / plan participation, CLM08 benefits assigned,
    /// CLM09 release of information.
    public var providerSignatureOnFile: String?
    public var assignmentCode: String?
    public var benefitsAssigned: String?
    public var releaseOfInformation: String?
    /// CLM11: related causes (AA auto accident, EM employment, OA other accident).
    @OmittedWhenEmpty public var relatedCauses: [String]
    public var priorAuthorization: String?
    public var referralNumber: String?
    /// REF*F8: the payer's claim control number of the claim this one replaces or voids.
    public var originalClaimNumber: String?
    public var medicalRecordNumber: String?
    public var clearinghouseTraceNumber: String?
    @OmittedWhenEmpty public var dates: [QualifiedDate]
    @OmittedWhenEmpty public var diagnoses: [Diagnosis]
    @OmittedWhenEmpty public var notes: [Note]
    @OmittedWhenEmpty public var attachments: [Attachment]
    public var referringProvider: Provider?
    public var renderingProvider: Provider?
    public var serviceFacility: Provider?
    /// Supervising (837P), attending, operating and other providers (837I), in the order written.
    @OmittedWhenEmpty public var otherProviders: [Provider]
    public var institutional: InstitutionalDetails?
    @OmittedWhenEmpty public var otherCoverage: [OtherCoverage]
    @OmittedWhenEmpty public var lines: [ServiceLine]
    public var source: ClaimSource?

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
        self.type = type; self.id = id; self.totalCharge = totalCharge; self.submitter = submitter
        self.receiver = receiver; self.createdOn = createdOn; self.billingProvider = billingProvider
        self.payToProvider = payToProvider; self.subscriber = subscriber; self.patient = patient; self.payer = payer
        self.placeOfService = placeOfService; self.facilityTypeCode = facilityTypeCode
        self.facilityCodeQualifier = facilityCodeQualifier; self.frequencyCode = frequencyCode
        self.providerSignatureOnFile = providerSignatureOnFile; self.assignmentCode = assignmentCode
        self.benefitsAssigned = benefitsAssigned; self.releaseOfInformation = releaseOfInformation
        self.relatedCauses = relatedCauses; self.priorAuthorization = priorAuthorization
        self.referralNumber = referralNumber; self.originalClaimNumber = originalClaimNumber
        self.medicalRecordNumber = medicalRecordNumber; self.clearinghouseTraceNumber = clearinghouseTraceNumber
        self.dates = dates; self.diagnoses = diagnoses; self.notes = notes; self.attachments = attachments
        self.referringProvider = referringProvider; self.renderingProvider = renderingProvider
        self.serviceFacility = serviceFacility; self.otherProviders = otherProviders
        self.institutional = institutional; self.otherCoverage = otherCoverage; self.lines = lines
        self.source = source
    }

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
