import ClaimModel
import Testing
@testable import X12

/// The public sample files in Fixtures/samples, with the values each one carries.
@Suite("Public sample files")
struct SampleFileTests {
    @Test func demo837PMapsEveryLoop() throws {
        let (claims, issues) = read(path: try Fixture.sample("demo.837"))
        #expect(issues.isEmpty, "\(issues)")
        let claim = try #require(claims.first)
        #expect(claims.count == 1)
        #expect(claim.type == .professional)
        #expect(claim.id == "26463774")
        #expect(claim.totalCharge.cents == 10000)
        #expect(claim.submitter == Party(name: "PREMIER BILLING SERVICE", id: "TGJ23"))
        #expect(claim.receiver == Party(name: "KEY INSURANCE COMPANY", id: "66783JJT"))
        #expect(claim.createdOn == CalendarDate("20061015"))
        let billing = try #require(claim.billingProvider)
        #expect(billing.name.last == "BEN KILDARE SERVICE")
        #expect(billing.npi == NPI("1912301953"))
        #expect(billing.npi?.isValid == true)
        #expect(billing.taxID == QualifiedID(qualifier: "EI", id: "587654321"))
        #expect(billing.taxonomy == "203BF0100Y")
        #expect(billing.address == Address(lines: ["234 SEAWAY ST"], city: "MIAMI", state: "FL", postalCode: "331110000"))
        #expect(claim.payToProvider?.address?.lines == ["2345 OCEAN BLVD"])
        #expect(claim.subscriber.memberID == "JS00111223333")
        #expect(claim.subscriber.name == PersonName(last: "SMITH", first: "JANE"))
        #expect(claim.subscriber.payerResponsibility == "P")
        #expect(claim.subscriber.groupNumber == "2222-SJ")
        #expect(claim.subscriber.claimFilingIndicator == "CI")
        #expect(claim.payer == Payer(id: "999996666", name: "KEY INSURANCE COMPANY", idQualifier: "PI"))
        // Patient is not the subscriber: loop 2000C.
        #expect(!claim.patient.isSubscriber)
        #expect(claim.patient.name == PersonName(last: "SMITH", first: "TED"))
        #expect(claim.patient.relationshipToSubscriber == "19")
        #expect(claim.patient.birthDate == DateOrRange(x12: "19730501", format: "D8"))
        #expect(claim.patient.sex == "M")
        #expect(claim.patient.address?.city == "MIAMI")
        #expect(claim.placeOfService == "11")
        #expect(claim.facilityCodeQualifier == "B")
        #expect(claim.frequencyCode == "1")
        #expect(claim.clearinghouseTraceNumber == "17312345600006351")
        #expect(claim.diagnoses.map(\.code) == ["0340", "V7389"])
        #expect(claim.diagnoses.map(\.role) == [.principal, .other])
        #expect(claim.diagnoses.allSatisfy { $0.system == .icd9cm })
        #expect(claim.lines.map { $0.procedureCode?.text } == ["99213", "87070", "99214", "86663"])
        #expect(claim.lines.map(\.charge.cents) == [4000, 1500, 3500, 1000])
        #expect(claim.lines.map(\.diagnosisPointers) == [[1], [1], [2], [2]])
        #expect(claim.lines[2].serviceDate == DateOrRange(x12: "20061010", format: "D8"))
        #expect(claim.lines.map(\.number) == [1, 2, 3, 4])
        #expect(claim.lineChargeTotal == claim.totalCharge)
        #expect(claim.source?.segment == 28)
        #expect(claim.source?.transactionControlNumber == "0021")
    }

    @Test func demo837IMapsInstitutionalLoops() throws {
        let (claims, issues) = read(path: try Fixture.sample("demo.837i"))
        // The only problem: the billing provider's NPI fails its check digit; the claim is still read.
        #expect(issues.map(\.code) == ["X12-NPI"])
        #expect(issues.first?.location.reference == "NM109")
        #expect(issues.first?.location.segment == 10)
        let claim = try #require(claims.first)
        #expect(claim.type == .institutional)
        #expect(claim.id == "756048Q")
        #expect(claim.totalCharge.cents == 8993)
        #expect(claim.facilityTypeCode == "14")
        #expect(claim.placeOfService == nil)
        #expect(claim.facilityCodeQualifier == "A")
        #expect(claim.frequencyCode == "1")
        #expect(claim.patient.isSubscriber)
        #expect(claim.patient.relationshipToSubscriber == "18")
        #expect(claim.patient.name == PersonName(last: "DOE", first: "JON", middle: "T"))
        #expect(claim.subscriber.claimFilingIndicator == "MB")
        #expect(claim.payer?.name == "MEDICARE B")
        #expect(claim.dates == [QualifiedDate(qualifier: "434", date: DateOrRange(x12: "19960911", format: "D8"))])
        let institutional = try #require(claim.institutional)
        #expect(institutional.admissionType == "3")
        #expect(institutional.patientStatus == "01")
        #expect(institutional.conditionCodes == ["09"])
        #expect(institutional.occurrenceCodes.map(\.code) == ["A1", "A2", "B1", "B2"])
        #expect(institutional.occurrenceCodes.first?.date == DateOrRange(x12: "19261111", format: "D8"))
        #expect(institutional.valueCodes.first?.amount?.cents == 1531)
        #expect(claim.diagnoses.map(\.code) == ["3669", "4019", "79431"])
        #expect(claim.otherProviders.first?.role == .attending)
        #expect(claim.otherProviders.first?.secondaryIDs == [QualifiedID(qualifier: "1G", id: "B99937")])
        // Loop 2320: a secondary payer, not a second subscriber of this claim.
        #expect(claim.otherCoverage.count == 1)
        #expect(claim.otherCoverage.first?.payer?.name == "STATE TEACHERS")
        #expect(claim.otherCoverage.first?.memberID == "222004433")
        #expect(claim.subscriber.memberID == "030005074A")
        #expect(claim.lines.map(\.revenueCode) == ["0305", "0730"])
        #expect(claim.lines.map { $0.procedureCode?.text } == ["85025", "93005"])
        #expect(claim.lines.map { $0.units?.thousandths } == [1000, 3000])
    }

    @Test func drugLineCarriesNDC() throws {
        let (claims, _) = read(path: try Fixture.sample("demo.drug.example10.1.837"))
        let claim = try #require(claims.first)
        #expect(claim.renderingProvider?.name == PersonName(last: "Hendrix", first: "Jim"))
        #expect(claim.renderingProvider?.taxonomy == "208D00000X")
        let drugLine = try #require(claim.lines.last)
        #expect(drugLine.procedureCode == ProcedureCode("J1550"))
        #expect(drugLine.placeOfService == "11")
        #expect(drugLine.drug?.ndc == NDC("00026063512"))
        #expect(drugLine.drug?.quantity?.thousandths == 10_000)
        #expect(drugLine.drug?.unit == "ML")
        #expect(claim.lines.first?.drug == nil)
    }

    @Test func modifiersRangesAndLineProviders() throws {
        let (claims, _) = read(path: try Fixture.sample("demo.example7.837"))
        let claim = try #require(claims.first)
        #expect(claim.lines.count == 2)
        #expect(claim.lines[0].modifiers == ["RR"])
        #expect(claim.lines[0].diagnosisPointers == [1, 2])
        #expect(claim.lines[0].serviceDate == DateOrRange(x12: "20050321-20050321", format: "RD8"))
        #expect(claim.lines[0].attachments == [Attachment(reportType: "CT", transmission: "AA")])
        #expect(claim.lines[0].otherProviders.first?.role == .ordering)
        #expect(claim.lines[0].otherProviders.first?.address?.city == "RICHMOND")
        #expect(claim.id == "R03996273 #01")
    }

    @Test func twoClaimsUnderOneBillingProvider() throws {
        let (claims, _) = read(path: try Fixture.sample("two-claims-single-provider.837i"))
        #expect(claims.map(\.id) == ["756048Q", "756049Q"])
        #expect(claims.map { $0.subscriber.name?.last } == ["DOE", "SMITH"])
        #expect(claims.map { $0.billingProvider?.name.last } == ["JONES HOSPITAL", "JONES HOSPITAL"])
        #expect(claims[1].otherProviders.first?.taxonomy == "363LP0200N")
        #expect(claims[0].dates.first?.date == DateOrRange(x12: "20050315-20050315", format: "RD8"))
    }

    @Test func kwx12FilesReadEveryClaim() throws {
        let (claims25, issues25) = read(path: try Fixture.sample("kwx12-edi_sample_25_claims.837"))
        #expect(claims25.count == 25)
        #expect(issues25.errors.isEmpty)
        // The file's known defects, located.
        let count = try #require(issues25.with(code: "X12-SE-COUNT").first)
        #expect(count.location.reference == "SE01")
        #expect(count.message.contains("698") && count.message.contains("699"))
        #expect(issues25.with(code: "X12-SE-CONTROL").first?.location.reference == "SE02")
        #expect(!issues25.with(code: "X12-SBR09").isEmpty)
        let (claims50, issues50) = read(path: try Fixture.sample("kwx12-edi_sample_50_claims.837"))
        #expect(claims50.count == 50)
        #expect(issues50.errors.isEmpty)
        #expect(claims50.allSatisfy { !$0.lines.isEmpty })
    }

    /// Every 837 sample: the claims read plus the claims left out (each named by an error) equal the
    /// CLM segments in the file, so nothing is lost silently.
    @Test(arguments: [
        "demo.837", "demo.837i", "demo.autoaccident.837", "demo.cob.example3.A.837", "demo.drug.example10.1.837",
        "demo.example1.837", "demo.example2.837", "demo.example6.837", "demo.example7.837",
        "imsweb-x12_ambiguous_loop.837", "imsweb-x12_bad_first_line.837", "imsweb-x12_bad_valid_code.837",
        "imsweb-x12_loop_errors1_exceeds_max_1_parent.837", "imsweb-x12_loop_errors3_missing_loops.837",
        "imsweb-x12_missing_elements.837", "imsweb-x12_missing_first_isa.837", "imsweb-x12_missing_first_st.837",
        "imsweb-x12_missing_last_gs.837", "imsweb-x12_missing_last_isa.837",
        "imsweb-x12_missing_required_loop_in_one_repeat.837", "imsweb-x12_missing_required_loops_mult_repeats.837",
        "imsweb-x12_multiple_isa.837", "imsweb-x12_multiple_st.837", "imsweb-x12_multiple_transactions.837",
        "imsweb-x12_no_errors.837", "imsweb-x12_segment_errors.837", "imsweb-x12_segments_out_of_order.837",
        "imsweb-x12_valid.837", "imsweb-x12_writer_test.837", "institutional-claim.837i",
        "kwx12-edi_sample_25_claims.837", "kwx12-edi_sample_50_claims.837", "ppo-repriced-claim.837i",
        "pyx12-bad_elements.837", "pyx12-blank1.837i", "pyx12-fail_no_IEA.837", "pyx12-gs_id.837i",
        "pyx12-loop_counting.837", "pyx12-per_repeat.837", "pyx12-simple_837i.837i", "pyx12-trailing_terms.837i",
        "two-claims-single-provider.837i",
    ])
    func nothingIsLostSilently(file: String) throws {
        let path = try Fixture.sample(file)
        let (claims, issues) = read(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let clmCount = text.components(separatedBy: "CLM*").count - 1
        // Each claim left out is named by exactly one error that carries its CLM01.
        let leftOut = issues.errors.compactMap(\.claimID)
        #expect(claims.count + leftOut.count == clmCount, "\(file): \(claims.count) read, \(leftOut.count) left out, \(clmCount) CLM")
    }
}
