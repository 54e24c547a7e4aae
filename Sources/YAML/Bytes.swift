// Byte-level helpers for the loader: UTF-8 validation, offset → line:column, reading a file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum Bytes {
    /// The offset of the first byte that does not start a well-formed UTF-8 sequence (no overlong
    /// forms, no surrogates, nothing past U+10FFFF: the same bytes libyaml's reader refuses), or nil.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        var i = 0
        while i < count {
            // ASCII fast path, eight bytes at a time.
            if i &+ 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    i &+= 8
                    continue
                }
            }
            let lead = base[i]
            if lead < 0x80 {
                i &+= 1
                continue
            }
            let trailing: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: trailing = 1
            case 0xE0: trailing = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: trailing = 2
            case 0xED: trailing = 2; high = 0x9F
            case 0xF0: trailing = 3; low = 0x90
            case 0xF1...0xF3: trailing = 3
            case 0xF4: trailing = 3; high = 0x8F
            default: return i
            }
            if count - i <= trailing { return i }
            let second = base[i + 1]
            if second < low || second > high { return i }
            var k = 2
            while k <= trailing {
                if base[i + k] & 0xC0 != 0x80 { return i }
                k += 1
            }
            i += trailing + 1
        }
        return nil
    }

    /// The 1-based line and column (in Unicode scalars, as libyaml counts) of a byte offset.
    /// Lines end at LF, CRLF or a lone CR; a UTF-8 byte-order mark at the start takes no column.
    static func lineAndColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var column = 1
        var i = 0
        if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while i < end {
            let byte = bytes[i]
            if byte == 0x0A || (byte == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    /// The contents of a file, or why it could not be read; never reads more than `limit` + 1 bytes.
    static func readFile(_ path: String, limit: Int) -> FileContents {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .problem("cannot open the file: \(errorText(errno))") }
        defer { _ = close(fd) }
        var info = stat()
        var expected = 0
        if fstat(fd, &info) == 0 {
            expected = Int(truncatingIfNeeded: info.st_size)
            if expected > limit { return tooLarge(expected, limit: limit) }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(0, min(expected, limit)) + 1)
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
            if got < 0 {
                if errno == EINTR { continue }
                return .problem("cannot read the file: \(errorText(errno))")
            }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
            if bytes.count > limit { return tooLarge(bytes.count, limit: limit) }
        }
        return .bytes(bytes)
    }

    static func tooLarge(_ size: Int, limit: Int) -> FileContents {
        .problem(tooLargeMessage(size, limit: limit))
    }

    static func tooLargeMessage(_ size: Int, limit: Int) -> String {
        "the input is \(size) bytes or more, over the limit of \(limit) bytes (maxFileBytes)"
    }

    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

enum FileContents {
    case bytes([UInt8])
    case problem(String)
}
