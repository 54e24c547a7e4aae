// X12Bench: the X12 reader benchmark (run by scripts/bench; never by the tests, and it asserts no timings).
//
//   X12Bench generate --claims N --out FILE [--seed S] [--per-transaction N]
//   X12Bench read FILE [--repeat N] [--expect-claims N] [--expect-lines N]
//   X12Bench read --reader-only FILE [--repeat N] [--expect-claims N] [--expect-lines N]
//
// `read` times the C baseline (ctok_split over the bytes in memory, ctok_split_fd reading 1 MiB chunks) in this
// process and `X12Reader(path:)` in a child process (`--reader-only`), so that the reader's peak RSS is its own.
// It exits 1 when the reader reports an error or a count differs from what was expected, 2 on a usage error.
import ClaimModel
import Foundation
import X12

let usage = """
    usage: X12Bench generate --claims N --out FILE [--seed S] [--per-transaction N]
           X12Bench read [--reader-only] FILE [--repeat N] [--expect-claims N] [--expect-lines N]
    """

/// Options after the command word: `--name value` pairs, `--reader-only`, and one path.
struct Options {
    var values: [String: String] = [:]
    var readerOnly = false
    var path: String?

    init(_ arguments: ArraySlice<String>) throws(BenchError) {
        var rest = arguments
        while let argument = rest.popFirst() {
            if argument == "--reader-only" {
                readerOnly = true
            } else if argument.hasPrefix("--") {
                guard let value = rest.popFirst() else { throw BenchError(description: "\(argument) needs a value") }
                values[String(argument.dropFirst(2))] = value
            } else if path == nil {
                path = argument
            } else {
                throw BenchError(description: "unexpected argument '\(argument)'")
            }
        }
    }

    func int(_ name: String) throws(BenchError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), value >= 0 else { throw BenchError(description: "--\(name) '\(text)' is not a count") }
        return value
    }
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("X12Bench: \(message)\n".utf8))
    exit(code)
}

func generate(_ options: Options) throws(BenchError) {
    guard let claims = try options.int("claims"), let out = options.values["out"] else {
        throw BenchError(description: "generate needs --claims N and --out FILE")
    }
    var generator = ClaimFileGenerator(claims: claims)
    if let seed = options.values["seed"] {
        guard let value = UInt64(seed) else { throw BenchError(description: "--seed '\(seed)' is not a number") }
        generator.seed = value
    }
    if let perTransaction = try options.int("per-transaction") { generator.claimsPerTransaction = perTransaction }
    let start = monotonicSeconds()
    let counts: GeneratedCounts
    do { counts = try generator.write(to: out) } catch { throw BenchError(description: error.description) }
    let seconds = monotonicSeconds() - start
    print("generated \(out) in \(Format.fixed(seconds, 1)) s: \(Format.megabytes(counts.bytes)), "
        + "\(Format.grouped(counts.claims)) claims in \(counts.transactions) transaction sets, "
        + "\(Format.grouped(counts.lines)) service lines (\(Format.grouped(counts.drugLines)) with an NDC), "
        + "\(Format.grouped(counts.billingProviders)) billing provider HLs, \(Format.grouped(counts.dependents)) dependents, "
        + "\(Format.grouped(counts.renderingProviders)) 2310B rendering providers, \(Format.grouped(counts.segments)) segments")
    print("@generated claims=\(counts.claims) lines=\(counts.lines) segments=\(counts.segments) bytes=\(counts.bytes) "
        + "charge_cents=\(counts.totalChargeCents)")
}

/// Times the reader alone (`--reader-only`); prints an `@reader` line for the parent. Returns false on a failed check.
func readerOnly(path: String, repeats: Int, options: Options) throws(BenchError) -> Bool {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    var timing = Timing()
    var last = ReaderPass()
    for run in 0..<repeats {
        let pass: ReaderPass
        do { pass = try timing.measure { () throws(X12FileError) in try readerPass(path) } } catch {
            throw BenchError(description: error.description)
        }
        if run > 0 && (pass.claims != last.claims || pass.lines != last.lines || pass.chargeCents != last.chargeCents) {
            throw BenchError(description: "reader passes disagree: \(last.claims) then \(pass.claims) claims")
        }
        last = pass
    }
    let peak = procStatusKiB("VmHWM") ?? 0
    let best = timing.best
    print("X12Reader(path:) \(path): best \(Format.fixed(best, 3)) s, median \(Format.fixed(timing.median, 3)) s of \(repeats): "
        + "\(Format.fixed(Double(size) / 1e6 / best, 1)) MB/s, \(Format.grouped(Int(Double(last.claims) / best))) claims/s; "
        + "peak RSS \(Format.mebibytes(peak))")
    for issue in last.firstIssues { print("  issue: \(issue)") }
    print("@reader best=\(best) median=\(timing.median) cpu=\(timing.bestCPU) claims=\(last.claims) lines=\(last.lines) "
        + "charge_cents=\(last.chargeCents) errors=\(last.errors) warnings=\(last.warnings) dropped=\(last.dropped) "
        + "segments=\(last.segments) peak_kib=\(peak) bytes=\(size)")
    var problems: [String] = []
    if last.errors != 0 { problems.append("the reader reported \(last.errors) errors") }
    if let expected = try options.int("expect-claims"), expected != last.claims {
        problems.append("\(last.claims) claims read, \(expected) expected")
    }
    if let expected = try options.int("expect-lines"), expected != last.lines {
        problems.append("\(last.lines) service lines read, \(expected) expected")
    }
    for problem in problems { print("  FAILED: \(problem)") }
    return problems.isEmpty
}

/// Times the C baseline here and the reader in a child process, prints the comparison, and checks the counts.
func compare(path: String, repeats: Int, options: Options) throws(BenchError) -> Bool {
    let loadBefore = loadAverage()
    let c = try CBaseline.run(path, repeats: repeats)
    let cPeak = procStatusKiB("VmHWM") ?? 0
    let child = try runReaderChild(path: path, repeats: repeats)
    let r = child.fields
    func int(_ key: String) -> Int { Int(r[key] ?? "") ?? -1 }
    func double(_ key: String) -> Double { Double(r[key] ?? "") ?? .nan }
    let bytes = int("bytes"), claims = int("claims"), lines = int("lines")
    let megabytes = Double(bytes) / 1e6
    let readerBest = double("best")

    print("X12 reader benchmark: \(path)")
    print("  file: \(Format.megabytes(bytes)), \(Format.grouped(Int(c.counts.segments))) segments, "
        + "\(Format.grouped(Int(c.counts.claims))) CLM segments; best and median of \(repeats) runs, file in the page cache")
    print("  machine: \(machineDescription()); each timing runs on one thread; load average \(loadBefore) before, "
        + "\(loadAverage()) after")
    print("  MB = 10^6 bytes; MB/s and claims/s are from the best wall-clock run")
    print("")
    let widths = [38, 8, 9, 8, 9, 11]
    func line(_ cells: [String]) {
        let padded = cells.enumerated().map { i, cell in i == 0 ? Format.padRight(cell, widths[i]) : Format.padLeft(cell, widths[i]) }
        print("  " + padded.joined(separator: " "))
    }
    line(["what", "best s", "median s", "CPU s", "MB/s", "claims/s"])
    func row(_ name: String, _ best: Double, _ median: Double, _ cpu: Double) {
        line([name, Format.fixed(best, 3), Format.fixed(median, 3), Format.fixed(cpu, 3), Format.fixed(megabytes / best, 1),
              Format.grouped(Int(Double(claims) / best))])
    }
    row("C ctok_split (bytes in memory)", c.inMemory.best, c.inMemory.median, c.inMemory.bestCPU)
    row("C ctok_split_fd (1 MiB reads)", c.chunked.best, c.chunked.median, c.chunked.bestCPU)
    row("X12Reader(path:), all claims built", readerBest, double("median"), double("cpu"))
    let ratio = c.inMemory.best / readerBest, ratioFD = c.chunked.best / readerBest
    print("")
    print("  reader speed / C speed: \(Format.fixed(ratio, 3)) of ctok_split, \(Format.fixed(ratioFD, 3)) of ctok_split_fd "
        + "(team aim 0.5; issue target 100 MB/s)")
    print("  peak RSS (VmHWM): reader process \(Format.mebibytes(int("peak_kib"))); C process \(Format.mebibytes(cPeak)) "
        + "(holds the whole file for ctok_split)")
    print("  (reading the file into memory for ctok_split took \(Format.fixed(c.loadSeconds, 3)) s, not counted above)")
    for issueLine in child.output.split(separator: "\n") where issueLine.hasPrefix("  issue: ") { print(issueLine) }

    var problems: [String] = []
    if int("errors") != 0 { problems.append("the reader reported \(int("errors")) errors") }
    if claims != Int(c.counts.claims) {
        problems.append("the reader built \(claims) claims; the file has \(c.counts.claims) CLM segments")
    }
    if int("segments") != Int(c.counts.segments) {
        problems.append("the reader counted \(int("segments")) segments, ctok_split \(c.counts.segments)")
    }
    if let expected = try options.int("expect-claims"), expected != claims {
        problems.append("\(claims) claims read, \(expected) generated")
    }
    if let expected = try options.int("expect-lines"), expected != lines {
        problems.append("\(lines) service lines read, \(expected) generated")
    }
    let generated = options.values["expect-claims"].map { " (generated: \(Format.grouped(Int($0) ?? 0)))" } ?? ""
    print("  checks: \(Format.grouped(claims)) claims\(generated), \(Format.grouped(lines)) service lines, "
        + "\(int("errors")) errors, \(int("warnings")) warnings, segments as ctok_split: "
        + (problems.isEmpty ? "passed" : "FAILED"))
    for problem in problems { print("  FAILED: \(problem)") }
    print("@summary claims=\(claims) lines=\(lines) bytes=\(bytes) reader_s=\(readerBest) reader_cpu_s=\(double("cpu")) "
        + "reader_mbps=\(megabytes / readerBest) reader_cps=\(Double(claims) / readerBest) "
        + "reader_cpu_mbps=\(megabytes / double("cpu")) c_cpu_mbps=\(megabytes / c.inMemory.bestCPU) "
        + "c_mbps=\(megabytes / c.inMemory.best) c_fd_mbps=\(megabytes / c.chunked.best) ratio=\(ratio) ratio_fd=\(ratioFD) "
        + "reader_peak_kib=\(int("peak_kib")) c_peak_kib=\(cPeak) errors=\(int("errors")) warnings=\(int("warnings")) "
        + "ok=\(problems.isEmpty ? 1 : 0)")
    return problems.isEmpty
}

let arguments = CommandLine.arguments.dropFirst()
do {
    guard let command = arguments.first else { fail(usage, code: 2) }
    let options = try Options(arguments.dropFirst())
    switch command {
    case "generate":
        try generate(options)
    case "read":
        guard let path = options.path else { fail(usage, code: 2) }
        let repeats = max(1, try options.int("repeat") ?? 3)
        let ok = options.readerOnly
            ? try readerOnly(path: path, repeats: repeats, options: options)
            : try compare(path: path, repeats: repeats, options: options)
        if !ok { exit(1) }
    case "help", "--help", "-h":
        print(usage)
    default:
        fail("unknown command '\(command)'\n\(usage)", code: 2)
    }
} catch {
    fail("\(error)", code: 2)
}
