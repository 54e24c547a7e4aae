import Foundation
import Testing
@testable import ClaimModel

@Suite("JSON claims")
struct ClaimJSONTests {
    static func sampleClaim() -> Claim {
        var claim = Claim(
            type: .professional, id: "PCN-1", totalCharge: Money(cents: 12500),
            billingProvider: Provider(role: .billing, entityType: "2", name: PersonName(last: "SYNTHETIC CLINIC"),
                                      npi: NPI("1234567893"), taxID: QualifiedID(qualifier: "EI", id: "000000001")),
            subscriber: Subscriber(memberID: "M0001", name: PersonName(last: "TESTPATIENT", first: "ALEX"),
                                   birthDate: DateOrRange(CalendarDate(year: 1980, month: 1, day: 2)!), sex: "U",  // safe: a literal valid date
                                   payerResponsibility: "P", relationshipCode: "18", claimFilingIndicator: "MB"),
            patient: Patient(name: PersonName(last: "TESTPATIENT", first: "ALEX"), relationshipToSubscriber: "18", isSubscriber: true),
            payer: Payer(id: "00435", name: "SYNTHETIC PAYER", idQualifier: "PI"),
            placeOfService: "11", facilityCodeQualifier: "B", frequencyCode: "1")
        claim.diagnoses = [Diagnosis(code: "E119", system: .icd10cm, role: .principal, qualifier: "ABK")]
        claim.lines = [
            ServiceLine(number: 1, lx: "1", procedureCode: ProcedureCode("99213"), modifiers: ["25"], charge: Money(cents: 10000),
                        units: Quantity(1), diagnosisPointers: [1], serviceDate: DateOrRange(x12: "20240702", format: "D8")),
            ServiceLine(number: 2, lx: "2", procedureCode: ProcedureCode("J1550"), charge: Money(dollars: "25.OO"),
                        units: Quantity(text: "1.5"), serviceDate: DateOrRange(x12: "20240702-20240703", format: "RD8"),
                        drug: DrugInfo(ndc: NDC("00026063512"), quantity: Quantity(10), unit: "ML")),
        ]
        return claim
    }

    @Test func roundTripKeepsEveryValue() throws {
        let claim = Self.sampleClaim()
        let data = try ClaimJSON.encode([claim])
        let decoded = try ClaimJSON.decode(data)
        #expect(decoded == [claim])
    }

    @Test func moneyIsCentsOrTextAsWritten() throws {
        let data = try ClaimJSON.encode(claim: Self.sampleClaim(), pretty: false)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"totalCharge\":12500"))
        #expect(text.contains("\"charge\":\"25.OO\""))
        #expect(text.contains("\"serviceDate\":{\"from\":\"2024-07-02\",\"to\":\"2024-07-03\"}"))
        #expect(text.contains("\"units\":1.5"))
    }

    @Test func decodeErrorsNameThePath() throws {
        let bad = #"{"format":"claimscrub.claims","version":1,"claims":[{"type":"professional"}]}"#
        #expect {
            try ClaimJSON.decode(Data(bad.utf8))
        } throws: { error in
            guard let error = error as? ClaimJSON.DecodeError else { return false }
            return error.path == "claims[0]" && error.message.contains("\"id\"")
        }
    }

    @Test func minimalHandWrittenClaimReads() throws {
        let text = #"""
        {"type": "professional", "id": "T1", "totalCharge": 5000,
         "subscriber": {"memberID": "M1", "name": {"last": "TESTPATIENT"}},
         "patient": {"name": {"last": "TESTPATIENT"}, "isSubscriber": true},
         "lines": [{"number": 1, "procedureCode": "99213", "charge": 5000, "units": 1, "serviceDate": "2024-07-02"}]}
        """#
        let claims = try ClaimJSON.decode(Data(text.utf8))
        let claim = try #require(claims.first)
        #expect(claim.diagnoses.isEmpty)
        #expect(claim.billingProvider == nil)
        #expect(claim.lines.first?.modifiers == [])
        #expect(claim.lines.first?.serviceDate == DateOrRange(x12: "20240702", format: "D8"))
        #expect(claim.lines.first?.units?.thousandths == 1000)
    }

    @Test func emptyListsAreOmitted() throws {
        var claim = Self.sampleClaim()
        claim.lines[0].modifiers = []
        let text = String(decoding: try ClaimJSON.encode(claim: claim, pretty: false), as: UTF8.self)
        #expect(!text.contains("\"notes\""))
        #expect(!text.contains("\"modifiers\":[]"))
        #expect(text.contains("\"diagnosisPointers\":[1]"))
    }

    @Test func unsupportedVersionIsRefused() throws {
        let bad = #"{"format":"claimscrub.claims","version":99,"claims":[]}"#
        #expect(throws: ClaimJSON.DecodeError.self) { try ClaimJSON.decode(Data(bad.utf8)) }
    }

    @Test func pointersResolveToDiagnoses() {
        let claim = Self.sampleClaim()
        #expect(claim.diagnosis(forPointer: 1)?.code == "E119")
        #expect(claim.diagnosis(forPointer: 2) == nil)
        #expect(claim.diagnosis(forPointer: 0) == nil)
        #expect(claim.lineChargeTotal == nil)  // line 2's charge does not parse
    }
}
