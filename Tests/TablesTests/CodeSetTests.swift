import Testing
import Tables

@Suite struct CodeSetTests {
    @Test func rangesExpandInclusivelyKeepingZeroPadding() throws {
        let set = try CodeSet(["99202-99205", "A0021-A0025", "E11.0-E11.3", "0001F-0003F", "G0008"])
        #expect(set.count == 4 + 5 + 4 + 3 + 1)
        #expect(set.sortedCodes == [
            "0001F", "0002F", "0003F", "99202", "99203", "99204", "99205",
            "A0021", "A0022", "A0023", "A0024", "A0025", "E11.0", "E11.1", "E11.2", "E11.3", "G0008",
        ])
        #expect(set.contains("99202") && set.contains("99205"))
        #expect(!set.contains("99201") && !set.contains("99206"))
        #expect(set.contains("A0023"))
        #expect(!set.contains("A023"), "the digit run keeps its width")
        #expect(!set.contains("A00023"))
        #expect(!set.contains("E11.4"))
        #expect(!set.contains("E12.0"))
        #expect(set.contains("0002F") && !set.contains("0002T"))
        #expect(set.contains("G0008") && !set.contains("G0009"))
    }

    @Test func zeroPaddedRangeCrossesPowersOfTen() throws {
        let set = try CodeSet(["A0098-A0102"])
        #expect(set.sortedCodes == ["A0098", "A0099", "A0100", "A0101", "A0102"])
        #expect(!set.contains("A100"))
    }

    @Test func overlapsCountOnceAndSpellingsCompareEqual() throws {
        let merged = try CodeSet(["99202-99210", "99205-99215", "99213", " 99216 "])
        #expect(merged.count == 15)
        #expect(merged.contains("99216"))
        let listed = try CodeSet((99202...99216).map(String.init))
        #expect(merged == listed)
        #expect(merged.hashValue == listed.hashValue)
        #expect(try CodeSet(["99202-99203"]) != CodeSet(["99202"]))
        #expect(try CodeSet(["J1", "J2"]).count == 2)
        #expect(try CodeSet(["TC", "26"]).contains("TC"))
        #expect(try CodeSet([]).isEmpty)
    }

    @Test(arguments: [
        (["99202", "99215-99202"], 1, "end before start"),
        (["99202-A0021"], 0, "different shapes"),
        (["A0021", "G0008", "A001-A0100"], 2, "different shapes"),
        (["E11.0-E12.9"], 0, "different shapes"),
        (["99202-"], 0, "a code on each side"),
        (["A-B"], 0, "run of digits"),
        (["99202-99203-99204"], 0, "one '-'"),
        (["99202", ""], 1, "empty entry"),
        (["A0000000-A2000000"], 0, "more than the limit of 1000000"),
    ])
    func badEntriesNameTheirIndex(entries: [String], index: Int, message: String) {
        do {
            _ = try CodeSet(entries)
            Issue.record("\(entries) was accepted")
        } catch {
            #expect(error.index == index)
            #expect(error.entry == entries[index])
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.description.hasPrefix("entry \(index) '"))
        }
    }

    @Test func expansionLimitIsAParameter() throws {
        #expect(throws: CodeRangeError.self) { try CodeSet(["00000-00010"], maxExpansion: 10) }
        #expect(try CodeSet(["00000-00009"], maxExpansion: 10).count == 10)
        #expect(try CodeSet(["A0000000-A0999999"]).count == 1_000_000)
    }
}
