import Testing
import Tables

@Suite struct ContentHashTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func standardVectors(message: String, digest: String) {
        #expect(ContentHash.sha256(Array(message.utf8)) == digest)
    }

    @Test func aMillionAs() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(ContentHash.sha256(bytes) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func piecesHashLikeTheWhole() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for split in [0, 1, 55, 56, 63, 64, 65, 127, 128, 999, 1000] {
            var hasher = ContentHash.SHA256()
            hasher.update(Array(bytes[..<split]))
            hasher.update(Array(bytes[split...]))
            #expect(hasher.finalize() == ContentHash.sha256(bytes), "split at \(split)")
        }
        var hasher = ContentHash.SHA256()
        for byte in bytes { hasher.update([byte]) }
        #expect(hasher.finalize() == ContentHash.sha256(bytes))
    }

    @Test func filesAreHashedAsStored() throws {
        // sha256sum of the fixtures as committed; the gzip file is hashed compressed.
        #expect(ContentHash.sha256(fileAt: try Fixture.path("ncci-ptp-practitioner-2024q3.excerpt.csv"))
            == "90552b6a0f9ad88c901236d77a98feda60f344cd8dc17e1d2749443231384478")
        #expect(ContentHash.sha256(fileAt: try Fixture.path("ncci-ptp-practitioner-2024q3.excerpt.csv.gz"))
            == "674aba56b2d4159c7d8a9405fe264afd771833e10e9e2c689607cef4e36944f2")
        #expect(ContentHash.sha256(fileAt: "/nonexistent/file") == nil)
    }
}
