import ClaimModel
import Foundation
import Tables
import Testing
@testable import TableImport

@Suite("ICD-10-CM import")
struct ICD10CMImportTests {
    static let file = "icd10cm-tabular-mini-April-1-2026.xml"

    @Test("codes: leaves billable, headers kept as 0, 7th characters expanded with X, S06's stated exception")
    func codes() throws {
        let (report, directory) = try importFixtures(.icd10cm, [ICD10CMImportTests.file])
        #expect(report.release == "ICD10CM-FY2026-APR")
        #expect(report.effective == date(2026, 4, 1))
        #expect(report.suggestedExpires == date(2026, 9, 30))
        #expect(report.exitCode == 0)
        let rows = try lines(directory, "icd10cm-fy2026-apr-codes.csv.gz")
        #expect(rows[0] == "code,billable,chapter,category,description")
        #expect(rows.contains("A00,0,1,A00,Cholera"))
        #expect(rows.contains("A000,1,1,A00,\"Cholera due to Vibrio cholerae 01, biovar cholerae\""))
        #expect(rows.contains("O320,0,15,O32,Maternal care for unstable lie"))
        #expect(rows.contains("O320XX1,1,15,O32,\"Maternal care for unstable lie, fetus 1\""))
        #expect(rows.contains("S069XXS,1,19,S06,\"Unspecified intracranial injury, sequela\""))
        let billable = rows.dropFirst().filter { $0.split(separator: ",")[1] == "1" }.map { String($0.prefix { $0 != "," }) }
        #expect(billable == [
            "A000", "A009", "A0100", "A0101", "E0844", "E1044", "G545", "G63", "M1460", "M1461", "O320XX0", "O320XX1",
            "P000", "S061X1A", "S061X1D", "S061X1S", "S061X7A", "S069XXA", "S069XXD", "S069XXS", "Z3400", "Z3800", "Z3A08",
        ])
        #expect(rows.count - 1 == billable.count + 20)
        #expect(rows.contains("M1461,1,13,M14,\"Charcôt's joint, shoulder\""))
    }

    @Test("Excludes1: prefix ranges from the note's codes, 'with .NN' expanded, unreadable forms reported")
    func excludes1() throws {
        let (report, directory) = try importFixtures(.icd10cm, [ICD10CMImportTests.file])
        #expect(try lines(directory, "icd10cm-fy2026-apr-excludes1.csv.gz") == [
            "code_from,code_to,excluded_from,excluded_to,note",
            "A00,A00,A010,A010,typhoid fever (A01.0-)",
            "G545,G545,E0844,E0844,neuralgic amyotrophy in diabetes mellitus (E08-E13 with .44)",
            "G545,G545,E1044,E1044,neuralgic amyotrophy in diabetes mellitus (E08-E13 with .44)",
            "G63,G63,K50,K50,\"polyneuropathy (in) diabetes mellitus (E08-E13 with .42), Crohn's disease & colitis (K50.-)\"",
            // The chapter's note (O00-O9A) is expanded into the categories it covers (here only O32), one row each.
            "O32,O32,Z34,Z34,supervision of normal pregnancy (Z34.-)",
        ])
        #expect(located(report.issues) == ["IMPORT010 \(ICD10CMImportTests.file):20", "IMPORT010 \(ICD10CMImportTests.file):99"])
        #expect(report.issues.allSatisfy { $0.severity == .warning })
        #expect(report.issues[0].message.contains("'I69. with final characters -23'"))
        #expect(report.issues[1].message.contains("names no code of this release"))
    }

    @Test("manifestation codes, record restrictions and 7th-character definitions")
    func notes() throws {
        let (_, directory) = try importFixtures(.icd10cm, [ICD10CMImportTests.file])
        #expect(try lines(directory, "icd10cm-fy2026-apr-manifestations.csv") == [
            "code,title_code,code_first",
            "G63,G63,\"underlying disease, such as:; amyloidosis (E85.-)\"",
            "M1460,M14,\"underlying disease, such as: amyloidosis (E85.-)\"",
            "M1461,M14,\"underlying disease, such as: amyloidosis (E85.-)\"",
        ])
        #expect(try lines(directory, "icd10cm-fy2026-apr-restrictions.csv") == [
            "code,restriction,source,note",
            "O320XX0,maternal,chapter 15,\"CODES FROM THIS CHAPTER ARE FOR USE ONLY ON MATERNAL RECORDS, NEVER ON NEWBORN RECORDS\"",
            "O320XX1,maternal,chapter 15,\"CODES FROM THIS CHAPTER ARE FOR USE ONLY ON MATERNAL RECORDS, NEVER ON NEWBORN RECORDS\"",
            "P000,newborn,chapter 16,\"Codes from this chapter are for use on newborn records only, never on maternal records\"",
            "Z3800,newborn,Z38,This category is for use as the principal code on the initial record of a newborn baby.  It is to be used for the initial birth record only.  It is not to be used on the mother's record.",
            "Z3A08,maternal,Z3A,\"Codes from category Z3A are for use, only on the maternal record, to indicate the weeks of gestation of the pregnancy, if known.\"",
        ])
        #expect(try lines(directory, "icd10cm-fy2026-apr-seventh-characters.csv") == [
            "code,character,meaning", "O32,0,not applicable or unspecified", "O32,1,fetus 1",
            "S06,A,initial encounter", "S06,D,subsequent encounter", "S06,S,sequela",
        ])
    }

    @Test("record restriction wording", arguments: [
        ("Codes from this chapter are not for use on maternal records", RecordRestriction.some("not-maternal")),
        ("This category is intended for use as an additional code to identify the outcome of delivery on the mother's record.  It is not for use on the newborn record.", .some("maternal")),
        ("Codes from this chapter are for use on newborn records only, never on maternal records", .some("newborn")),
        ("Use additional code to identify the organism", .none),
        ("For use only on maternal records and only on newborn records", .conflicting),
    ])
    func restrictionWording(note: String, expected: RecordRestriction) {
        #expect(RecordRestriction.classify(note) == expected)
    }

    @Test("code references in notes", arguments: [
        ("congenital malformations (Q00-Q99)", [("Q00", "Q99")]),
        ("peptic ulcer (K25.-, K26.-)", [("K25", "K25"), ("K26", "K26")]),
        ("coma (R40.2-)", [("R402", "R402")]),
        ("rheumatic fever with heart involvement (I01.0 -I01.9)", [("I010", "I019")]),
        ("hyperammonemia-hyperornithinemia-homocitrullinemia syndrome E72.4", [("E724", "E724")]),
        ("glucose-6-phosphate dehydrogenase (G6PD) deficiency with anemia (D55.0)", [("D550", "D550")]),
    ])
    func references(note: String, expected: [(String, String)]) {
        guard case .ranges(let ranges) = CodeReference.parse(note) else {
            Issue.record("\(note) gave \(CodeReference.parse(note))")
            return
        }
        #expect(ranges.map(\.from) == expected.map(\.0))
        #expect(ranges.map(\.to) == expected.map(\.1))
    }

    @Test("a heading note names no code; a note in another form is not understood")
    func unreadableReferences() {
        #expect(CodeReference.parse("polyneuropathy (in):") == CodeReference.none)
        #expect(CodeReference.parse("infectious mononucleosis (B27.- with fifth character 2)") == .notUnderstood("B27.- with fifth character 2"))
    }

    @Test("a damaged or wrong XML file writes nothing and exits 2")
    func unreadable() throws {
        let (report, directory) = try importFixtures(.icd10cm, ["AOC_V2026Q3-MCR.edge.csv"], release: "ICD10CM-X", effective: date(2026, 4, 1))
        #expect(report.exitCode == 2)
        #expect(report.issues.map(\.code) == [ImportIssue.cannotRead])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}

@Suite("Release names and the writer")
struct ReleaseAndWriterTests {
    @Test("release names and effective dates from file names", arguments: [
        (ImportKind.ptp, "ccipra-v302r0-f1.txt", "NCCI-PTP-PRACTITIONER-2024Q3", "2024-07-01"),
        (.ptp, "ccioph-v323r0-f4.txt", "NCCI-PTP-OUTPATIENT-2026Q4", "2026-10-01"),
        (.ptp, "ncci-ptp-practitioner-2024q2.csv.gz", "NCCI-PTP-PRACTITIONER-2024Q2", "2024-04-01"),
        (.mue, "MCR_MUE_DMESupplierServices_Eff_01-01-2026.csv", "NCCI-MUE-DME-2026Q1", "2026-01-01"),
        (.mue, "ncci-mue-outpatient-2024q3.csv", "NCCI-MUE-OUTPATIENT-2024Q3", "2024-07-01"),
        (.addOn, "AOC_V2026Q2-MCR.xlsx", "NCCI-AOC-2026Q2", "2026-04-01"),
        (.addOn, "ncci-add-on-codes-2026q2.csv", "NCCI-AOC-2026Q2", "2026-04-01"),
        (.icd10cm, "icd10cm-tabular-April-2025.xml.gz", "ICD10CM-FY2025-APR", "2025-04-01"),
        (.icd10cm, "icd10cm-tabular-2021.xml.gz", "ICD10CM-FY2021", "2020-10-01"),
        (.icd10cm, "icd10cm-tabular-October-1-2025.xml", "ICD10CM-FY2026", "2025-10-01"),
    ])
    func releaseFromName(kind: ImportKind, file: String, name: String, effective: String) {
        let guess = ReleaseGuess.from(fileName: "/some/dir/" + file, kind: kind)
        #expect(guess?.name == name)
        #expect(guess?.effective.description == effective)
    }

    @Test("a name that says nothing needs --release and --effective")
    func noRelease() throws {
        #expect(ReleaseGuess.from(fileName: "edits.txt", kind: .ptp) == nil)
        let directory = try scratchDirectory()
        let report = TableImporter.run(ImportRequest(kind: .ptp, files: ["edits.txt"], outputDirectory: directory))
        #expect(report.failure?.contains("--release NAME and --effective YYYY-MM-DD") == true)
        #expect(report.exitCode == 2)
        let unsafe = TableImporter.run(ImportRequest(
            kind: .ptp, files: ["edits.txt"], outputDirectory: directory, release: "../x", effective: date(2026, 1, 1)))
        #expect(unsafe.failure?.contains("must be letters") == true)
    }

    @Test("fields are quoted only when needed; Latin-1 becomes UTF-8")
    func quoting() throws {
        let directory = try scratchDirectory()
        let writer = try TableWriter(path: directory + "/t.csv")
        writer.header(["a", "b"])
        writer.row(["plain", "with, comma"])
        writer.row(["say \"hi\"", "two\nlines"])
        writer.field([0x43, 0x50, 0x54, 0xAE])
        writer.field([0xC3, 0xB4])
        writer.endRow()
        _ = try writer.finish()
        try writer.commit()
        let text = try String(contentsOfFile: directory + "/t.csv", encoding: .utf8)
        #expect(text == "a,b\nplain,\"with, comma\"\n\"say \"\"hi\"\"\",\"two\nlines\"\nCPT®,ô\n")
        #expect(writer.rows == 3)
        #expect(!FileManager.default.fileExists(atPath: directory + "/t.csv.partial"))
    }
}
