import ClaimModel
import Foundation
import Tables
import Testing
@testable import TableImport

@Suite("HCPCS Level II import")
struct HCPCSImportTests {
    static let header = "hcpcs,seqnum,recid,price1,price2,price3,price4,mult_pi,cim1,cim2,cim3,mcm1,mcm2,mcm3,statute,"
        + "labcert1,labcert2,labcert3,labcert4,labcert5,labcert6,labcert7,labcert8,xref1,xref2,xref3,xref4,xref5,"
        + "cov,asc_grp,asc_dt,opps,opps_pi,opps_dt,procnote,betos,tos1,tos2,tos3,tos4,tos5,anest_bu,add_date,"
        + "action_effective_date,termination_date,action_code"

    @Test("CMS's exact ANWEB layout: 48 columns, right-aligned modifiers, no final line end; descriptions not written")
    func exactLayout() throws {
        let (report, directory) = try importFixtures(.hcpcs, ["HCPC2026_OCT_ANWEB.excerpt.csv"])
        #expect(report.release == "HCPCS-2026-OCT")
        #expect(report.effective == date(2026, 10, 1))
        #expect(report.suggestedExpires == date(2026, 12, 31))
        // The excerpt has no line end after its last row: noted, the row kept.
        #expect(located(report.issues) == ["IMPORT009 HCPC2026_OCT_ANWEB.excerpt.csv:36"])
        #expect(report.exitCode == 0)
        #expect(report.sources.map(\.rowsRead) == [35])
        #expect(report.sources.map(\.rowsWritten) == [35])
        let table = try report.table("hcpcs")
        #expect(table.file == "hcpcs-2026-oct.csv")
        #expect(table.key == ["hcpcs"])
        #expect(table.rowEffective == "add_date")
        #expect(table.rowExpires == "termination_date")
        let rows = try lines(directory, table.file)
        #expect(rows.count == 36)
        #expect(rows[0] == HCPCSImportTests.header)
        #expect(rows[1] == "A1,0010,7,,,,,,,,,,,,,,,,,,,,,,,,,,C,,,,,,,,,,,,,,20020701,20020701,99991231,N")
        #expect(rows[10] == "AA,0010,7,,,,,,,,,3350.5,,,,,,,,,,,,,,,,,D,,,,,,,,,,,,,,19840101,20010101,99991231,N")
        #expect(rows[31] == "CP,0010,7,,,,,,,,,,,,,,,,,,,,,,,,,,C,,,,,,,,,,,,,,20160101,20180101,20171231,N")
        #expect(rows[35] == "L1,0010,7,,,,,,,,,,,,,,,,,,,,,,,,,,C,,,,,,,,,,,,,,20140701,20170101,20161231,N")
        #expect(rows.filter { !$0.hasSuffix(",99991231,N") }.count == 6)  // the header and 5 TERM DTs
        #expect(!rows.contains { $0.contains("Dressing") || $0.contains("physician") })

        // The pack loader reads it: a modifier in force on a date, a terminated one not.
        let (loaded, diagnostics) = Table.load(TableSpec(
            path: directory + "/" + table.file, keyColumns: ["hcpcs"], effectiveColumn: "add_date",
            expiresColumn: "termination_date"))
        let hcpcs = try #require(loaded)
        #expect(diagnostics.isEmpty)
        #expect(hcpcs.rowCount == 35)
        #expect(hcpcs.row(key: "A1", on: date(2026, 10, 1)) != nil)
        #expect(hcpcs.row(key: "CP", on: date(2026, 10, 1)) == nil)
        #expect(hcpcs.row(key: "CP", on: date(2017, 6, 1)) != nil)
    }

    @Test("malformed HCPCS rows are reported with file, line and column and skipped; continuation records not written")
    func malformedRows() throws {
        let (report, directory) = try importFixtures(.hcpcs, ["HCPC2026_JAN_ANWEB.edge.csv"])
        #expect(report.release == "HCPCS-2026-JAN")
        #expect(located(report.issues) == [
            "IMPORT005 HCPC2026_JAN_ANWEB.edge.csv:7:1",     // A00
            "IMPORT005 HCPC2026_JAN_ANWEB.edge.csv:8:1",     // a modifier on a procedure record
            "IMPORT003 HCPC2026_JAN_ANWEB.edge.csv:8:102",   // ADD DT 2002071
            "IMPORT003 HCPC2026_JAN_ANWEB.edge.csv:9:102",   // ADD DT 2002071
            "IMPORT003 HCPC2026_JAN_ANWEB.edge.csv:10:120",  // terminated before it was added
            "IMPORT006 HCPC2026_JAN_ANWEB.edge.csv:11:12",   // RECID 5
            "IMPORT007 HCPC2026_JAN_ANWEB.edge.csv:12:1",    // E0114 again
            "IMPORT006 HCPC2026_JAN_ANWEB.edge.csv:13:121",  // no action code
            "IMPORT002 HCPC2026_JAN_ANWEB.edge.csv:14:120",  // 47 fields: after the last
        ])
        #expect(report.sources.map(\.rowsRead) == [14])
        #expect(report.sources.map(\.rowsSkipped) == [8])
        #expect(report.notes.contains { $0.hasPrefix("1 description continuation records") })
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "hcpcs-2026-jan.csv") == [
            HCPCSImportTests.header,
            "A4206,0010,3,46,,,,9,,,,,,,,,,,,,,,,,,,,,C,,,,,,,D1A,P,,,,,,19860101,20030101,99991231,N",
            "E0114,0010,3,32,,,,9,,,,,,,,,,,,,,,,E0116,,,,,C,,,,,,,D1B,R,P,U,,,,19840101,20070101,99991231,N",
            "G0008,0010,3,46,,,,9,,,,,,,,,,,,,,,,,,,,,C,,,,,,,D1A,P,,,,,,19930101,19930101,99991231,N",
            "J0129,0010,3,46,,,,9,,,,,,,,,,,,,,,,,,,,,C,,,,,,,D1A,P,,,,,,20060101,20241001,20241231,D",
            "GA,0010,7,46,,,,9,,,,,,,,,,,,,,,,,,,,,C,,,,,,,D1A,P,,,,,,19950101,20020101,99991231,N",
        ])
    }

    @Test("the repo's converted copy: joined cells split into CMS's columns, ISO dates, RECID derived; bad rows located")
    func repoCopy() throws {
        let (unnamed, _) = try importFixtures(.hcpcs, ["hcpcs-level2-indicators-2024.excerpt.csv"])
        #expect(unnamed.exitCode == 2)
        #expect(unnamed.failure?.contains("--release NAME and --effective YYYY-MM-DD") == true)

        let (report, directory) = try importFixtures(
            .hcpcs, ["hcpcs-level2-indicators-2024.excerpt.csv"], release: "HCPCS-2024-JUL", effective: date(2024, 7, 1))
        #expect(located(report.issues) == [
            "IMPORT006 hcpcs-level2-indicators-2024.excerpt.csv:11:18",  // tos with 6 values: CMS has TOS1-TOS4 here
            "IMPORT003 hcpcs-level2-indicators-2024.excerpt.csv:12:32",  // date_added 2024-13-01
        ])
        #expect(report.exitCode == 1)
        #expect(report.sources.map(\.rowsRead) == [11])
        #expect(report.sources.map(\.rowsWritten) == [9])
        #expect(report.suggestedExpires == date(2024, 9, 30))
        #expect(report.notes.contains { $0.hasPrefix("Read in the repo's converted layout") })
        #expect(report.notes.contains { $0.hasPrefix("Not in hcpcs-level2-indicators-2024.excerpt.csv, written empty: seqnum, price3, price4, cim3,") })
        let table = try report.table("hcpcs")
        #expect(table.file == "hcpcs-2024-jul.csv")
        let rows = try lines(directory, table.file)
        #expect(rows[0] == HCPCSImportTests.header)
        #expect(rows.count == 10)
        // The same written columns as from CMS's ANWEB file: price 11:21 → price1, price2; tos A:L:P:R → tos1-tos4;
        // cim, mcm, lab, xref split on ", "; the termination date kept; none → 99991231.
        #expect(rows[1] == "A0888,,3,00,,,,9,,,,2125,,,,,,,,,,,,,,,,,M,,,,,,,O1A,D,,,,,0,19950101,19950101,99991231,N")
        #expect(rows[4] == "C9742,,3,53,,,,A,,,,,,,1833(t),,,,,,,,,31573,31574,,,,D,,,,,,,P8H,2,F,,,,0,20150101,20170101,20161231,N")
        #expect(rows[5] == "E0100,,3,32,,,,A,60-3,60-9,,2100.1,,,,,,,,,,,,,,,,,D,,,,,,,D1E,A,P,R,,,0,19860101,19960101,99991231,N")
        #expect(rows[6] == "E0210,,3,32,,,,A,60-9,,,,,,,,,,,,,,,,,,,,D,,,,,,,D1E,A,L,P,R,,0,19860101,20030101,99991231,N")
        #expect(rows[7] == "G0124,,3,11,21,,,C,50-20,,,,,,,630,,,,,,,,,,,,,D,,,,,,0045,T1H,5,,,,,0,19980401,19980401,99991231,N")
        #expect(rows[8] == "J7518,,3,51,,,,A,,,,2050.5,4471,5249,,,,,,,,,,,,,,,D,,,,,,,O1E,1,G,,,,0,20050101,20050101,99991231,N")
        #expect(rows[9] == "Q0111,,3,21,,,,A,,,,,,,,110,120,130,400,,,,,,,,,,C,,,,,,,T1H,5,,,,,0,19940101,20200101,99991231,N")

        // Loaded as a pack loads it: C9742 is valid in 2016, not after its termination.
        let (loaded, diagnostics) = Table.load(TableSpec(
            path: directory + "/" + table.file, keyColumns: ["hcpcs"], effectiveColumn: "add_date",
            expiresColumn: "termination_date"))
        let hcpcs = try #require(loaded)
        #expect(diagnostics.isEmpty)
        #expect(hcpcs.row(key: "C9742", on: date(2016, 6, 1)) != nil)
        #expect(hcpcs.row(key: "C9742", on: date(2024, 7, 1)) == nil)
        #expect(hcpcs.row(key: "A9506", on: date(2024, 6, 30)) == nil)
        #expect(hcpcs.row(key: "A9506", on: date(2024, 7, 1)) != nil)
    }
}

@Suite("Place-of-service import")
struct POSImportTests {
    @Test("the repo's place-of-service list: every code kept; release and effective date given")
    func repoCopy() throws {
        let (noName, noNameDirectory) = try importFixtures(.pos, ["place-of-service.csv"])
        #expect(noName.failure?.contains("--release NAME and --effective YYYY-MM-DD") == true)
        #expect(noName.exitCode == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: noNameDirectory).isEmpty)

        let (report, directory) = try importFixtures(.pos, ["place-of-service.csv"], release: "POS-2023-09", effective: date(2023, 9, 1))
        #expect(report.issues.isEmpty)
        #expect(report.exitCode == 0)
        #expect(report.suggestedExpires == nil)
        #expect(report.sources.map(\.rowsWritten) == [99])
        let table = try report.table("pos")
        #expect(table.file == "pos-2023-09.csv")
        #expect(table.key == ["pos"])
        let rows = try lines(directory, table.file)
        #expect(rows.count == 100)
        #expect(rows[0] == "pos,name,description,facility_setting,effective_date,termination_date")
        #expect(rows[3] == "03,School,A facility whose primary purpose is education.,Non-Facility,,99991231")
        #expect(rows[98] == "98,Unassigned,Unassigned,Unassigned,,99991231")
        #expect(rows[99] == "99,Other Place of Service,Other place of service not identified above.,Non-Facility,,99991231")
        #expect(report.notes.contains { $0.hasPrefix("facility_setting (Facility / Non-Facility / Unassigned) is from place-of-service.csv: northstar's") })
    }

    @Test("CMS's list with dates: malformed rows reported with file, line and column and skipped")
    func malformedRows() throws {
        let (report, directory) = try importFixtures(.pos, ["place-of-service.edge.csv"], release: "POS-2026", effective: date(2026, 1, 1))
        #expect(located(report.issues) == [
            "IMPORT005 place-of-service.edge.csv:4:1",    // 1
            "IMPORT005 place-of-service.edge.csv:5:1",    // 27-30: a range is not a code
            "IMPORT003 place-of-service.edge.csv:6:81",   // 2022-13-01
            "IMPORT003 place-of-service.edge.csv:7:30",   // terminated before it took effect
            "IMPORT007 place-of-service.edge.csv:8:1",    // 10 again
            "IMPORT006 place-of-service.edge.csv:9:4",    // no name
        ])
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "pos-2026.csv") == [
            "pos,name,description,facility_setting,effective_date,termination_date",
            "02,Telehealth Provided Other than in Patient's Home,\"The location where health services and health related services are provided or received, through telecommunication technology.\",,20170101,99991231",
            "10,Telehealth Provided in Patient's Home,The location where health services and health related services are provided or received through telecommunication technology.,,20220101,99991231",
            "27,Outreach Site/ Street,A non-permanent location on the street or found environment.,,20231001,99991231",
        ])
    }
}
