import ClaimModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Figures for loading a table and looking rows up, for the project's benchmark executable (never run by
/// the tests). Run it in a fresh process for a cold peak-memory figure.
public enum TableBenchmark {
    public struct Figures: Sendable, CustomStringConvertible {
        public var file: String
        public var rows: Int
        public var diagnostics: Int
        /// Wall-clock seconds for `Table.load` (read, decompress, parse, store, index).
        public var loadSeconds: Double
        /// CPU seconds (user + system, all threads) spent in `Table.load`.
        public var loadCPUSeconds: Double
        /// Peak resident memory of the process (Linux VmHWM) after loading, in bytes; nil when unknown.
        public var peakResidentBytes: Int?
        /// Resident memory after loading (VmRSS), in bytes.
        public var residentBytes: Int?
        public var lookups: Int
        /// Mean time of one `row(key1:key2:on:)` (or the table's key arity) lookup, half hits and half misses.
        public var nanosecondsPerLookup: Double
        public var hits: Int

        public var description: String {
            func megabytes(_ bytes: Int?) -> String { bytes.map { "\($0 / 1_048_576) MiB" } ?? "n/a" }
            return "\(file): \(rows) rows, \(diagnostics) diagnostics, load \(String(milliseconds: loadSeconds)) ms "
                + "(CPU \(String(milliseconds: loadCPUSeconds)) ms), "
                + "peak RSS \(megabytes(peakResidentBytes)), RSS \(megabytes(residentBytes)); \(lookups) lookups "
                + "at \(Int(nanosecondsPerLookup.rounded())) ns each (\(hits) in force)"
        }
    }

    /// Loads the table once, then times `lookups` in-force lookups on `date` for keys taken from the table
    /// (every other one with its first key part altered, so half miss).
    public static func run(_ spec: TableSpec, lookups: Int = 1_000_000, on date: CalendarDate) -> Figures {
        let clock = ContinuousClock()
        let cpuStart = cpuSeconds()
        let start = clock.now
        let (table, diagnostics) = Table.load(spec)
        let loadTime = clock.now - start
        let cpuTime = cpuSeconds() - cpuStart
        var figures = Figures(
            file: spec.path, rows: table?.rowCount ?? 0, diagnostics: diagnostics.count,
            loadSeconds: loadTime.seconds, loadCPUSeconds: cpuTime, peakResidentBytes: peakResidentBytes(),
            residentBytes: residentBytes(),
            lookups: 0, nanosecondsPerLookup: 0, hits: 0)
        guard let table, table.rowCount > 0, lookups > 0 else { return figures }

        let sampleCount = min(lookups, 65_536)
        let step = max(1, table.rowCount / sampleCount)
        var firsts: [String] = []
        var seconds: [String] = []
        var rests: [[String]] = []
        var row = 0
        for index in 0..<sampleCount {
            var parts = table.keyColumnIndices.map { table.value(row: Int32(row), column: $0) }
            if index % 2 == 1 { parts[0] = "Z" + parts[0] }
            firsts.append(parts[0])
            seconds.append(parts.count > 1 ? parts[1] : "")
            rests.append(parts)
            row = (row + step) % table.rowCount
        }
        let arity = table.keyColumns.count
        var hits = 0
        let lookupStart = clock.now
        for index in 0..<lookups {
            let sample = index % sampleCount
            let found: Int32?
            switch arity {
            case 1: found = table.row(key: firsts[sample], on: date)
            case 2: found = table.row(key1: firsts[sample], key2: seconds[sample], on: date)
            default: found = table.row(keyParts: rests[sample], on: date)
            }
            if found != nil { hits += 1 }
        }
        let lookupTime = clock.now - lookupStart
        figures.lookups = lookups
        figures.hits = hits
        figures.nanosecondsPerLookup = lookupTime.seconds * 1e9 / Double(lookups)
        return figures
    }

    /// The resource usage of this process so far (`getrusage`); nil if it cannot be read.
    private static func usage() -> rusage? {
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        return getrusage(who, &usage) == 0 ? usage : nil
    }

    /// Minor page faults of the process so far (pages the kernel gave it, zeroed, on first touch).
    public static func minorPageFaults() -> Int { usage().map { Int($0.ru_minflt) } ?? 0 }

    /// User and system CPU seconds of this process so far.
    public static func cpuSeconds() -> Double {
        guard let usage = usage() else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Peak resident memory of this process (VmHWM from /proc/self/status), in bytes.
    public static func peakResidentBytes() -> Int? { statusField("VmHWM:") }

    /// Current resident memory of this process (VmRSS), in bytes.
    public static func residentBytes() -> Int? { statusField("VmRSS:") }

    static func statusField(_ name: String) -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix(name) else { continue }
            let digits = text.dropFirst(name.count).filter { $0.isNumber }
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension String {
    fileprivate init(milliseconds seconds: Double) {
        self = String(Int((seconds * 1000).rounded()))
    }
}
