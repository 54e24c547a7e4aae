import ClaimModel
import CTokenizerBaseline
import Foundation
import X12

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// User plus system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// A small file read whole with `read(2)` (procfs files report size 0, so no `fstat` sizing).
func readSmallFile(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A `kB` field of `/proc/self/status` (`VmHWM` peak resident set, `VmRSS` current), in KiB.
func procStatusKiB(_ field: String) -> Int? {
    guard let status = readSmallFile("/proc/self/status") else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
    return nil
}

/// The CPU model and core count, for the report.
func machineDescription() -> String {
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    let model = readSmallFile("/proc/cpuinfo")?.split(separator: "\n")
        .first { $0.hasPrefix("model name") }
        .flatMap { $0.split(separator: ":", maxSplits: 1).last }
        .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    return "\(cores) cores, \(model)"
}

/// The times of repeated runs of one thing: wall clock, and CPU time (user + system) of this process.
struct Timing {
    var runs: [Double] = []
    var cpu: [Double] = []
    var best: Double { runs.min() ?? 0 }
    var median: Double { Timing.median(runs) }
    var bestCPU: Double { cpu.min() ?? 0 }

    /// Times `body` once and records it.
    mutating func measure<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let start = monotonicSeconds(), startCPU = cpuSeconds()
        let result = try body()
        runs.append(monotonicSeconds() - start)
        cpu.append(cpuSeconds() - startCPU)
        return result
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// The 1-minute load average: when it is well over 1 on this 2-core machine, wall times are inflated.
func loadAverage() -> String {
    readSmallFile("/proc/loadavg")?.split(separator: " ").first.map(String.init) ?? "?"
}

/// What one pass of the reader over the file found.
struct ReaderPass {
    var claims = 0
    var lines = 0
    var chargeCents: Int64 = 0
    var errors = 0
    var warnings = 0
    var dropped = 0
    var segments = 0
    var firstIssues: [String] = []
}

/// Reads every claim of `path` with `X12Reader(path:)`, counting claims, lines, charges and issues.
func readerPass(_ path: String) throws(X12FileError) -> ReaderPass {
    let reader = try X12Reader(path: path)
    var pass = ReaderPass()
    for claim in reader {
        pass.claims += 1
        pass.lines += claim.lines.count
        pass.chargeCents &+= claim.totalCharge.cents ?? 0
    }
    let issues = reader.issues
    pass.errors = issues.count { $0.severity == .error }
    pass.warnings = issues.count { $0.severity == .warning }
    pass.dropped = reader.droppedIssueCount
    pass.segments = reader.segmentCount
    pass.firstIssues = issues.prefix(5).map(\.description)
    return pass
}

/// The element separator and segment terminator from the file's ISA (`*` and `~` when there is none).
func delimiters(of bytes: UnsafeRawBufferPointer) -> (element: UInt8, terminator: UInt8) {
    guard bytes.count >= 106, bytes[0] == UInt8(ascii: "I"), bytes[1] == UInt8(ascii: "S"), bytes[2] == UInt8(ascii: "A")
    else { return (UInt8(ascii: "*"), UInt8(ascii: "~")) }
    return (bytes[3], bytes[105])
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// The whole file in memory, read with `read(2)`.
func loadFile(_ path: String) throws(BenchError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw BenchError(description: "\(path): cannot open: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw BenchError(description: "\(path): cannot stat") }
    let size = Int(info.st_size)
    var failure: String?
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        var done = 0
        while done < size {
            let n = read(descriptor, buffer.baseAddress.map { $0 + done }, size - done)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { failure = String(cString: strerror(errno)); break }
            if n == 0 { break }
            done += n
        }
        initialized = done
    }
    if let failure { throw BenchError(description: "\(path): read failed: \(failure)") }
    return bytes
}

/// Runs the C baseline on the file: `ctok_split` over the bytes in memory, and `ctok_split_fd` reading 1 MiB chunks.
struct CBaseline {
    var loadSeconds = 0.0
    var inMemory = Timing()
    var chunked = Timing()
    var counts = ctok_counts()

    static func run(_ path: String, repeats: Int) throws(BenchError) -> CBaseline {
        var result = CBaseline()
        let start = monotonicSeconds()
        let bytes = try loadFile(path)
        result.loadSeconds = monotonicSeconds() - start
        let (e, t) = bytes.withUnsafeBytes { delimiters(of: $0) }
        for _ in 0..<repeats {
            result.counts = bytes.withUnsafeBufferPointer { buffer in
                result.inMemory.measure { ctok_split(buffer.baseAddress, buffer.count, e, t) }
            }
        }
        for _ in 0..<repeats {
            var counts = ctok_counts()
            let status = try result.chunked.measure { () throws(BenchError) -> Int32 in
                let descriptor = open(path, O_RDONLY)
                guard descriptor >= 0 else { throw BenchError(description: "\(path): cannot open") }
                defer { close(descriptor) }
                return ctok_split_fd(descriptor, 1 << 20, e, t, &counts)
            }
            guard status == 0 else { throw BenchError(description: "\(path): ctok_split_fd failed: \(String(cString: strerror(errno)))") }
            guard counts.segments == result.counts.segments, counts.claims == result.counts.claims else {
                throw BenchError(description: "ctok_split_fd found \(counts.segments) segments, ctok_split \(result.counts.segments)")
            }
        }
        return result
    }
}

/// Number formatting for the report.
enum Format {
    static func fixed(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    static func megabytes(_ bytes: Int) -> String { fixed(Double(bytes) / 1e6, 1) + " MB" }
    static func mebibytes(_ kib: Int) -> String { fixed(Double(kib) / 1024, 1) + " MiB" }
    static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
    static func padRight(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}

/// `key=value` pairs of a `@reader` or `@summary` line.
func parseFields(_ line: Substring) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in line.split(separator: " ").dropFirst() {
        let parts = pair.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
    }
    return fields
}

/// The path of this executable, to run the reader in a child process.
func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return CommandLine.arguments[0] }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Runs `X12Bench read --reader-only` on the file in a fresh process, so that its peak RSS is the reader's alone.
func runReaderChild(path: String, repeats: Int) throws(BenchError) -> (output: String, fields: [String: String]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executablePath())
    process.arguments = ["read", "--reader-only", "--repeat", String(repeats), path]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { throw BenchError(description: "cannot start the reader process: \(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 || process.terminationStatus == 1,
          let line = output.split(separator: "\n").last(where: { $0.hasPrefix("@reader ") }) else {
        throw BenchError(description: "the reader process exited \(process.terminationStatus) without a result:\n\(output)")
    }
    return (output, parseFields(line))
}
