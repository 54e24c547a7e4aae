#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 of bytes, as lowercase hex — the rule set version is a content hash of every loaded file.
public enum ContentHash {
    /// SHA-256 (FIPS 180-4) of the bytes, 64 lowercase hex digits.
    public static func sha256(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// SHA-256 of a file's bytes as stored (a `.gz` file is hashed compressed); nil when it cannot be read.
    public static func sha256(fileAt path: String) -> String? {
        guard let file = try? FileSource(path: path) else { return nil }
        var hasher = SHA256()
        let capacity = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        while true {
            guard let count = try? file.read(into: buffer, capacity: capacity) else { return nil }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: count))
        }
        return hasher.finalize()
    }

    /// Incremental SHA-256: `update` with any number of pieces, then `finalize`.
    public struct SHA256: Sendable {
        private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19
        )
        private var pending: [UInt8] = []
        private var length: UInt64 = 0

        public init() { pending.reserveCapacity(64) }

        public mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0, let base = bytes.baseAddress else { return }
            length &+= UInt64(bytes.count)
            var offset = 0
            if !pending.isEmpty {
                let take = min(64 - pending.count, bytes.count)
                pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
                offset = take
                if pending.count == 64 {
                    pending.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
            let whole = (bytes.count - offset) / 64
            if whole > 0 {
                compress(blocks: base + offset, count: whole)
                offset += whole * 64
            }
            if offset < bytes.count {
                pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
            }
        }

        /// The digest as lowercase hex. The hasher is left as it was.
        public func finalize() -> String {
            var copy = self
            let bitLength = length &* 8
            var tail = pending
            tail.append(0x80)
            while tail.count % 64 != 56 { tail.append(0) }
            for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
            tail.withUnsafeBytes { copy.compress(blocks: $0.baseAddress!, count: tail.count / 64) }
            let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3,
                         copy.state.4, copy.state.5, copy.state.6, copy.state.7]
            let digits = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(64)
            for word in words {
                for shift in stride(from: 28, through: 0, by: -4) {
                    out.append(digits[Int((word >> UInt32(shift)) & 0xF)])
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        private mutating func compress(blocks: UnsafeRawPointer, count: Int) {
            var (h0, h1, h2, h3, h4, h5, h6, h7) = state
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                sha256RoundConstants.withUnsafeBufferPointer { k in
                    for block in 0..<count {
                        let p = blocks + block * 64
                        for t in 0..<16 {
                            w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                        }
                        for t in 16..<64 {
                            let a = w[t - 15], b = w[t - 2]
                            let s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a &>> 3)
                            let s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b &>> 10)
                            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                        }
                        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                        // Eight rounds per pass with the roles of the working variables rotated, instead of
                        // moving all eight values every round.
                        var t = 0
                        while t < 64 {
                            sha256Round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                            sha256Round(h, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                            sha256Round(g, h, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                            sha256Round(f, g, h, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                            sha256Round(e, f, g, &h, a, b, c, &d, k[t + 4] &+ w[t + 4])
                            sha256Round(d, e, f, &g, h, a, b, &c, k[t + 5] &+ w[t + 5])
                            sha256Round(c, d, e, &f, g, h, a, &b, k[t + 6] &+ w[t + 6])
                            sha256Round(b, c, d, &e, f, g, h, &a, k[t + 7] &+ w[t + 7])
                            t += 8
                        }
                        h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                        h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                    }
                }
            }
            state = (h0, h1, h2, h3, h4, h5, h6, h7)
        }
    }
}

/// One round: `d += t1`, `h = t1 + t2`, where the caller passes the variables in their rotated roles.
@inline(__always)
private func sha256Round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32, _ e: UInt32, _ f: UInt32, _ g: UInt32,
    _ h: inout UInt32, _ kw: UInt32
) {
    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ kw
    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
    d &+= t1
    h = t1 &+ t2
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

private let sha256RoundConstants: [UInt32] = [
    0x428A_2F98, 0x7137_4491, 0xB5C0_FBCF, 0xE9B5_DBA5, 0x3956_C25B, 0x59F1_11F1, 0x923F_82A4, 0xAB1C_5ED5,
    0xD807_AA98, 0x1283_5B01, 0x2431_85BE, 0x550C_7DC3, 0x72BE_5D74, 0x80DE_B1FE, 0x9BDC_06A7, 0xC19B_F174,
    0xE49B_69C1, 0xEFBE_4786, 0x0FC1_9DC6, 0x240C_A1CC, 0x2DE9_2C6F, 0x4A74_84AA, 0x5CB0_A9DC, 0x76F9_88DA,
    0x983E_5152, 0xA831_C66D, 0xB003_27C8, 0xBF59_7FC7, 0xC6E0_0BF3, 0xD5A7_9147, 0x06CA_6351, 0x1429_2967,
    0x27B7_0A85, 0x2E1B_2138, 0x4D2C_6DFC, 0x5338_0D13, 0x650A_7354, 0x766A_0ABB, 0x81C2_C92E, 0x9272_2C85,
    0xA2BF_E8A1, 0xA81A_664B, 0xC24B_8B70, 0xC76C_51A3, 0xD192_E819, 0xD699_0624, 0xF40E_3585, 0x106A_A070,
    0x19A4_C116, 0x1E37_6C08, 0x2748_774C, 0x34B0_BCB5, 0x391C_0CB3, 0x4ED8_AA4A, 0x5B9C_CA4F, 0x682E_6FF3,
    0x748F_82EE, 0x78A5_636F, 0x84C8_7814, 0x8CC7_0208, 0x90BE_FFFA, 0xA450_6CEB, 0xBEF9_A3F7, 0xC671_78F2,
]
