import CZlib
import Foundation
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
/// stored: compressed for `.gz`) is kept for the manifest. On more than one core, compression runs on a
/// second thread, a few 1 MiB chunks behind the rows (deflate costs about as much as parsing).
final class TableWriter {
    let path: String
    let partialPath: String
    private let sink: OutputSink
    private let pipeline: CompressionPipeline?
    /// The chunk being filled.
    private var chunk: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var fieldsInRow = 0
    private(set) var rows = 0
    private var closed = false
    private var committed = false

    static let chunkSize = 1 << 20
    /// Gzip level: 6 (zlib's default) balances the size of a committed table against import time.
    static let gzipLevel: Int32 = 6

    init(path: String) throws(WriteError) {
        self.path = path
        partialPath = path + ".partial"
        sink = try OutputSink(path: partialPath, displayPath: path, gzip: path.hasSuffix(".gz"))
        capacity = TableWriter.chunkSize
        chunk = .allocate(capacity: capacity)
        if path.hasSuffix(".gz") && sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 {
            pipeline = CompressionPipeline(sink: sink, chunkSize: TableWriter.chunkSize)
        } else {
            pipeline = nil
        }
    }

    deinit {
        if !closed {
            pipeline?.finish()
            sink.close()
        }
        chunk.deallocate()
        if !committed { unlink(partialPath) }
    }

    // MARK: Rows

    /// Makes room for `needed` more bytes in the chunk.
    @inline(__always)
    private func reserve(_ needed: Int) {
        if count + needed <= capacity { return }
        flush()
        if needed > capacity {
            chunk.deallocate()
            capacity = needed
            chunk = .allocate(capacity: capacity)
        }
    }

    @inline(__always)
    private func append(_ byte: UInt8) {
        chunk[count] = byte
        count += 1
    }

    /// Appends a field's bytes, quoted when they hold a comma, a quote, CR or LF; bytes that are not UTF-8
    /// are taken as Latin-1 (CMS's MUE files) and written as UTF-8.
    func field(_ bytes: UnsafeBufferPointer<UInt8>) {
        var needsQuotes = false
        var high = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D || byte >= 0x80 {
            if byte >= 0x80 { high = true } else { needsQuotes = true }
        }
        if high && String(validating: bytes, as: UTF8.self) == nil {
            var utf8: [UInt8] = []
            utf8.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                if byte < 0x80 { utf8.append(byte) } else {
                    utf8.append(0xC0 | (byte >> 6))
                    utf8.append(0x80 | (byte & 0x3F))
                }
            }
            utf8.withUnsafeBufferPointer { field($0) }
            return
        }
        reserve(bytes.count * 2 + 3)
        if fieldsInRow > 0 { append(0x2C) }
        fieldsInRow += 1
        guard needsQuotes else {
            if let base = bytes.baseAddress, bytes.count > 0 {
                (chunk + count).update(from: base, count: bytes.count)
                count += bytes.count
            }
            return
        }
        append(0x22)
        for byte in bytes {
            append(byte)
            if byte == 0x22 { append(0x22) }
        }
        append(0x22)
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
        reserve(1)
        append(0x0A)
        fieldsInRow = 0
        rows += 1
    }

    /// A header row (not counted as a data row).
    func header(_ names: [String]) {
        for name in names { field(name) }
        reserve(1)
        append(0x0A)
        fieldsInRow = 0
    }

    // MARK: Output

    private func flush() {
        guard count > 0 else { return }
        if let pipeline {
            (chunk, capacity) = pipeline.submit(chunk, count: count, capacity: capacity)
        } else {
            sink.consume(chunk, count)
        }
        count = 0
    }

    /// Flushes and closes the partial file; the digest of what was written.
    func finish() throws(WriteError) -> String {
        flush()
        pipeline?.finish()
        closed = true
        sink.finishStream()
        sink.close()
        if let failure = sink.failure {
            unlink(partialPath)
            throw WriteError(path: path, message: failure)
        }
        return sink.hasher.finalize()
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
            pipeline?.finish()
            sink.close()
        }
        unlink(partialPath)
    }
}

/// The file end of a writer: compresses (gzip) or not, writes, hashes what it writes. Used by one thread
/// at a time: the writer's, or the compression thread's between `submit` and `finish`.
final class OutputSink: @unchecked Sendable {
    let displayPath: String
    private let descriptor: Int32
    private var stream: UnsafeMutablePointer<z_stream>?
    private let compressed: UnsafeMutablePointer<UInt8>
    private let compressedCapacity = 1 << 18
    private(set) var hasher = ContentHash.SHA256()
    private(set) var failure: String?
    private var isClosed = false

    init(path: String, displayPath: String, gzip: Bool) throws(WriteError) {
        self.displayPath = displayPath
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(path: displayPath, message: String(cString: strerror(errno))) }
        descriptor = fd
        compressed = .allocate(capacity: compressedCapacity)
        guard gzip else { return }
        let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        z.initialize(to: z_stream())
        // windowBits 15 + 16: a gzip wrapper with a zero modification time, so output is reproducible.
        let status = deflateInit2_(
            z, TableWriter.gzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            z.deallocate()
            compressed.deallocate()
            _ = closeDescriptor(fd)
            unlink(path)
            throw WriteError(path: displayPath, message: "zlib could not start (\(status))")
        }
        stream = z
    }

    deinit {
        if let stream {
            deflateEnd(stream)
            stream.deallocate()
        }
        compressed.deallocate()
        close()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        if closeDescriptor(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
    }

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
    }

    /// Compresses (or writes) `count` bytes.
    func consume(_ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) {
        guard let stream else {
            writeAll(bytes, count)
            return
        }
        deflate(stream, input: bytes, count: count, flush: Z_NO_FLUSH)
    }

    /// Ends the gzip stream (nothing for a plain file).
    func finishStream() {
        guard let stream else { return }
        deflate(stream, input: nil, count: 0, flush: Z_FINISH)
    }

    private func deflate(_ stream: UnsafeMutablePointer<z_stream>, input: UnsafeMutablePointer<UInt8>?, count: Int, flush: Int32) {
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(count)
        while true {
            stream.pointee.next_out = compressed
            stream.pointee.avail_out = UInt32(compressedCapacity)
            let status = CZlib.deflate(stream, flush)
            writeAll(compressed, compressedCapacity - Int(stream.pointee.avail_out))
            if status == Z_STREAM_END { return }
            if status != Z_OK && status != Z_BUF_ERROR {
                if failure == nil { failure = "zlib failed (\(status))" }
                return
            }
            if flush != Z_FINISH && stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
        }
    }
}

/// Hands filled chunks to a compression thread; three spare chunks circulate back to the writer. Every
/// field is read and written under `condition`, except a chunk's bytes, which belong to the writer until
/// submitted and to the thread until returned.
final class CompressionPipeline: @unchecked Sendable {
    private let sink: OutputSink
    private let condition = NSCondition()
    private var queue: [(UnsafeMutablePointer<UInt8>, count: Int, capacity: Int)] = []
    private var spare: [(UnsafeMutablePointer<UInt8>, capacity: Int)] = []
    private var finishing = false
    private var done = false
    private var finished = false

    init(sink: OutputSink, chunkSize: Int) {
        self.sink = sink
        spare = (0..<3).map { _ in (UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize), chunkSize) }
        let thread = Thread { [self] in run() }
        thread.start()
    }

    deinit {
        for (chunk, _, _) in queue { chunk.deallocate() }
        for (chunk, _) in spare { chunk.deallocate() }
    }

    /// Queues a filled chunk; returns an empty one (waiting while the thread is three chunks behind).
    func submit(_ chunk: UnsafeMutablePointer<UInt8>, count: Int, capacity: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
        condition.lock()
        defer { condition.unlock() }
        queue.append((chunk, count, capacity))
        condition.broadcast()
        while spare.isEmpty { condition.wait() }
        return spare.removeLast()
    }

    /// Waits until every queued chunk has gone through the sink; the thread then ends.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        guard !finished else { return }
        finishing = true
        condition.broadcast()
        while !done { condition.wait() }
        finished = true
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !finishing { condition.wait() }
            if queue.isEmpty {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let (chunk, count, capacity) = queue.removeFirst()
            condition.unlock()
            sink.consume(chunk, count)
            condition.lock()
            spare.append((chunk, capacity))
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// close(2), whichever C library declares it.
private func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Darwin)
    return Darwin.close(fd)
    #elseif canImport(Musl)
    return Musl.close(fd)
    #else
    return Glibc.close(fd)
    #endif
}
