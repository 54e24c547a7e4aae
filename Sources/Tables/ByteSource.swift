import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream of bytes read in chunks: a plain file, or a gzip file decompressed on the fly.
protocol ByteSource: AnyObject {
    /// Fills up to `capacity` bytes at `into`; 0 at the end. Throws a message on failure.
    func read(into: UnsafeMutablePointer<UInt8>, capacity: Int) throws(ByteSourceError) -> Int
    /// Size of the decompressed content when known or estimated (for reserving), else nil.
    var expectedSize: Int? { get }
}

struct ByteSourceError: Error {
    var message: String
}

func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// A file read with read(2).
final class FileSource: ByteSource {
    let descriptor: Int32
    let size: Int?

    init(path: String) throws(ByteSourceError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ByteSourceError(message: "cannot open: \(systemErrorText(errno))") }
        var info = stat()
        if fstat(fd, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw ByteSourceError(message: "is a directory")
            }
            size = Int(info.st_size)
        } else {
            size = nil
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    var expectedSize: Int? { size }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(ByteSourceError) -> Int {
        while true {
            #if canImport(Darwin)
            let count = Darwin.read(descriptor, buffer, capacity)
            #elseif canImport(Musl)
            let count = Musl.read(descriptor, buffer, capacity)
            #else
            let count = Glibc.read(descriptor, buffer, capacity)
            #endif
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw ByteSourceError(message: "read failed: \(systemErrorText(errno))")
        }
    }

    /// Reads the first bytes, then rewinds.
    func peek(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        return got > 0 ? Array(bytes[0..<got]) : []
    }

    /// The last 4 bytes as a little-endian number (gzip's ISIZE: the uncompressed size modulo 2^32).
    func trailerSize() -> Int? {
        guard let size, size >= 18 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 4)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 4, off_t(size - 4)) }
        guard got == 4 else { return nil }
        return Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    }
}

/// A gzip file (one or more members) inflated through zlib.
final class GzipSource: ByteSource {
    let file: FileSource
    let stream: UnsafeMutablePointer<z_stream>
    let input: UnsafeMutablePointer<UInt8>
    let inputCapacity = 1 << 18
    var inputEnded = false
    var finished = false
    var compressedSize: Int?
    let trailer: Int?

    init(file: FileSource) throws(ByteSourceError) {
        self.file = file
        compressedSize = file.size
        trailer = file.trailerSize()
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: inputCapacity)
        // 15 + 32: a 32 KiB window, zlib or gzip header detected automatically.
        let status = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            stream.deallocate()
            throw ByteSourceError(message: "zlib could not start (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    /// ISIZE of the last member when it is plausible for the compressed size; an estimate only.
    var expectedSize: Int? {
        guard let trailer, let compressedSize, trailer >= compressedSize else { return nil }
        return trailer
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(ByteSourceError) -> Int {
        if finished { return 0 }
        stream.pointee.next_out = buffer
        stream.pointee.avail_out = UInt32(min(capacity, Int(UInt32.max)))
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let got = try file.read(into: input, capacity: inputCapacity)
                if got == 0 { inputEnded = true } else {
                    stream.pointee.next_in = input
                    stream.pointee.avail_in = UInt32(got)
                }
            }
            let status = inflate(stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                // Another member may follow (concatenated gzip files).
                if stream.pointee.avail_in == 0 {
                    let got = try file.read(into: input, capacity: inputCapacity)
                    if got == 0 {
                        inputEnded = true
                        finished = true
                        break
                    }
                    stream.pointee.next_in = input
                    stream.pointee.avail_in = UInt32(got)
                }
                guard inflateReset(stream) == Z_OK else { throw ByteSourceError(message: "zlib could not restart") }
                continue
            }
            if status == Z_OK { continue }
            if status == Z_BUF_ERROR {
                // No progress: more input is needed, and there is none left.
                if inputEnded { throw ByteSourceError(message: "gzip data ends early (truncated file)") }
                continue
            }
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw ByteSourceError(message: "gzip data is corrupt (\(detail))")
        }
        return capacity - Int(stream.pointee.avail_out)
    }
}

/// Opens a path as plain bytes or, when it starts with the gzip magic bytes, as inflated bytes.
func openByteSource(path: String) throws(ByteSourceError) -> any ByteSource {
    let file = try FileSource(path: path)
    let head = file.peek(2)
    if head == [0x1F, 0x8B] {
        let gzip = try GzipSource(file: file)
        if PipelinedSource.isUseful, let pipelined = PipelinedSource(gzip) { return pipelined }
        return gzip
    }
    return file
}
