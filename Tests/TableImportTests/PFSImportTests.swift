import ClaimModel
import Foundation
import Tables
import Testing
@testable import TableImport

@Suite("PFS relative value import")
struct PFSImportTests {
    static let header = "hcpcs,modifier,status_code,pctc_indicator,global_days,multiple_procedure,bilateral_surgery,"
        + "assistant_surgery,co_surgeons,team_surgery,work_rvu,non_facility_pe_rvu,non_facility_na_indicator,"
        + "facility_pe_rvu,facility_na_indicator,conversion_factor"
    /// The global table's header: the same columns without `modifier`.
    static let globalHeader = header.replacingOccurrences(of: "hcpcs,modifier,", with: "hcpcs,")

    @Test("CMS's exact PPRRVU layout: five banner rows, names over five caption rows, CRLF; descriptions not read")
    func exactLayout() throws {
        let (report, directory) = try importFixtures(.pfsRVU, ["PPRRVU2026_Jul_nonQPP.excerpt.redacted.csv"])
        #expect(report.release == "PFS-RVU-2026-JUL")
        #expect(report.effective == date(2026, 7, 1))
        #expect(report.suggestedExpires == date(2026, 9, 30))
        #expect(report.issues.isEmpty)
        #expect(report.exitCode == 0)
        #expect(report.sources.map(\.rowsRead) == [61])
        #expect(report.sources.map(\.rowsWritten) == [61])
        let table = try report.table("pfs-rvu")
        #expect(table.file == "pfs-rvu-2026-jul.csv")
        #expect(table.key == ["hcpcs"])
        let rows = try lines(directory, table.file)
        let modifierTable = try report.table("pfs-rvu-modifiers")
        #expect(modifierTable.file == "pfs-rvu-2026-jul-modifiers.csv")
        #expect(modifierTable.key == ["hcpcs", "modifier"])
        let modifierRows = try lines(directory, modifierTable.file)
        #expect(rows.count - 1 + modifierRows.count - 1 == 61, "every row is kept, in one table or the other")
        #expect(table.rows + modifierTable.rows == 61)
        #expect(rows[0] == PFSImportTests.globalHeader)
        #expect(modifierRows[0] == PFSImportTests.header)
        #expect(rows[1] == "0001F,I,9,XXX,9,9,9,9,9,0.00,0.00,,0.00,,33.4009")
        #expect(rows[3] == "00100,J,9,XXX,9,9,9,9,9,0.00,0.00,,0.00,,33.4009")
        #expect(rows.last == "00534,J,9,XXX,9,9,9,9,9,0.00,0.00,,0.00,,33.4009")
        #expect(modifierRows.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[1].count == 2 })
        #expect(!(rows + modifierRows).contains { $0.contains("REDACTED") })
        #expect(table.sha256 == ContentHash.sha256(fileAt: directory + "/" + table.file))

        // Neither table has an empty key field: the pack loader reads both as written.
        let (byCode, codeDiagnostics) = Table.load(TableSpec(path: directory + "/" + table.file, keyColumns: ["hcpcs"]))
        #expect(codeDiagnostics.isEmpty)
        #expect(byCode?.rowCount == table.rows)
        let (byPair, pairDiagnostics) = Table.load(TableSpec(path: directory + "/" + modifierTable.file, keyColumns: ["hcpcs", "modifier"]))
        #expect(pairDiagnostics.isEmpty)
        #expect(byPair?.rowCount == modifierTable.rows)
    }

    @Test("malformed PFS rows are reported with file, line and column and skipped; NA and modifiers kept as written")
    func malformedRows() throws {
        let (report, directory) = try importFixtures(.pfsRVU, ["PPRRVU2026_Oct_nonQPP.edge.csv"])
        #expect(report.release == "PFS-RVU-2026-OCT")
        #expect(report.effective == date(2026, 10, 1))
        #expect(located(report.issues) == [
            "IMPORT005 PPRRVU2026_Oct_nonQPP.edge.csv:16:1",   // code 9921
            "IMPORT005 PPRRVU2026_Oct_nonQPP.edge.csv:17:7",   // modifier T
            "IMPORT006 PPRRVU2026_Oct_nonQPP.edge.csv:18:54",  // global days XX1
            "IMPORT006 PPRRVU2026_Oct_nonQPP.edge.csv:19:20",  // work RVU 2.8O
            "IMPORT006 PPRRVU2026_Oct_nonQPP.edge.csv:20:17",  // status a
            "IMPORT006 PPRRVU2026_Oct_nonQPP.edge.csv:21:30",  // NA indicator N/A
            "IMPORT007 PPRRVU2026_Oct_nonQPP.edge.csv:22:1",   // 73630-26 again
            "IMPORT002 PPRRVU2026_Oct_nonQPP.edge.csv:23:109", // 31 fields: after the last
        ])
        #expect(report.issues.allSatisfy { $0.severity == .error && $0.message.hasSuffix("the row is skipped") })
        #expect(report.sources.map(\.rowsRead) == [14])
        #expect(report.sources.map(\.rowsSkipped) == [8])
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "pfs-rvu-2026-oct.csv") == [
            PFSImportTests.globalHeader,
            "73630,A,1,XXX,0,0,0,0,0,0.17,0.95,,0.95,,33.4009",
            "99213,A,0,XXX,2,0,0,0,0,1.30,1.19,,0.55,,33.4009",
            "27447,A,2,090,2,1,2,1,0,19.60,0.00,NA,11.29,,33.4009",
            "99292,A,0,ZZZ,0,0,0,0,0,2.25,1.12,,0.70,,33.4009",
        ])
        #expect(try lines(directory, "pfs-rvu-2026-oct-modifiers.csv") == [
            PFSImportTests.header,
            "73630,26,A,1,XXX,0,0,0,0,0,0.17,0.07,,0.07,,33.4009",
            "73630,TC,A,1,XXX,0,0,0,0,0,0.00,0.88,,0.00,NA,33.4009",
        ])
    }

    @Test("the repo's converted copies: indicators and amounts joined on code and modifier; a half alone is reported")
    func repoCopies() throws {
        let (report, directory) = try importFixtures(
            .pfsRVU, ["pfs-rvu-indicators-2024-excerpt.csv", "pfs-rvu-amounts-2024-excerpt.csv"],
            release: "PFS-RVU-2024-JUL", effective: date(2024, 7, 1))
        #expect(located(report.issues) == [
            "IMPORT006 pfs-rvu-indicators-2024-excerpt.csv:2:1",  // 27447: no amounts row
            "IMPORT006 pfs-rvu-amounts-2024-excerpt.csv:5:1",     // 99213: no indicators row
        ])
        #expect(report.sources.map(\.rowsRead) == [4, 4])
        #expect(report.sources.map(\.rowsWritten) == [3, 3])
        #expect(report.sources.map(\.rowsSkipped) == [1, 1])
        #expect(report.exitCode == 1)
        #expect(try lines(directory, "pfs-rvu-2024-jul.csv") == [
            PFSImportTests.globalHeader,
            "73630,A,1,XXX,0,3,0,0,0,0.17,0.84,,0.84,NA,33.2875",
        ])
        #expect(try lines(directory, "pfs-rvu-2024-jul-modifiers.csv") == [
            PFSImportTests.header,
            "73630,TC,A,1,XXX,0,3,0,0,0,0,0.78,,0.78,NA,33.2875",
            "73630,26,A,1,XXX,0,3,0,0,0,0.17,0.06,,0.06,,33.2875",
        ])
    }

    @Test("a file that is not a PFS file writes nothing and exits 2")
    func wrongFile() throws {
        let (report, directory) = try importFixtures(.pfsRVU, ["HCPC2026_OCT_ANWEB.excerpt.csv"], release: "X", effective: date(2026, 7, 1))
        #expect(located(report.issues) == ["IMPORT004 HCPC2026_OCT_ANWEB.excerpt.csv:1"])
        #expect(report.exitCode == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}
