import CZlib
import Tables

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an output file could not be written.
public struct WriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): cannot write: \(message)" }
}

/// Writes one CSV table (RFC 4180 quoting where needed, LF line ends, UTF-8) to `path`, gzip-compressed
/// when the path ends in `.gz`. Bytes go to `path.partial` and are renamed into place by `commit()`, so a
/// failed import never leaves half a table under the real name. The SHA-256 of the bytes written (as
/// stored: compressed for `.gz`) is kept for the manifest.
final class TableWriter {
    let path: String
    let partialPath: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private var stream: UnsafeMutablePointer<z_stream>?
    private var compressed: UnsafeMutablePointer<UInt8>
    private let compressedCapacity = 1 << 18
    private var hasher = ContentHash.SHA256()
    private var failure: String?
    private var fieldsInRow = 0
    private(set) var rows = 0
    private(set) var bytesWritten = 0
    private var closed = false
    private var committed = false

    /// Gzip level: 6 (zlib's default) balances the size of a committed table against import time.
    static let gzipLevel: Int32 = 6

    init(path: String) throws(WriteError) {
        self.path = path
        partialPath = path + ".partial"
        let fd = open(partialPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, message: String(cString: strerror(errno))) }
        descriptor = fd
        buffer.reserveCapacity(bufferLimit + 4096)
        compressed = .allocate(capacity: compressedCapacity)
        if path.hasSuffix(".gz") {
            let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            z.initialize(to: z_stream())
            // windowBits 15 + 16: a gzip wrapper with a zero modification time, so output is reproducible.
            let status = deflateInit2_(
                z, TableWriter.gzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                z.deallocate()
                compressed.deallocate()
                close(fd)
                unlink(partialPath)
                throw WriteError(path: path, message: "zlib could not start (\(status))")
            }
            stream = z
        }
    }

    deinit {
        if let stream {
            deflateEnd(stream)
            stream.deallocate()
        }
        compressed.deallocate()
        if !closed { close(descriptor) }
        if !committed { unlink(partialPath) }
    }

    // MARK: Rows

    /// Appends a field's bytes, quoted when they hold a comma, a quote, CR or LF.
    func field(_ bytes: UnsafeBufferPointer<UInt8>) {
        if fieldsInRow > 0 { buffer.append(0x2C) }
        fieldsInRow += 1
        var needsQuotes = false
        var high = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D || byte >= 0x80 {
            if byte >= 0x80 { high = true } else { needsQuotes = true }
        }
        if high && String(validating: bytes, as: UTF8.self) == nil {
            // Latin-1 (CMS's MUE files): written as UTF-8, every byte kept as its character.
            var utf8: [UInt8] = []
            for byte in bytes {
                if byte < 0x80 { utf8.append(byte) } else {
                    utf8.append(0xC0 | (byte >> 6))
                    utf8.append(0x80 | (byte & 0x3F))
                }
            }
            fieldsInRow -= 1
            if fieldsInRow > 0 { buffer.removeLast() }
            utf8.withUnsafeBufferPointer { field($0) }
            return
        }
        if !needsQuotes {
            buffer.append(contentsOf: bytes)
            return
        }
        buffer.append(0x22)
        for byte in bytes {
            buffer.append(byte)
            if byte == 0x22 { buffer.append(0x22) }
        }
        buffer.append(0x22)
    }

    func field(_ text: String) {
        var text = text
        text.withUTF8 { field($0) }
    }

    func field(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { field($0) } }

    /// A row of text fields.
    func row(_ fields: [String]) {
        for value in fields { field(value) }
        endRow()
    }

    func endRow() {
        buffer.append(0x0A)
        fieldsInRow = 0
        rows += 1
        if buffer.count >= bufferLimit { flush(finish: false) }
    }

    /// A header row (not counted as a data row).
    func header(_ names: [String]) {
        for name in names { field(name) }
        buffer.append(0x0A)
        fieldsInRow = 0
    }

    // MARK: Output

    private func writeAll(_ base: UnsafePointer<UInt8>, _ count: Int) {
        guard failure == nil, count > 0 else { return }
        hasher.update(UnsafeRawBufferPointer(start: base, count: count))
        var offset = 0
        while offset < count {
            let written = write(descriptor, base + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            offset += written
        }
        bytesWritten += count
    }

    private func flush(finish: Bool) {
        guard let stream else {
            buffer.withUnsafeBufferPointer { if let base = $0.baseAddress { writeAll(base, $0.count) } }
            buffer.removeAll(keepingCapacity: true)
            return
        }
        buffer.withUnsafeMutableBufferPointer { input in
            stream.pointee.next_in = input.baseAddress
            stream.pointee.avail_in = UInt32(input.count)
            while true {
                stream.pointee.next_out = compressed
                stream.pointee.avail_out = UInt32(compressedCapacity)
                let status = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                let produced = compressedCapacity - Int(stream.pointee.avail_out)
                writeAll(compressed, produced)
                if status == Z_STREAM_END { break }
                if status != Z_OK && status != Z_BUF_ERROR {
                    failure = "zlib failed (\(status))"
                    break
                }
                if !finish && stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { break }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the partial file; the digest of what was written.
    func finish() throws(WriteError) -> String {
        flush(finish: true)
        closed = true
        if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(partialPath)
            throw WriteError(path: path, message: failure)
        }
        return hasher.finalize()
    }

    /// Moves the finished partial file to its real name.
    func commit() throws(WriteError) {
        guard rename(partialPath, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(partialPath)
            throw WriteError(path: path, message: message)
        }
        committed = true
    }

    /// Drops the partial file.
    func discard() {
        if !closed {
            closed = true
            close(descriptor)
        }
        unlink(partialPath)
    }
}
