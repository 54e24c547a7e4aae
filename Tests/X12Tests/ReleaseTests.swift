import ClaimModel
import Foundation
import Testing
@testable import X12

/// The release writer: claims copied segment for segment into new 837 files with fresh envelopes.
@Suite struct ReleaseTests {
    static let writtenAt = X12Release.Timestamp(date: CalendarDate(year: 2026, month: 12, day: 2) ?? .distantPast, hour: 9, minute: 5)

    /// Every 837 fixture (samples and hand-written) that reads without an error.
    static func cleanFixtures() throws -> [String] {
        let directory = try Fixture.directory
        var paths: [String] = []
        for folder in ["samples", "837p", "837i"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/" + folder).sorted()
            for name in names where name.hasSuffix(".837") || name.hasSuffix(".837i") {
                let path = directory + "/" + folder + "/" + name
                let (claims, issues) = X12Reader.read(path: path)
                if !claims.isEmpty && issues.errors.isEmpty { paths.append(path) }
            }
        }
        return paths
    }

    /// A fresh directory for one test's output files.
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "claimscrub-release-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Reading problems of the envelopes, which a release writes anew.
    static let envelopeCodes: Set<String> = ["X12-SE-COUNT", "X12-SE-CONTROL", "X12-GE-COUNT", "X12-GE-CONTROL",
                                             "X12-IEA-COUNT", "X12-IEA-CONTROL"]

    static func stripped(_ claims: [Claim]) -> [Claim] { claims.map { var claim = $0; claim.source = nil; return claim } }

    /// The segments of a file as text, in order, without the envelopes and HL (the parts a release rewrites).
    static func copiedSegments(_ path: String) throws -> [String] {
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let scanner = SegmentScanner(source: .memory(Array(bytes), position: 0), maxSegmentLength: 65_536, maxElements: 512)
        var texts: [String] = []
        let rewritten: Set<UInt32> = [SegmentTag.ISA, SegmentTag.GS, SegmentTag.ST, SegmentTag.SE, SegmentTag.GE, SegmentTag.IEA, SegmentTag.HL]
        while case .segment(let segment) = scanner.next() {
            if !rewritten.contains(segment.tag) { texts.append(segment.text) }
        }
        return texts
    }

    static func release(_ inputs: [String], into directory: String, first: Int = 1,
                        place: @escaping (X12Release.ClaimKey) -> X12Release.Destination?) throws -> X12Release.Result {
        try X12Release.write(inputs: inputs, destination: place, readyPath: directory + "/ready.837",
                             heldPath: directory + "/held.837", firstControlNumber: first, writtenAt: writtenAt)
    }

    @Test func everyCleanFixtureRoundTripsSegmentForSegment() throws {
        let fixtures = try Self.cleanFixtures()
        #expect(fixtures.count >= 15, "the fixture folders hold the samples")
        for path in fixtures {
            let directory = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let original = X12Reader.read(path: path)
            let result = try Self.release([path], into: directory) { _ in .ready }
            #expect(result.ready.claims == original.claims.count, "\(path)")
            #expect(result.held.claims == 0)
            #expect(!FileManager.default.fileExists(atPath: directory + "/held.837"), "no held file without a held claim")
            let again = X12Reader.read(path: directory + "/ready.837")
            #expect(Self.stripped(again.claims) == Self.stripped(original.claims), "\(path): the same claims read back")
            // The content warnings come back (an NPI check digit stays wrong); the envelopes are new, so a wrong
            // count or control number of the input is gone and none is added.
            #expect(again.issues.map(\.code).sorted() == original.issues.map(\.code).filter { !Self.envelopeCodes.contains($0) }.sorted(),
                    "\(path)")
            #expect(try Self.copiedSegments(directory + "/ready.837") == Self.copiedSegments(path),
                    "\(path): every segment but the envelopes and HL copied as written")
        }
    }

    @Test func splitPutsEveryClaimInExactlyOneFileWithValidEnvelopes() throws {
        for path in try Self.cleanFixtures() {
            let original = X12Reader.read(path: path)
            guard original.claims.count >= 2 else { continue }
            let directory = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let heldSegments = Set(original.claims.enumerated().filter { $0.offset % 2 == 1 }.compactMap { $0.element.source?.segment })
            let result = try Self.release([path], into: directory, first: 500) { heldSegments.contains($0.segment) ? .held : .ready }
            let ready = X12Reader.read(path: directory + "/ready.837")
            let held = X12Reader.read(path: directory + "/held.837")
            let expectedReady = original.claims.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            let expectedHeld = original.claims.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            #expect(Self.stripped(ready.claims) == Self.stripped(expectedReady), "\(path)")
            #expect(Self.stripped(held.claims) == Self.stripped(expectedHeld), "\(path)")
            #expect(result.written.count == original.claims.count)
            #expect((ready.issues + held.issues).filter { Self.envelopeCodes.contains($0.code) || $0.code.hasPrefix("X12-HL") }.isEmpty,
                    "\(path)")
            // Fresh, distinct interchange control numbers from the first one given.
            let readyControls = Set(ready.claims.compactMap(\.source?.interchangeControlNumber))
            let heldControls = Set(held.claims.compactMap(\.source?.interchangeControlNumber))
            #expect(readyControls.isDisjoint(with: heldControls), "\(path)")
            #expect(readyControls.contains("000000500"), "\(path): the first control number is the one given")
        }
    }

    @Test func envelopesCarryTheCountsAndTheTimeOfWriting() throws {
        let path = try Fixture.path("837p/three-subscribers-dependents-one-billing-provider.837")
        let original = X12Reader.read(path: path)
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try #require(original.claims.first?.source?.segment)
        _ = try Self.release([path], into: directory, first: 77) { $0.segment == first ? .held : .ready }
        let data = try #require(FileManager.default.contents(atPath: directory + "/held.837"))
        let text = String(decoding: data, as: UTF8.self)
        let segments = text.split(separator: "~").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let isa = segments[0].split(separator: "*", omittingEmptySubsequences: false)
        #expect(isa[9] == "261202" && isa[10] == "0905" && isa[13] == "000000077")
        #expect(segments[1].hasPrefix("GS*") && segments[1].contains("*20261202*0905*78*"))
        let st = try #require(segments.firstIndex { $0.hasPrefix("ST*") })
        let se = try #require(segments.firstIndex { $0.hasPrefix("SE*") })
        #expect(segments[se] == "SE*\(se - st + 1)*0001")
        #expect(segments[st].hasPrefix("ST*837*0001"))
        #expect(segments.last == "IEA*1*000000077")
        // One claim: one billing provider HL, its subscriber under it (and a patient, if the claim has one).
        let hls = segments.filter { $0.hasPrefix("HL*") }
        #expect(hls.first?.hasPrefix("HL*1**20*") == true)
        #expect(hls.dropFirst().first?.hasPrefix("HL*2*1*22*") == true)
    }

    @Test(arguments: ["hl-missing-parent.837", "garbage-bytes-glued-to-next-hl.837", "sv1-without-lx.837",
                      "truncated-mid-segment.837", "truncated-at-segment-boundary.837", "lx-outside-any-claim.837"])
    func claimsTheReaderLeftOutAreInNeitherFile(name: String) throws {
        let path = try Fixture.path("bad/" + name)
        let original = X12Reader.read(path: path)
        #expect(!original.issues.errors.isEmpty, "the fixture has a claim the reader leaves out")
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kept = Set(original.claims.compactMap { $0.source?.segment })
        let result = try Self.release([path], into: directory) { kept.contains($0.segment) ? .ready : nil }
        #expect(result.ready.claims == original.claims.count)
        #expect(result.issues.isEmpty)
        let again = X12Reader.read(path: directory + "/ready.837")
        #expect(Self.stripped(again.claims) == Self.stripped(original.claims))
        #expect(again.issues.errors.isEmpty, "\(again.issues.errors)")
    }

    @Test func severalInputsKeepTheirOwnInterchanges() throws {
        let first = try Fixture.path("837p/every-loop-one-claim.837")
        let second = try Fixture.path("837i/every-loop-one-claim.837i")
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Self.release([first, second], into: directory) { _ in .ready }
        #expect(result.ready.interchanges == 2)
        let again = X12Reader.read(path: directory + "/ready.837")
        let originals = X12Reader.read(path: first).claims + X12Reader.read(path: second).claims
        #expect(Self.stripped(again.claims) == Self.stripped(originals))
        #expect(again.claims.map(\.type) == [.professional, .institutional])
        #expect(again.issues.errors.isEmpty)
    }

    /// The HLs of a written file, as text.
    static func hierarchy(_ path: String) throws -> [String] {
        let data = try #require(FileManager.default.contents(atPath: path))
        return String(decoding: data, as: UTF8.self).split(separator: "~")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0.hasPrefix("HL*") }
    }

    @Test func aSubscribersChildCodeSaysWhetherAPatientFollowsInThatFile() throws {
        // HL 4 is a subscriber with a claim of its own (CLAIM-C0) and two dependants (HL 5, 6: C1, C2).
        let path = try Fixture.path("837p/three-subscribers-dependents-one-billing-provider.837")
        let original = X12Reader.read(path: path)
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dependants = Set(original.claims.filter { ["CLAIM-C1", "CLAIM-C2"].contains($0.id) }.compactMap { $0.source?.segment })
        #expect(dependants.count == 2)
        _ = try Self.release([path], into: directory) { dependants.contains($0.segment) ? .held : .ready }
        // Ready: A's, B's and C0's subscribers, none with a patient HL under it.
        #expect(try Self.hierarchy(directory + "/ready.837") == ["HL*1**20*1", "HL*2*1*22*0", "HL*3*1*22*0", "HL*4*1*22*0"])
        // Held: C's subscriber again, now with its two patients.
        #expect(try Self.hierarchy(directory + "/held.837") == ["HL*1**20*1", "HL*2*1*22*1", "HL*3*2*23*0", "HL*4*2*23*0"])
        let held = X12Reader.read(path: directory + "/held.837")
        #expect(held.claims.map(\.id) == ["CLAIM-C1", "CLAIM-C2"])
        #expect(held.claims.map(\.patient) == original.claims.filter { dependants.contains($0.source?.segment ?? 0) }.map(\.patient))
    }

    @Test func aFileNamedTwiceIsCopiedOnce() throws {
        let path = try Fixture.path("837p/three-subscribers-dependents-one-billing-provider.837")
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Self.release([path, path], into: directory) { _ in .ready }
        #expect(result.ready.claims == 6)
        #expect(X12Reader.read(path: directory + "/ready.837").claims.count == 6)
        #expect(result.claimIDs.values.sorted() == ["CLAIM-A1", "CLAIM-A2", "CLAIM-B1", "CLAIM-C0", "CLAIM-C1", "CLAIM-C2"])
    }

    @Test func aDirectoryThatCannotBeWrittenIsAnError() throws {
        let path = try Fixture.path("837p/every-loop-one-claim.837")
        #expect(throws: X12FileError.self) {
            try Self.release([path], into: "/nonexistent-claimscrub-dir") { _ in .ready }
        }
    }
}
