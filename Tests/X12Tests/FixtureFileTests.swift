import ClaimModel
import Foundation
import Testing
@testable import X12

/// The hand-written fixtures in Fixtures/837p and Fixtures/837i (see Fixtures/README.md): every loop and segment
/// the reader maps, each value checked field by field against what the file says. Segment numbers are the
/// fixtures' line numbers (one segment per line).
@Suite("Hand-written 837P and 837I fixtures")
struct FixtureFileTests {
    // MARK: 837P, every loop

    @Test func professionalClaimMapsEveryLoop() throws {
        let (claims, issues, path) = try readFixture("837p/every-loop-one-claim.837")
        #expect(issues.isEmpty, "\(issues)")
        #expect(claims.count == 1)
        let claim = try #require(claims.first)

        // Envelope, BHT, 1000A/1000B.
        #expect(claim.type == .professional)
        #expect(claim.id == "PCN-ALL-LOOPS")
        #expect(claim.totalCharge == cents(41_250))
        #expect(claim.submitter == Party(name: "TEST BILLING SERVICE", id: "SUBM0001"))
        #expect(claim.receiver == Party(name: "TEST CLEARINGHOUSE", id: "RECV0001"))
        #expect(claim.createdOn == CalendarDate(year: 2024, month: 1, day: 5))
        #expect(claim.source?.file == path)
        #expect(claim.source?.segment == 34)
        #expect(claim.source?.interchangeControlNumber == "000000101")
        #expect(claim.source?.transactionControlNumber == "0001")
        #expect(claim.source?.implementationGuide == "005010X222A1")

        // 2000A PRV, 2010AA with N3 (two lines), N4, REF*EI; the REF*G2 of 2010BB is not the billing provider's.
        #expect(claim.billingProvider == Provider(
            role: .billing, entityType: "2", name: PersonName(last: "TEST FAMILY CLINIC"), npi: NPI("1234567893"),
            taxID: QualifiedID(qualifier: "EI", id: "999000001"), taxonomy: "207Q00000X",
            address: Address(lines: ["100 TEST AVENUE", "SUITE 1"], city: "TESTVILLE", state: "NY", postalCode: "100010001")))
        #expect(claim.billingProvider?.npi?.isValid == true)
        // 2010AB pay-to address.
        #expect(claim.payToProvider == Provider(
            role: .payTo, entityType: "2", name: PersonName(last: ""),
            address: Address(lines: ["PO BOX 100"], city: "TESTVILLE", state: "NY", postalCode: "10001")))

        // 2000B SBR, 2010BA (NM1 with middle name and suffix, N3, N4, DMG), 2010BB.
        #expect(claim.subscriber == Subscriber(
            memberID: "TESTMEMBER01", name: PersonName(last: "TESTSUBSCRIBER", first: "JANE", middle: "Q", suffix: "JR"),
            birthDate: try d8("19800115"), sex: "F",
            address: Address(lines: ["200 SUBSCRIBER ROAD", "APT 2"], city: "TESTVILLE", state: "NY", postalCode: "10002"),
            payerResponsibility: "P", relationshipCode: nil, groupNumber: "GRP0001", groupName: "TEST GROUP PLAN",
            insuranceType: nil, claimFilingIndicator: "CI"))
        #expect(claim.payer == Payer(id: "PAYER001", name: "TEST HEALTH PLAN", idQualifier: "PI"))

        // 2000C PAT and 2010CA: the patient is the subscriber's child.
        #expect(claim.patient == Patient(
            name: PersonName(last: "TESTPATIENT", first: "TIMMY"), birthDate: try d8("20150620"), sex: "M",
            address: Address(lines: ["200 SUBSCRIBER ROAD", "APT 2"], city: "TESTVILLE", state: "NY", postalCode: "10002"),
            relationshipToSubscriber: "19", isSubscriber: false))

        // CLM: CLM05 composite, CLM06–CLM09, CLM11 related causes (CLM11-4 is the accident state, not a cause).
        #expect(claim.placeOfService == "11")
        #expect(claim.facilityTypeCode == nil)
        #expect(claim.facilityCodeQualifier == "B")
        #expect(claim.frequencyCode == "1")
        #expect(claim.providerSignatureOnFile == "Y")
        #expect(claim.assignmentCode == "A")
        #expect(claim.benefitsAssigned == "Y")
        #expect(claim.releaseOfInformation == "Y")
        #expect(claim.relatedCauses == ["AA", "EM"])

        // DTP, PWK, REF, NTE, HI at claim level; the REF*G1 of loop 2330B is not the claim's prior authorization.
        #expect(claim.dates == [QualifiedDate(qualifier: "431", date: try d8("20240101")),
                                QualifiedDate(qualifier: "439", date: try d8("20231231"))])
        #expect(claim.attachments == [Attachment(reportType: "OZ", transmission: "BM", controlNumber: "ATTACH001")])
        #expect(claim.priorAuthorization == "PRIORAUTH01")
        #expect(claim.referralNumber == "REFERRAL01")
        #expect(claim.originalClaimNumber == nil)
        #expect(claim.medicalRecordNumber == "MRN0001")
        #expect(claim.clearinghouseTraceNumber == "CLEARINGHOUSE01")
        #expect(claim.notes == [Note(reference: "ADD", text: "CLAIM NOTE FOR TESTING")])
        #expect(claim.diagnoses == [
            Diagnosis(code: "J069", system: .icd10cm, role: .principal, qualifier: "ABK"),
            Diagnosis(code: "R509", system: .icd10cm, role: .other, qualifier: "ABF"),
            Diagnosis(code: "Z23", system: .icd10cm, role: .other, qualifier: "ABF"),
        ])
        #expect(claim.diagnoses.first?.icd10?.dotted == "J06.9")

        // 2310A referring (with REF), 2310B rendering (PRV, REF), 2310C facility (N3/N4), 2310D supervising.
        #expect(claim.referringProvider == Provider(
            role: .referring, entityType: "1", name: PersonName(last: "TESTREFERRING", first: "ROBERT"),
            npi: NPI("1111111112"), secondaryIDs: [QualifiedID(qualifier: "0B", id: "REFSTATELIC")]))
        #expect(claim.renderingProvider == Provider(
            role: .rendering, entityType: "1", name: PersonName(last: "TESTRENDERING", first: "ALICE", middle: "M"),
            npi: NPI("1222222220"), taxonomy: "207Q00000X", secondaryIDs: [QualifiedID(qualifier: "G2", id: "RENDER-G2")]))
        #expect(claim.serviceFacility == Provider(
            role: .serviceFacility, entityType: "2", name: PersonName(last: "TEST SURGERY CENTER"), npi: NPI("1333333338"),
            address: Address(lines: ["300 FACILITY WAY"], city: "TESTVILLE", state: "NY", postalCode: "10003")))
        #expect(claim.otherProviders == [Provider(
            role: .supervising, entityType: "1", name: PersonName(last: "TESTSUPERVISOR", first: "CAROL"),
            npi: NPI("1444444446"))])
        #expect(claim.institutional == nil)

        // 2320 SBR + AMT*D, 2330A other subscriber, 2330B other payer.
        #expect(claim.otherCoverage == [OtherCoverage(
            payerResponsibility: "S", relationshipCode: "01", groupNumber: "GRP0099", claimFilingIndicator: "CI",
            subscriberName: PersonName(last: "TESTOTHERSUB", first: "JOHN"), memberID: "OTHERMEMBER01",
            payer: Payer(id: "PAYER002", name: "TEST OTHER PAYER", idQualifier: "PI"), paidAmount: cents(10_025))])

        // 2400: three lines.
        try #require(claim.lines.count == 3)
        let first = claim.lines[0]
        #expect(first.number == 1)
        #expect(first.lx == "1")
        #expect(first.procedureQualifier == "HC")
        #expect(first.procedureCode == ProcedureCode("99214"))
        #expect(first.procedureCode?.kind == .cptCategoryI)
        #expect(first.revenueCode == nil)
        #expect(first.modifiers == ["25", "GT", "59", "XS"])
        #expect(first.procedureDescription == "OFFICE VISIT")
        #expect(first.charge == cents(15_000))
        #expect(first.unitBasis == "UN")
        #expect(first.units == units(1_000))
        #expect(first.placeOfService == nil)
        #expect(first.diagnosisPointers == [1, 2, 3])
        #expect(first.serviceDate == (try d8("20240102")))
        #expect(first.lineControlNumber == "LINE0001")
        #expect(first.notes == [Note(reference: "ADD", text: "LINE NOTE ONE")])
        #expect(first.attachments == [Attachment(reportType: "OZ", transmission: "FX", controlNumber: "LINEATTACH01")])
        #expect(first.drug == nil)
        // 2420A rendering (with PRV), 2420E ordering (with N3/N4), 2420F referring.
        #expect(first.renderingProvider == Provider(
            role: .rendering, entityType: "1", name: PersonName(last: "TESTLINERENDER", first: "BOB"),
            npi: NPI("1555555550"), taxonomy: "208D00000X"))
        #expect(first.otherProviders == [Provider(
            role: .ordering, entityType: "1", name: PersonName(last: "TESTORDERING", first: "DIANA"), npi: NPI("1666666668"),
            address: Address(lines: ["400 ORDERING BLVD"], city: "TESTVILLE", state: "NY", postalCode: "10004"))])
        #expect(first.referringProvider == Provider(
            role: .referring, entityType: "1", name: PersonName(last: "TESTLINEREFER", first: "ED"), npi: NPI("1777777776")))

        // A drug line: SV105 place of service, DTP*472 RD8, 2410 LIN/CTP/REF*XZ.
        let drugLine = claim.lines[1]
        #expect(drugLine.number == 2)
        #expect(drugLine.lx == "2")
        #expect(drugLine.procedureCode == ProcedureCode("J3301"))
        #expect(drugLine.procedureCode?.kind == .hcpcsLevelII)
        #expect(drugLine.modifiers.isEmpty)
        #expect(drugLine.procedureDescription == nil)
        #expect(drugLine.charge == cents(6_250))
        #expect(drugLine.units == units(2_000))
        #expect(drugLine.placeOfService == "22")
        #expect(drugLine.diagnosisPointers == [2])
        #expect(drugLine.serviceDate == (try rd8("20240102", "20240104")))
        #expect(drugLine.drug == DrugInfo(qualifier: "N4", ndc: NDC("99999099901"), quantity: units(2_000), unit: "ML",
                                          prescriptionNumber: "RX000123"))
        #expect(drugLine.drug?.ndc.isWellFormed == true)
        // Nothing of line 1 carries over.
        #expect(drugLine.renderingProvider == nil)
        #expect(drugLine.referringProvider == nil)
        #expect(drugLine.otherProviders.isEmpty)
        #expect(drugLine.notes.isEmpty && drugLine.attachments.isEmpty && drugLine.lineControlNumber == nil)

        let third = claim.lines[2]
        #expect(third.procedureCode == ProcedureCode("99070"))
        #expect(third.charge == cents(20_000))
        #expect(third.unitBasis == "MJ")
        #expect(third.units == units(1_500))
        #expect(third.diagnosisPointers == [3, 1])
        #expect(third.serviceDate == (try d8("20240103")))
        #expect(third.drug == nil)
        #expect(claim.diagnosis(forPointer: 3)?.code == "Z23")
        #expect(claim.lineChargeTotal == claim.totalCharge)

        // The claim's source bytes are its loop 2300 exactly, CLM through the last line's DTP.
        let bytes = try fixtureBytes("837p/every-loop-one-claim.837")
        let loop = try sourceText(of: claim, in: bytes)
        #expect(loop == (try expectedLoopText(claim: "PCN-ALL-LOOPS", in: bytes)))
        #expect(loop.hasPrefix("CLM*PCN-ALL-LOOPS*412.50*"))
        #expect(loop.hasSuffix("DTP*472*D8*20240103~"))
    }

    // MARK: 837I, every loop

    @Test func institutionalClaimMapsEveryLoop() throws {
        let (claims, issues, _) = try readFixture("837i/every-loop-one-claim.837i")
        // DTP*435 DT (date and time) and DTP*096 TM (a time of day) are formats the guide allows.
        #expect(issues.isEmpty, "\(issues)")
        let claim = try #require(claims.first)
        #expect(claims.count == 1)
        #expect(claim.type == .institutional)
        #expect(claim.id == "PCN-INST-001")
        #expect(claim.totalCharge == cents(155_000))
        #expect(claim.submitter == Party(name: "TEST HOSPITAL BILLING", id: "SUBMI001"))
        #expect(claim.createdOn == CalendarDate(year: 2024, month: 1, day: 6))
        #expect(claim.source?.segment == 21)
        #expect(claim.source?.implementationGuide == "005010X223A2")
        #expect(claim.source?.interchangeControlNumber == "000000201")

        #expect(claim.billingProvider == Provider(
            role: .billing, entityType: "2", name: PersonName(last: "TEST GENERAL HOSPITAL"), npi: NPI("1888888884"),
            taxID: QualifiedID(qualifier: "EI", id: "999000002"), taxonomy: "282N00000X",
            address: Address(lines: ["500 HOSPITAL DRIVE"], city: "TESTVILLE", state: "NY", postalCode: "10005")))
        #expect(claim.payToProvider == nil)
        #expect(claim.subscriber == Subscriber(
            memberID: "TESTMEDICARE01", name: PersonName(last: "TESTINPATIENT", first: "MARY"),
            birthDate: try d8("19450310"), sex: "F",
            address: Address(lines: ["600 PATIENT LANE"], city: "TESTVILLE", state: "NY", postalCode: "10006"),
            payerResponsibility: "P", relationshipCode: "18", groupNumber: "GRPI001", claimFilingIndicator: "MA"))
        #expect(claim.patient == Patient(
            name: PersonName(last: "TESTINPATIENT", first: "MARY"), birthDate: try d8("19450310"), sex: "F",
            address: Address(lines: ["600 PATIENT LANE"], city: "TESTVILLE", state: "NY", postalCode: "10006"),
            relationshipToSubscriber: "18", isSubscriber: true))
        #expect(claim.payer == Payer(id: "MEDA001", name: "TEST MEDICARE PART A", idQualifier: "PI"))

        // CLM05 on an 837I: facility type, qualifier A, frequency.
        #expect(claim.facilityTypeCode == "11")
        #expect(claim.placeOfService == nil)
        #expect(claim.facilityCodeQualifier == "A")
        #expect(claim.frequencyCode == "1")
        #expect(claim.providerSignatureOnFile == nil)
        #expect(claim.assignmentCode == "A")
        #expect(claim.benefitsAssigned == "Y")
        #expect(claim.releaseOfInformation == "Y")
        #expect(claim.relatedCauses.isEmpty)

        // Statement period (RD8), admission (DT: the date is kept, the hour is not modelled), discharge hour (TM).
        #expect(claim.dates == [
            QualifiedDate(qualifier: "434", date: try rd8("20240101", "20240105")),
            QualifiedDate(qualifier: "435", date: try d8("20240101")),
            QualifiedDate(qualifier: "096", date: DateOrRange(unparsed: "1130")),
        ])
        #expect(claim.priorAuthorization == "PRIORAUTHI01")
        #expect(claim.medicalRecordNumber == "MRNI0001")
        #expect(claim.notes == [Note(reference: "ADD", text: "INSTITUTIONAL NOTE")])

        // HI: principal, admitting, reason for visit, external cause and other diagnoses, with POA (HI0x-9).
        #expect(claim.diagnoses == [
            Diagnosis(code: "J189", system: .icd10cm, role: .principal, qualifier: "ABK", presentOnAdmission: "Y"),
            Diagnosis(code: "R0602", system: .icd10cm, role: .admitting, qualifier: "ABJ"),
            Diagnosis(code: "R509", system: .icd10cm, role: .reasonForVisit, qualifier: "APR"),
            Diagnosis(code: "W1830XA", system: .icd10cm, role: .externalCause, qualifier: "ABN", presentOnAdmission: "N"),
            Diagnosis(code: "E119", system: .icd10cm, role: .other, qualifier: "ABF", presentOnAdmission: "Y"),
            Diagnosis(code: "I10", system: .icd10cm, role: .other, qualifier: "ABF", presentOnAdmission: "1"),
        ])
        // Pointers reach only the principal and other diagnoses.
        #expect(claim.pointableDiagnoses.map(\.code) == ["J189", "E119", "I10"])

        // CL1, procedures (BBR), occurrence codes (BH), spans (BI), value codes (BE), condition codes (BG).
        #expect(claim.institutional == InstitutionalDetails(
            admissionType: "1", admissionSource: "7", patientStatus: "01", conditionCodes: ["17", "39"],
            occurrenceCodes: [InstitutionalCode(qualifier: "BH", code: "11", date: try d8("20231231"))],
            occurrenceSpans: [InstitutionalCode(qualifier: "BI", code: "70", date: try rd8("20231201", "20231215"))],
            valueCodes: [InstitutionalCode(qualifier: "BE", code: "80", amount: cents(500)),
                         InstitutionalCode(qualifier: "BE", code: "A1", amount: cents(10_050))],
            procedures: [InstitutionalCode(qualifier: "BBR", code: "0BH17EZ", date: try d8("20240102"))]))

        // 2310A attending (PRV, REF), 2310B operating, 2310C other operating, 2310D rendering, 2310E facility,
        // 2310F referring.
        #expect(claim.otherProviders == [
            Provider(role: .attending, entityType: "1", name: PersonName(last: "TESTATTENDING", first: "ARTHUR"),
                     npi: NPI("1999999992"), taxonomy: "207RH0000X", secondaryIDs: [QualifiedID(qualifier: "G2", id: "ATTEND-G2")]),
            Provider(role: .operating, entityType: "1", name: PersonName(last: "TESTOPERATING", first: "OLIVIA"),
                     npi: NPI("1000000004")),
            Provider(role: .otherOperating, entityType: "1", name: PersonName(last: "TESTOTHEROP", first: "OSCAR"),
                     npi: NPI("1200000002")),
        ])
        #expect(claim.renderingProvider == Provider(
            role: .rendering, entityType: "1", name: PersonName(last: "TESTINSTRENDER", first: "RITA"), npi: NPI("1300000001")))
        #expect(claim.serviceFacility == Provider(
            role: .serviceFacility, entityType: "2", name: PersonName(last: "TEST OUTPATIENT CENTER"), npi: NPI("1400000000"),
            address: Address(lines: ["700 CENTER ST"], city: "TESTVILLE", state: "NY", postalCode: "10007")))
        #expect(claim.referringProvider == Provider(
            role: .referring, entityType: "1", name: PersonName(last: "TESTINSTREFER", first: "RAY"), npi: NPI("1500000009")))

        #expect(claim.otherCoverage == [OtherCoverage(
            payerResponsibility: "S", relationshipCode: "01", groupNumber: "GRPI002", claimFilingIndicator: "CI",
            subscriberName: PersonName(last: "TESTOTHERSUBI", first: "PAUL"), memberID: "OTHERI01",
            payer: Payer(id: "PAYER003", name: "TEST SUPPLEMENT PLAN", idQualifier: "PI"), paidAmount: cents(30_000))])

        // SV2 with a revenue code only, and SV2 with a HCPCS code, modifier and description.
        try #require(claim.lines.count == 2)
        let room = claim.lines[0]
        #expect(room.revenueCode == "0120")
        #expect(room.procedureQualifier == nil)
        #expect(room.procedureCode == nil)
        #expect(room.modifiers.isEmpty)
        #expect(room.charge == cents(120_000))
        #expect(room.unitBasis == "DA")
        #expect(room.units == units(4_000))
        #expect(room.serviceDate == (try rd8("20240101", "20240105")))
        #expect(room.lineControlNumber == nil)
        let visit = claim.lines[1]
        #expect(visit.number == 2)
        #expect(visit.lx == "2")
        #expect(visit.revenueCode == "0450")
        #expect(visit.procedureQualifier == "HC")
        #expect(visit.procedureCode == ProcedureCode("99284"))
        #expect(visit.modifiers == ["25"])
        #expect(visit.procedureDescription == "EMERGENCY VISIT")
        #expect(visit.charge == cents(35_000))
        #expect(visit.unitBasis == "UN")
        #expect(visit.units == units(1_000))
        #expect(visit.serviceDate == (try d8("20240101")))
        #expect(visit.lineControlNumber == "ILINE0002")
        #expect(claim.lineChargeTotal == claim.totalCharge)
    }

    @Test func institutionalSubscriberAsPatientAndDependent() throws {
        let (claims, issues, _) = try readFixture("837i/subscriber-patient-and-dependent.837i")
        #expect(issues.isEmpty, "\(issues)")
        #expect(claims.map(\.id) == ["INST-SELF", "INST-DEPENDENT"])
        let selfClaim = try claims.claim("INST-SELF")
        #expect(selfClaim.type == .institutional)
        #expect(selfClaim.facilityTypeCode == "13")
        #expect(selfClaim.patient.isSubscriber)
        #expect(selfClaim.patient.name == PersonName(last: "TESTSUBSCRIBERG", first: "GIA"))
        #expect(selfClaim.patient.relationshipToSubscriber == "18")
        #expect(selfClaim.payer?.name == "TEST PLAN G")
        #expect(selfClaim.institutional?.admissionType == "3")
        #expect(selfClaim.institutional?.admissionSource == "1")
        #expect(selfClaim.dates == [QualifiedDate(qualifier: "434", date: try d8("20240107"))])
        #expect(selfClaim.lines.map(\.revenueCode) == ["0300"])
        #expect(selfClaim.lines.first?.units == units(3_000))
        #expect(selfClaim.source?.segment == 20)

        let dependent = try claims.claim("INST-DEPENDENT")
        #expect(!dependent.patient.isSubscriber)
        #expect(dependent.patient == Patient(
            name: PersonName(last: "TESTPATIENTKID", first: "IVY"), birthDate: try d8("20100808"), sex: "F",
            address: Address(lines: ["200 SUBSCRIBER ROAD"], city: "TESTVILLE", state: "NY", postalCode: "10002"),
            relationshipToSubscriber: "19", isSubscriber: false))
        #expect(dependent.subscriber.name == PersonName(last: "TESTSUBSCRIBERH", first: "HAL"))
        #expect(dependent.subscriber.relationshipCode == nil)
        #expect(dependent.subscriber.memberID == "MEMBERH01")
        #expect(dependent.payer == Payer(id: "PAYERH", name: "TEST PLAN H", idQualifier: "PI"))
        #expect(dependent.totalCharge == cents(12_575))
        #expect(dependent.diagnoses.map(\.code) == ["S52501A"])
        let line = try #require(dependent.lines.first)
        #expect(line.revenueCode == "0320")
        #expect(line.procedureCode == ProcedureCode("73090"))
        #expect(line.modifiers == ["RT"])
        #expect(line.charge == cents(12_575))
        #expect(dependent.billingProvider?.name.last == "TEST GENERAL HOSPITAL")
        #expect(dependent.billingProvider?.taxonomy == nil)
    }

    // MARK: Hierarchy

    @Test func severalSubscribersAndDependentsUnderOneBillingProvider() throws {
        let file = "837p/three-subscribers-dependents-one-billing-provider.837"
        let (claims, issues, _) = try readFixture(file)
        #expect(issues.isEmpty, "\(issues)")
        #expect(claims.map(\.id) == ["CLAIM-A1", "CLAIM-A2", "CLAIM-B1", "CLAIM-C0", "CLAIM-C1", "CLAIM-C2"])
        #expect(claims.map { $0.source?.segment } == [21, 26, 41, 53, 64, 75])
        #expect(claims.allSatisfy { $0.billingProvider?.npi == NPI("1234567893") })

        // Subscriber A (self) with two claims.
        for id in ["CLAIM-A1", "CLAIM-A2"] {
            let claim = try claims.claim(id)
            #expect(claim.subscriber == Subscriber(
                memberID: "MEMBERA01", name: PersonName(last: "TESTSUBSCRIBERA", first: "ANN"), birthDate: try d8("19700101"),
                sex: "F", address: Address(lines: ["200 SUBSCRIBER ROAD"], city: "TESTVILLE", state: "NY", postalCode: "10002"),
                payerResponsibility: "P", relationshipCode: "18", groupNumber: "GRPA", groupName: "TEST GROUP A",
                claimFilingIndicator: "CI"))
            #expect(claim.patient.isSubscriber)
            #expect(claim.patient.name == claim.subscriber.name)
            #expect(claim.patient.birthDate == (try d8("19700101")))
            #expect(claim.payer == Payer(id: "PAYERA", name: "TEST PLAN A", idQualifier: "PI"))
        }
        let a2 = try claims.claim("CLAIM-A2")
        #expect(a2.totalCharge == cents(18_050))
        #expect(a2.lines.map(\.charge) == [cents(8_050), cents(10_000)])
        #expect(a2.lines.map(\.number) == [1, 2])
        #expect(a2.lines.map { $0.procedureCode?.text } == ["99212", "36415"])

        // Subscriber B: every SBR element (secondary, self, group number and name, insurance type, Medicare B).
        let b1 = try claims.claim("CLAIM-B1")
        #expect(b1.subscriber == Subscriber(
            memberID: "MEMBERB01", name: PersonName(last: "TESTSUBSCRIBERB", first: "BEN"), birthDate: try d8("19500202"),
            sex: "M", address: Address(lines: ["200 SUBSCRIBER ROAD"], city: "TESTVILLE", state: "NY", postalCode: "10002"),
            payerResponsibility: "S", relationshipCode: "18", groupNumber: "GRPB", groupName: "TEST GROUP B",
            insuranceType: "12", claimFilingIndicator: "MB"))
        #expect(b1.payer == Payer(id: "PAYERB", name: "TEST MEDICARE B", idQualifier: "PI"))
        #expect(b1.diagnoses.map(\.code) == ["I10"])

        // Subscriber C: a claim of their own, then two dependents (child, spouse) with theirs.
        let c0 = try claims.claim("CLAIM-C0")
        #expect(c0.patient.isSubscriber)
        #expect(c0.patient.name == PersonName(last: "TESTSUBSCRIBERC", first: "CARA"))
        #expect(c0.patient.relationshipToSubscriber == "18")
        #expect(c0.subscriber.claimFilingIndicator == "BL")
        let c1 = try claims.claim("CLAIM-C1")
        #expect(c1.patient == Patient(
            name: PersonName(last: "TESTPATIENTCHILD", first: "CODY"), birthDate: try d8("20120404"), sex: "M",
            address: Address(lines: ["200 SUBSCRIBER ROAD"], city: "TESTVILLE", state: "NY", postalCode: "10002"),
            relationshipToSubscriber: "19", isSubscriber: false))
        #expect(c1.subscriber.name == PersonName(last: "TESTSUBSCRIBERC", first: "CARA"))
        #expect(c1.subscriber.memberID == "MEMBERC01")
        #expect(c1.payer?.id == "PAYERC")
        #expect(c1.diagnoses.map(\.code) == ["Z00129"])
        let c2 = try claims.claim("CLAIM-C2")
        #expect(c2.patient.name == PersonName(last: "TESTPATIENTSPOUSE", first: "DREW"))
        #expect(c2.patient.relationshipToSubscriber == "01")
        #expect(c2.patient.sex == "U")
        #expect(c2.patient.birthDate == (try d8("19840505")))
        #expect(!c2.patient.isSubscriber)
        #expect(c2.subscriber.name?.last == "TESTSUBSCRIBERC")

        // Each claim's bytes are its own loop 2300: never the HL or CLM that follows it.
        let bytes = try fixtureBytes(file)
        for claim in claims {
            let loop = try sourceText(of: claim, in: bytes)
            #expect(loop == (try expectedLoopText(claim: claim.id, in: bytes)), "claim \(claim.id)")
        }
    }

    @Test func twoBillingProvidersInOneTransaction() throws {
        let file = "837p/two-billing-providers-one-transaction.837"
        let (claims, issues, _) = try readFixture(file)
        #expect(issues.isEmpty, "\(issues)")
        #expect(claims.map(\.id) == ["BP1-CLAIM", "BP2-CLAIM-1", "BP2-CLAIM-2"])
        let first = try claims.claim("BP1-CLAIM")
        #expect(first.billingProvider == Provider(
            role: .billing, entityType: "2", name: PersonName(last: "TEST FAMILY CLINIC"), npi: NPI("1234567893"),
            taxID: QualifiedID(qualifier: "EI", id: "999000001"), taxonomy: "207Q00000X",
            address: Address(lines: ["100 TEST AVENUE"], city: "TESTVILLE", state: "NY", postalCode: "100010001")))
        #expect(first.payToProvider == nil)
        // The second billing provider: a person, with an SSN, no PRV (no taxonomy carried over), a pay-to address.
        let secondProvider = Provider(
            role: .billing, entityType: "1", name: PersonName(last: "TESTDOCTOR", first: "SOLO", middle: "P"),
            npi: NPI("1888888884"), taxID: QualifiedID(qualifier: "SY", id: "999000003"),
            address: Address(lines: ["900 SOLO PRACTICE RD"], city: "OTHERTOWN", state: "NJ", postalCode: "07001"))
        let payTo = Provider(role: .payTo, entityType: "1", name: PersonName(last: ""),
                             address: Address(lines: ["PO BOX 900"], city: "OTHERTOWN", state: "NJ", postalCode: "07002"))
        for id in ["BP2-CLAIM-1", "BP2-CLAIM-2"] {
            let claim = try claims.claim(id)
            #expect(claim.billingProvider == secondProvider, "claim \(id)")
            #expect(claim.payToProvider == payTo, "claim \(id)")
        }
        #expect(try claims.claim("BP2-CLAIM-1").subscriber.name?.last == "TESTSUBSCRIBERD")
        #expect(try claims.claim("BP2-CLAIM-1").payer?.id == "PAYERD")
        #expect(try claims.claim("BP2-CLAIM-2").subscriber.name?.last == "TESTSUBSCRIBERE")
        #expect(try claims.claim("BP2-CLAIM-2").payer?.id == "PAYERE")
        #expect(claims.map(\.totalCharge) == [cents(10_000), cents(6_000), cents(7_000)])
        let bytes = try fixtureBytes(file)
        for claim in claims {
            #expect(try sourceText(of: claim, in: bytes) == (try expectedLoopText(claim: claim.id, in: bytes)), "claim \(claim.id)")
        }
    }

    // MARK: Claim content

    @Test func frequencyCodesOriginalReplacementVoid() throws {
        let (claims, issues, _) = try readFixture("837p/frequency-codes-original-replacement-void.837")
        #expect(issues.isEmpty, "\(issues)")
        #expect(claims.map(\.id) == ["FREQ-ORIGINAL", "FREQ-REPLACEMENT", "FREQ-VOID"])
        #expect(claims.map(\.frequencyCode) == ["1", "7", "8"])
        #expect(claims.map(\.originalClaimNumber) == [nil, "PAYERICN0007", "PAYERICN0008"])
        #expect(claims.map(\.facilityCodeQualifier) == ["B", "B", "B"])
        #expect(claims.map(\.placeOfService) == ["11", "11", "11"])
        #expect(claims.map(\.totalCharge) == [cents(10_000), cents(11_000), cents(10_000)])
        #expect(claims.map { $0.lines.first?.procedureCode?.text } == ["99213", "99214", "99213"])
    }

    @Test func icd9Qualifiers() throws {
        let (claims, issues, _) = try readFixture("837p/icd9-diagnosis-qualifiers.837")
        #expect(issues.isEmpty, "\(issues)")
        let claim = try #require(claims.first)
        #expect(claim.diagnoses == [
            Diagnosis(code: "4011", system: .icd9cm, role: .principal, qualifier: "BK"),
            Diagnosis(code: "25000", system: .icd9cm, role: .other, qualifier: "BF"),
            Diagnosis(code: "V7389", system: .icd9cm, role: .other, qualifier: "BF"),
        ])
        #expect(claim.diagnoses.allSatisfy { $0.icd10 == nil })
        #expect(claim.createdOn == CalendarDate(year: 2013, month: 9, day: 5))
        #expect(claim.lines.first?.serviceDate == (try d8("20130904")))
    }

    // MARK: Envelopes, line ends and delimiters

    @Test func twoInterchangesTheSecondWithOtherDelimiters() throws {
        let (claims, issues, _) = try readFixture("837p/two-interchanges-second-with-other-delimiters.837")
        #expect(issues.isEmpty, "\(issues)")
        #expect(claims.map(\.id) == ["IC1-CLAIM", "IC2-CLAIM"])
        let first = try claims.claim("IC1-CLAIM")
        #expect(first.source?.interchangeControlNumber == "000000106")
        #expect(first.source?.transactionControlNumber == "0006")
        #expect(first.source?.segment == 21)
        #expect(first.billingProvider?.name.last == "TEST FAMILY CLINIC")
        #expect(first.diagnoses.map(\.code) == ["J069", "R509"])
        #expect(first.createdOn == CalendarDate(year: 2024, month: 1, day: 5))
        // The second interchange writes | between elements and > between components.
        let second = try claims.claim("IC2-CLAIM")
        #expect(second.source?.interchangeControlNumber == "000000107")
        #expect(second.source?.transactionControlNumber == "0007")
        #expect(second.source?.segment == 49)
        #expect(second.billingProvider?.name.last == "TEST SECOND CLINIC")
        #expect(second.billingProvider?.npi == NPI("1999999992"))
        #expect(second.subscriber.name == PersonName(last: "TESTSUBSCRIBERF", first: "FAY"))
        #expect(second.placeOfService == "11")
        #expect(second.facilityCodeQualifier == "B")
        #expect(second.frequencyCode == "1")
        #expect(second.diagnoses == [Diagnosis(code: "N390", system: .icd10cm, role: .principal, qualifier: "ABK"),
                                     Diagnosis(code: "R3915", system: .icd10cm, role: .other, qualifier: "ABF")])
        #expect(second.lines.map { $0.procedureCode?.text } == ["99214", "81002"])
        #expect(second.lines.map(\.charge) == [cents(15_000), cents(5_000)])
        #expect(second.lines.map(\.diagnosisPointers) == [[1], [1]])
        #expect(second.submitter == Party(name: "TEST BILLING SERVICE", id: "SUBM0001"))
    }

    @Test(arguments: ["837p/crlf-after-each-segment.837", "837p/no-line-breaks.837"])
    func lineEndsDoNotChangeTheClaims(file: String) throws {
        let (claims, issues, _) = try readFixture(file)
        #expect(issues.isEmpty, "\(issues)")
        #expect(claims.map(\.id) == ["LINEEND-1", "LINEEND-2"])
        #expect(claims.map { $0.source?.segment } == [21, 26])
        #expect(claims.map(\.totalCharge) == [cents(10_000), cents(4_550)])
        #expect(claims.map { $0.diagnoses.map(\.code) } == [["J069", "R509"], ["R051"]])
        #expect(claims.map { $0.lines.map { $0.procedureCode?.text } } == [["99213"], ["99211"]])
        #expect(claims.map { $0.lines.first?.serviceDate } == [try d8("20240110"), try d8("20240111")])
        #expect(claims.allSatisfy { $0.subscriber.name == PersonName(last: "TESTSUBSCRIBERA", first: "ANN") })
        #expect(claims.allSatisfy { $0.billingProvider?.address?.postalCode == "100010001" })
        // The source bytes hold the claim's segments and their terminators, with no trailing line break.
        let bytes = try fixtureBytes(file)
        let first = try sourceText(of: claims[0], in: bytes)
        #expect(first.hasPrefix("CLM*LINEEND-1*100*"))
        #expect(first.hasSuffix("DTP*472*D8*20240110~"))
        #expect(!first.contains("CLM*LINEEND-2"))
        let second = try sourceText(of: claims[1], in: bytes)
        #expect(second.hasPrefix("CLM*LINEEND-2*45.5*"))
        #expect(second.hasSuffix("DTP*472*D8*20240111~"))
    }

    @Test func crlfAndNoLineBreaksReadTheSameClaims() throws {
        let withCRLF = try readFixture("837p/crlf-after-each-segment.837").claims
        let withoutBreaks = try readFixture("837p/no-line-breaks.837").claims
        func stripped(_ claims: [Claim]) -> [Claim] { claims.map { var claim = $0; claim.source = nil; return claim } }
        #expect(withCRLF.count == 2)
        #expect(stripped(withCRLF) == stripped(withoutBreaks))
        // Each claim starts where its CLM is in each file.
        for (file, claims) in [("837p/crlf-after-each-segment.837", withCRLF), ("837p/no-line-breaks.837", withoutBreaks)] {
            let text = String(decoding: try fixtureBytes(file), as: UTF8.self)
            for claim in claims {
                let clm = try #require(text.range(of: "CLM*\(claim.id)*"))
                #expect(claim.source?.byteOffset == Int64(text.utf8.distance(from: text.startIndex, to: clm.lowerBound)),
                        "\(file) claim \(claim.id)")
            }
        }
    }

    @Test func pipeElementCaretComponentNewlineTerminator() throws {
        let (claims, issues, _) = try readFixture("837p/pipe-element-caret-component-newline-terminator.837")
        #expect(issues.isEmpty, "\(issues)")
        let claim = try #require(claims.first)
        #expect(claims.count == 1)
        #expect(claim.id == "PIPE-CLAIM")
        #expect(claim.totalCharge == cents(13_500))
        #expect(claim.source?.interchangeControlNumber == "000000109")
        #expect(claim.placeOfService == "11")
        #expect(claim.facilityCodeQualifier == "B")
        #expect(claim.frequencyCode == "1")
        #expect(claim.billingProvider?.npi == NPI("1234567893"))
        #expect(claim.billingProvider?.address == Address(lines: ["100 TEST AVENUE"], city: "TESTVILLE", state: "NY",
                                                          postalCode: "100010001"))
        #expect(claim.subscriber.memberID == "MEMBERA01")
        #expect(claim.diagnoses.map(\.code) == ["J029", "R509"])
        #expect(claim.diagnoses.map(\.qualifier) == ["ABK", "ABF"])
        try #require(claim.lines.count == 2)
        #expect(claim.lines[0].procedureCode == ProcedureCode("99213"))
        #expect(claim.lines[0].modifiers == ["25"])
        #expect(claim.lines[0].diagnosisPointers == [1, 2])
        #expect(claim.lines[0].charge == cents(9_500))
        #expect(claim.lines[0].serviceDate == (try d8("20240112")))
        #expect(claim.lines[1].procedureCode == ProcedureCode("87880"))
        #expect(claim.lines[1].modifiers == ["QW"])
        #expect(claim.lines[1].charge == cents(4_000))
        #expect(claim.lines[1].diagnosisPointers == [1])
    }
}
