import ArgumentParser
import ClaimModel
import Foundation
import X12

/// `claimscrub convert`: reads 837 files and writes their claims as JSON (docs/claims.md).
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Read X12 837P/837I files and write their claims as JSON claims (docs/claims.md).",
        discussion: """
            Claims are written to standard output (or --output) as one JSON document, claim by claim, so a
            file of any size streams through. Reading problems are printed on standard error with their
            file, segment number, segment id and element. A claim whose structure cannot be read is left out
            and named; every other claim is still written.
            Exit codes: 0 every claim read; 2 a file could not be opened or some claim could not be read.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case json
    }

    @Argument(help: "X12 837 files to read.")
    var files: [String]

    @Option(name: .customLong("to"), help: "Output format.")
    var format: OutputFormat = .json

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @Flag(help: "Write compact JSON (one line per claim) instead of indented JSON.")
    var compact = false

    @Flag(name: .shortAndLong, help: "Do not print warnings (errors are still printed).")
    var quiet = false

    func run() throws {
        let sink: OutputSink
        do {
            sink = try OutputSink(path: output)
        } catch {
            FileHandle.standardError.write(Data("claimscrub: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let encoder = ClaimJSON.makeEncoder(pretty: !compact)
        sink.write("{\"format\":\"\(ClaimJSON.format)\",\"version\":\(ClaimJSON.version),\"claims\":[")
        var first = true
        var unreadable = false
        var claimCount = 0
        var errorCount = 0
        var warningCount = 0
        for file in files {
            let reader: X12Reader
            do {
                reader = try X12Reader(path: file)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                unreadable = true
                continue
            }
            for claim in reader {
                do {
                    let data = try encoder.encode(claim)
                    sink.write(first ? "\n" : ",\n")
                    sink.write(data)
                    first = false
                    claimCount += 1
                } catch {
                    FileHandle.standardError.write(Data("\(file): claim \(claim.id): cannot encode as JSON: \(error)\n".utf8))
                    unreadable = true
                }
                report(reader.takeIssues(), errors: &errorCount, warnings: &warningCount)
            }
            report(reader.takeIssues(), errors: &errorCount, warnings: &warningCount)
        }
        sink.write("\n]}\n")
        sink.close()
        let summary = "claimscrub convert: \(claimCount) claim\(claimCount == 1 ? "" : "s") written; \(errorCount) error\(errorCount == 1 ? "" : "s"), \(warningCount) warning\(warningCount == 1 ? "" : "s")\n"
        FileHandle.standardError.write(Data(summary.utf8))
        if unreadable || errorCount > 0 { throw ExitCode(2) }
    }

    private func report(_ issues: [X12Issue], errors: inout Int, warnings: inout Int) {
        guard !issues.isEmpty else { return }
        var text = ""
        for issue in issues {
            switch issue.severity {
            case .error: errors += 1
            case .warning: warnings += 1
            }
            if issue.severity == .error || !quiet { text += issue.description + "\n" }
        }
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Buffered output to standard output or a file.
final class OutputSink {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var buffer = Data()

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ValidationError("cannot create output file \(path)")
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw ValidationError("cannot open output file \(path)")
            }
            self.handle = handle
            ownsHandle = true
        } else {
            handle = FileHandle.standardOutput
            ownsHandle = false
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) { write(Data(text.utf8)) }

    func write(_ data: Data) {
        buffer.append(data)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        if ownsHandle { try? handle.close() }
    }
}
