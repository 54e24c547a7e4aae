import ClaimModel
import Foundation
import Tables
import Testing
@testable import TableImport

@Suite("NCCI PTP import")
struct PTPImportTests {
    @Test("CMS's exact PTP text layout: banner, header wrapped over four lines, CRLF, `*` deletion dates")
    func exactLayout() throws {
        let (report, directory) = try importFixtures(.ptp, ["ccipra-v322r0-f1.excerpt.txt"])
        #expect(report.release == "NCCI-PTP-PRACTITIONER-2026Q3")
        #expect(report.effective == date(2026, 7, 1))
        #expect(report.suggestedExpires == date(2026, 9, 30))
        #expect(report.sources.map(\.rowsRead) == [155])
        #expect(report.sources.map(\.rowsWritten) == [155])
        // The excerpt is cut after 12,000 bytes, inside its last row: noted, not guessed away.
        #expect(located(report.issues) == ["IMPORT009 ccipra-v322r0-f1.excerpt.txt:161"])
        #expect(report.issues.first?.severity == .warning)
        #expect(report.exitCode == 0)
        let table = try report.table("ptp")
        #expect(table.file == "ncci-ptp-practitioner-2026q3.csv.gz")
        let rows = try lines(directory, table.file)
        #expect(rows.count == 156)
        #expect(rows[0] == "column_1,column_2,effective_date,deletion_date,modifier_indicator,rationale")
        #expect(rows[1] == "0001A,0591T,20220101,20231231,1,CPT Manual or CMS manual coding instruction")
        #expect(rows[6] == "0001A,90473,20220101,20220101,9,CPT Manual or CMS manual coding instruction")
        #expect(rows.contains("0001U,81163,20190101,99991231,1,Misuse of Column Two code with Column One code"))
        #expect(rows.last == "0001U,81167,20190101,99991231,1,Misuse of Column T")
        #expect(table.sha256 == ContentHash.sha256(fileAt: directory + "/" + table.file))
    }

    @Test("malformed PTP rows are reported with file, line and column and skipped; the rest are written exactly")
    func malformedRows() throws {
        let (report, directory) = try importFixtures(.ptp, ["ccipra-v321r0-f2.edge.txt"])
        #expect(report.release == "NCCI-PTP-PRACTITIONER-2026Q2")
        #expect(located(report.issues) == [
            "IMPORT002 ccipra-v321r0-f2.edge.txt:10:26",  // six fields
            "IMPORT003 ccipra-v321r0-f2.edge.txt:11:14",  // 2022013: seven digits are not a PTP date
            "IMPORT005 ccipra-v321r0-f2.edge.txt:12:1",   // 1104
            "IMPORT006 ccipra-v321r0-f2.edge.txt:13:25",  // modifier 5
            "IMPORT003 ccipra-v321r0-f2.edge.txt:14:23",  // deleted before it took effect
            "IMPORT003 ccipra-v321r0-f2.edge.txt:17:14",  // effective '*'
        ])
        #expect(report.issues.allSatisfy { $0.severity == .error && $0.message.hasSuffix("the row is skipped") })
        #expect(report.issues[2].message.contains("'1104'"))
        #expect(report.sources.map(\.rowsRead) == [11])
        #expect(report.sources.map(\.rowsSkipped) == [6])
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "ncci-ptp-practitioner-2026q2.csv.gz") == [
            "column_1,column_2,effective_date,deletion_date,modifier_indicator,rationale",
            "0001U,81163,20190101,99991231,1,Misuse of Column Two code with Column One code",
            "0001A,90473,20220101,20220101,9,CPT Manual or CMS manual coding instruction",
            "11042,97597,19960101,99991231,1,CPT Manual or CMS manual coding instruction",
            "11042,97610,20220101,20251231,0,Mutually exclusive procedures",
            "99214,99211,20200101,99991231,1,Misuse of Column Two code with Column One code",
        ])
    }

    @Test("the CSV twin: quoted banner, header cells with line feeds, quoted rationale with commas and quotes")
    func csvTwin() throws {
        let (report, directory) = try importFixtures(.ptp, ["ccipra-v321r0-f3.edge.csv"])
        #expect(located(report.issues) == ["IMPORT008 ccipra-v321r0-f3.edge.csv:12:68"])
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "ncci-ptp-practitioner-2026q2.csv.gz") == [
            "column_1,column_2,effective_date,deletion_date,modifier_indicator,rationale",
            "0001U,81163,20190101,99991231,1,Misuse of Column Two code with Column One code",
            "G0008,90471,20000101,20001231,0,\"Mutually exclusive procedures, see \"\"Chapter XI\"\"\"",
            "93000,93005,19960101,99991231,1,HCPCS/CPT procedure code definition",
        ])
    }

    @Test("several files form one table, in file order; a file of another release is refused")
    func severalFiles() throws {
        let (report, directory) = try importFixtures(.ptp, ["ccipra-v321r0-f2.edge.txt", "ccipra-v321r0-f3.edge.csv"])
        #expect(report.sources.map(\.rowsWritten) == [5, 3])
        #expect(try report.table("ptp").rows == 8)
        #expect(try lines(directory, "ncci-ptp-practitioner-2026q2.csv.gz").count == 9)

        let (mixed, mixedDirectory) = try importFixtures(.ptp, ["ccipra-v321r0-f2.edge.txt", "ccipra-v322r0-f1.excerpt.txt"])
        #expect(mixed.failure?.contains("different releases") == true)
        #expect(mixed.exitCode == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mixedDirectory).isEmpty)
    }

    @Test("the repo's narrow copy (no effective date) rebuilds its table; the pack's loader reads the output")
    func repoCopy() throws {
        let (report, directory) = try importFixtures(.ptp, ["ncci-ptp-practitioner-2024q3-excerpt.csv"])
        #expect(report.release == "NCCI-PTP-PRACTITIONER-2024Q3")
        #expect(report.effective == date(2024, 7, 1))
        #expect(report.exitCode == 0)
        #expect(report.notes.contains { $0.hasPrefix("No effective-date column in ncci-ptp-practitioner-2024q3-excerpt.csv") })
        let rows = try lines(directory, "ncci-ptp-practitioner-2024q3.csv.gz")
        #expect(rows.count == 11)
        #expect(rows[3] == "29881,29877,,20020101,9,Misuse of Column Two code with Column One code")
        let spec = TableSpec(
            path: directory + "/ncci-ptp-practitioner-2024q3.csv.gz", keyColumns: ["column_1", "column_2"],
            effectiveColumn: "effective_date", expiresColumn: "deletion_date")
        let (loaded, diagnostics) = Table.load(spec)
        let table = try #require(loaded)
        #expect(diagnostics.isEmpty)
        #expect(table.rowCount == 10)
        // 99214/99211: a row deleted 2019-12-31 and an open one; in 2024 the open one is in force.
        let row = try #require(table.row(key1: "99214", key2: "99211", on: date(2024, 8, 1)))
        #expect(table.value(row: row, column: "deletion_date") == "99991231")
        #expect(table.row(key1: "G0008", key2: "90471", on: date(2024, 8, 1)) == nil)
    }

    @Test("a file that cannot be read writes nothing and exits 2; one that is not a PTP file likewise")
    func unreadable() throws {
        let directory = try scratchDirectory()
        let report = TableImporter.run(ImportRequest(
            kind: .ptp, files: [try Fixture.path("ccipra-v321r0-f2.edge.txt"), directory + "/missing-f3.txt"],
            outputDirectory: directory))
        #expect(report.exitCode == 2)
        #expect(located(report.issues).contains("IMPORT001 missing-f3.txt:1"))
        #expect(report.sources.map(\.readable) == [true, false])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        let (wrong, wrongDirectory) = try importFixtures(
            .ptp, ["MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"], release: "X", effective: date(2026, 7, 1))
        #expect(located(wrong.issues) == ["IMPORT004 MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv:1"])
        #expect(wrong.exitCode == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: wrongDirectory).isEmpty)
    }

    @Test("the manifest names each source with its SHA-256 and counts, and each table with its digest")
    func manifest() throws {
        let (report, directory) = try importFixtures(.ptp, ["ccipra-v321r0-f2.edge.txt"])
        let path = try #require(report.manifest)
        #expect(path == directory + "/ncci-ptp-practitioner-2026q2.manifest.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(json["release"] as? String == "NCCI-PTP-PRACTITIONER-2026Q2")
        #expect(json["effective"] as? String == "2026-04-01")
        #expect(json["errors"] as? Int == 6)
        let sources = try #require(json["sources"] as? [[String: Any]])
        #expect(sources.count == 1)
        #expect(sources[0]["file"] as? String == "ccipra-v321r0-f2.edge.txt")
        #expect(sources[0]["sha256"] as? String == ContentHash.sha256(fileAt: try Fixture.path("ccipra-v321r0-f2.edge.txt")))
        #expect(sources[0]["rowsSkipped"] as? Int == 6)
        let tables = try #require(json["tables"] as? [[String: Any]])
        #expect(tables.first?["sha256"] as? String == ContentHash.sha256(fileAt: directory + "/ncci-ptp-practitioner-2026q2.csv.gz"))
        // Importing again writes the same bytes (no clock time anywhere, gzip without a timestamp).
        let (again, againDirectory) = try importFixtures(.ptp, ["ccipra-v321r0-f2.edge.txt"])
        #expect(again.tables == report.tables)
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        let second = try Data(contentsOf: URL(fileURLWithPath: againDirectory + "/ncci-ptp-practitioner-2026q2.manifest.json"))
        #expect(first == second)
    }
}

@Suite("NCCI MUE import")
struct MUEImportTests {
    @Test("CMS's exact MUE CSV: AMA notice record, wrapped header cell, MAI text, Latin-1")
    func exactLayout() throws {
        let (report, directory) = try importFixtures(.mue, ["MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"])
        #expect(report.release == "NCCI-MUE-PRACTITIONER-2026Q3")
        #expect(report.effective == date(2026, 7, 1))
        #expect(report.issues.isEmpty)
        #expect(report.exitCode == 0)
        let rows = try lines(directory, "ncci-mue-practitioner-2026q3.csv")
        #expect(rows.count == 45)
        #expect(rows[0] == "hcpcs_code,mue_units,mue_mai,mue_rationale,mue_service")
        #expect(rows[1] == "0001U,1,2,Code Descriptor / CPT Instruction,Practitioner")
        #expect(rows[2] == "0002M,1,3,Nature of Analyte,Practitioner")
        #expect(rows[44] == "0041U,1,2,Code Descriptor / CPT Instruction,Practitioner")
    }

    @Test("MUE edge cases: indicator text, contradictions, bad units and codes, duplicates, wrong field count")
    func malformedRows() throws {
        let (report, directory) = try importFixtures(.mue, ["MCR_MUE_OutpatientHospitalServices_Eff_04-01-2026.edge.csv"])
        #expect(report.release == "NCCI-MUE-OUTPATIENT-2026Q2")
        #expect(report.effective == date(2026, 4, 1))
        let name = "MCR_MUE_OutpatientHospitalServices_Eff_04-01-2026.edge.csv"
        #expect(located(report.issues) == [
            "IMPORT006 \(name):9:9", "IMPORT006 \(name):10:9", "IMPORT006 \(name):11:7", "IMPORT005 \(name):12:1",
            "IMPORT007 \(name):13:1", "IMPORT002 \(name):14:41",
        ])
        #expect(report.issues[1].message.contains("'Date of Service Edit: Policy'"))
        #expect(report.issues[4].message.contains("\(name):6"))
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "ncci-mue-outpatient-2026q2.csv") == [
            "hcpcs_code,mue_units,mue_mai,mue_rationale,mue_service",
            "0001U,1,2,Code Descriptor / CPT Instruction,Outpatient Hospital",
            "A0425,250,1,Clinical: Data,Outpatient Hospital",
            "96372,5,3,\"Clinical: Data, Nature of Service\",Outpatient Hospital",
            "J1100,120,3,Prescribing Information,Outpatient Hospital",
        ])
    }

    @Test("the repo's MUE copy is rebuilt byte for byte")
    func repoCopy() throws {
        let (report, directory) = try importFixtures(.mue, ["ncci-mue-practitioner-2024q3-excerpt.csv"])
        #expect(report.exitCode == 0)
        let original = try String(contentsOfFile: try Fixture.path("ncci-mue-practitioner-2024q3-excerpt.csv"), encoding: .utf8)
        let written = try String(contentsOfFile: directory + "/ncci-mue-practitioner-2024q3.csv", encoding: .utf8)
        #expect(written == original)
    }

    @Test("the indicator cell", arguments: [
        ("1", "ok 1"), ("3 Date of Service Edit: Clinical", "ok 3"), ("2 Date of Service Edit:  policy", "ok 2"),
        ("1 Line Edit", "ok 1"), ("2 Date of Service Edit: Clinical", "contradicts"), ("4", "not"), ("2Date", "not"), ("", "not"),
    ])
    func indicator(cell: String, expected: String) {
        var text = cell
        let result = text.withUTF8 { MUEImporter.indicator($0) }
        switch result {
        case .success(let digit): #expect(expected == "ok \(Character(Unicode.Scalar(digit)))")
        case .failure(.textDisagrees): #expect(expected == "contradicts")
        case .failure(.notAnIndicator): #expect(expected == "not")
        }
    }
}

@Suite("NCCI add-on code import")
struct AddOnImportTests {
    @Test("CMS's AOC workbook as shipped (xlsx): every row, Julian dates as CCYYMMDD")
    func workbook() throws {
        let (report, directory) = try importFixtures(.addOn, ["AOC_V2026Q2-MCR.xlsx"])
        #expect(report.release == "NCCI-AOC-2026Q2")
        #expect(report.effective == date(2026, 4, 1))
        #expect(report.issues.isEmpty)
        #expect(report.sources.map(\.rowsRead) == [9000])
        #expect(report.sources.map(\.rowsWritten) == [9000])
        let rows = try lines(directory, "ncci-aoc-2026q2.csv")
        #expect(rows[0] == "add_on_code,primary_code,aoc_edit_type,effective_date,deletion_date,add_on_deletion_date,primary_deletion_date,notes")
        #expect(rows[1] == "0054T,CCCCC,2,20130401,99991231,99991231,99991231,Contractor Defined Primary Codes")
        #expect(rows.contains("99292,99291,1,20130401,99991231,99991231,99991231,"))
        #expect(rows.filter { $0.hasPrefix("99292,") } == ["99292,99291,1,20130401,99991231,99991231,99991231,"])
        // The sheet saved as CSV gives the same rows for the same edits.
        let (csv, csvDirectory) = try importFixtures(.addOn, ["AOC_V2026Q3-MCR.edge.csv"], release: "NCCI-AOC-2026Q2")
        #expect(csv.release == "NCCI-AOC-2026Q2")
        let csvRows = try lines(csvDirectory, "ncci-aoc-2026q2.csv")
        #expect(rows.contains(csvRows[1]) && rows.contains(csvRows[2]))
    }

    @Test("the AOC sheet saved as CSV: notice row, Julian dates, malformed rows skipped")
    func csvForm() throws {
        let (report, directory) = try importFixtures(.addOn, ["AOC_V2026Q3-MCR.edge.csv"])
        #expect(report.release == "NCCI-AOC-2026Q3")
        #expect(located(report.issues) == [
            "IMPORT006 AOC_V2026Q3-MCR.edge.csv:6:1", "IMPORT003 AOC_V2026Q3-MCR.edge.csv:7:17",
            "IMPORT003 AOC_V2026Q3-MCR.edge.csv:8:17", "IMPORT005 AOC_V2026Q3-MCR.edge.csv:9:3",
        ])
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "ncci-aoc-2026q3.csv") == [
            "add_on_code,primary_code,aoc_edit_type,effective_date,deletion_date,add_on_deletion_date,primary_deletion_date,notes",
            "99292,99291,1,20130401,99991231,99991231,99991231,",
            "0054T,CCCCC,2,20130401,99991231,99991231,99991231,Contractor Defined Primary Codes",
            "22552,22551,1,20160101,20171231,99991231,99991231,\"Deleted pair, see 2018 notes\"",
            "64480,64479,1,20130401,20221231,99991231,20221231,",
        ])
    }
}

@Suite("Damaged and compressed inputs")
struct InputFormTests {
    @Test("gzip input is recognised by its bytes; rows come out as from the plain file")
    func gzipInput() throws {
        let (report, directory) = try importFixtures(.ptp, ["ncci-ptp-practitioner-2024q3.excerpt.csv.gz"])
        #expect(report.exitCode == 0)
        let rows = try lines(directory, "ncci-ptp-practitioner-2024q3.csv.gz")
        #expect(rows.count == 13)
        #expect(rows[1] == "43239,43235,,99991231,0,CPT Separate procedure definition")
    }

    @Test("a workbook cut short is reported as unreadable and nothing is written")
    func truncatedWorkbook() throws {
        let directory = try scratchDirectory()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try Fixture.path("AOC_V2026Q2-MCR.xlsx")))
        let cut = directory + "/AOC_V2026Q2-MCR.xlsx"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let out = directory + "/out"
        let report = TableImporter.run(ImportRequest(kind: .addOn, files: [cut], outputDirectory: out))
        #expect(report.exitCode == 2)
        #expect(report.issues.map(\.code) == [ImportIssue.cannotRead])
        #expect(report.issues.first?.message.contains("not a zip file") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    @Test("problems past 1,000 in a file are counted in one IMPORT011, not listed")
    func issueCap() throws {
        let directory = try scratchDirectory()
        var text = "hcpcs_code,mue_units,mue_mai,mue_rationale,mue_service\n"
        for n in 0..<1_005 { text += "x\(n),1,3,Clinical: Data,Practitioner\n" }
        text += "99213,2,3,Clinical: Data,Practitioner\n"
        let path = directory + "/ncci-mue-practitioner-2024q3.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let report = TableImporter.run(ImportRequest(kind: .mue, files: [path], outputDirectory: directory + "/out"))
        #expect(report.issues.count == 1_001)
        #expect(report.issues.last?.code == ImportIssue.tooManyProblems)
        #expect(report.issues.last?.message == "5 more problems from here on are not listed")
        #expect(report.issues.last?.line == 1_002)
        #expect(report.rowsSkipped == 1_005)
        #expect(try lines(directory + "/out", "ncci-mue-practitioner-2024q3.csv").last == "99213,2,3,Clinical: Data,Practitioner")
    }
}
