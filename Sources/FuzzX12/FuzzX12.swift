// libFuzzer target for the X12 837 reader (scripts/fuzz). Built only with
// `swift build -c release --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --product FuzzX12`
// (../shared/TOOLCHAIN.md); libFuzzer supplies `main`.
//
// Each input is read three times: with the default limits through a 64 KiB buffer (which holds every input whole,
// as the default 1 MiB buffer would: ASan makes a 1 MiB allocation per input cost more than the reading), with the
// same limits through a 4 KiB buffer (so refills and buffer growth happen inside small inputs), and with tight
// limits (so the length, element and issue limits are reached). Every reading must keep the reader's promises
// (below); a broken promise traps, and libFuzzer saves the input.
import ClaimModel
import X12

// Constants live in a type, not at the top level: this file is the target's main file, and libFuzzer's `main`
// never runs its top-level code, so a top-level global would never be initialised.
private enum Setup {
    static let name = "fuzz.837"
    /// Limits small enough that fuzzed inputs reach them.
    static let tight = X12Reader.Limits(maxSegmentLength: 96, maxElements: 24, maxIssues: 40)
    /// Larger than any input (scripts/fuzz passes -max_len=24576).
    static let wholeBuffer = 1 << 16
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzX12(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let name = Setup.name, tight = Setup.tight, wholeBuffer = Setup.wholeBuffer
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let whole = readAll(X12Reader(bytes: bytes, name: name, chunkSize: wholeBuffer), bytes: bytes, limits: X12Reader.Limits())
    let chunked = readAll(X12Reader(bytes: bytes, name: name, chunkSize: 4096), bytes: bytes, limits: X12Reader.Limits())
    if whole.claims != chunked.claims { violated("a 4 KiB buffer reads other claims than a 64 KiB buffer", bytes) }
    if whole.issues != chunked.issues {
        let difference = zip(whole.issues, chunked.issues).first { $0 != $1 }.map { "\($0) | \($1)" }
            ?? "\(whole.issues.count) vs \(chunked.issues.count) issues"
        violated("a 4 KiB buffer reports other issues than a 64 KiB buffer: \(difference)", bytes)
    }
    _ = readAll(X12Reader(bytes: bytes, name: name, limits: tight, chunkSize: wholeBuffer), bytes: bytes, limits: tight)
    return 0
}

/// Drains a reader and checks what it returned.
private func readAll(_ reader: X12Reader, bytes: [UInt8], limits: X12Reader.Limits) -> (claims: [Claim], issues: [X12Issue]) {
    let name = Setup.name
    var claims: [Claim] = []
    while let claim = reader.next() { claims.append(claim) }
    if reader.next() != nil { violated("next() returned a claim after the end", bytes) }
    let issues = reader.issues
    let segments = reader.segmentCount
    if issues.count > limits.maxIssues { violated("\(issues.count) issues kept, over maxIssues \(limits.maxIssues)", bytes) }
    if reader.droppedIssueCount > 0 && (issues.count != limits.maxIssues || issues.last?.code != "X12-ISSUE-LIMIT") {
        violated("issues were dropped without an X12-ISSUE-LIMIT error in the last place", bytes)
    }
    if issues.dropLast().contains(where: { $0.code == "X12-ISSUE-LIMIT" }) { violated("X12-ISSUE-LIMIT before the last place", bytes) }
    for issue in issues {
        let location = issue.location
        if location.file != name { violated("issue names file '\(location.file)': \(issue)", bytes) }
        if location.segment < 0 || location.segment > segments {
            violated("issue at segment \(location.segment) of \(segments): \(issue)", bytes)
        }
        if let element = location.element, element < 1 { violated("element \(element): \(issue)", bytes) }
        if let component = location.component, component < 1 || location.element == nil {
            violated("component \(component): \(issue)", bytes)
        }
        if !issue.code.hasPrefix("X12-") || issue.message.isEmpty { violated("bad code or message: \(issue)", bytes) }
        if issue.code == "X12-EMPTY" && segments != 0 { violated("X12-EMPTY after \(segments) segments", bytes) }
    }
    if segments == 0 && !bytes.isEmpty && !issues.contains(where: { $0.code == "X12-EMPTY" }) {
        // Only white space can hold no segment.
        if bytes.contains(where: { ![0x0A, 0x0D, 0x20, 0x09].contains($0) }) { violated("bytes but no segment and no X12-EMPTY", bytes) }
    }
    for claim in claims {
        if claim.id.isEmpty { violated("a claim without CLM01 was produced", bytes) }
        guard let source = claim.source else { violated("claim \(claim.id) has no source", bytes) }
        if source.file != name { violated("claim \(claim.id) names file '\(source.file)'", bytes) }
        if source.segment < 1 || source.segment > segments {
            violated("claim \(claim.id) at segment \(source.segment) of \(segments)", bytes)
        }
        guard let offset = source.byteOffset, let length = source.byteLength else {
            violated("claim \(claim.id) has no byte range", bytes)
        }
        if offset < 0 || length < 4 || offset + length > Int64(bytes.count) {
            violated("claim \(claim.id) spans bytes \(offset)+\(length) of \(bytes.count)", bytes)
        }
        let start = Int(offset)
        if !(bytes[start] == UInt8(ascii: "C") && bytes[start + 1] == UInt8(ascii: "L") && bytes[start + 2] == UInt8(ascii: "M")) {
            violated("claim \(claim.id)'s byte range does not start at its CLM", bytes)
        }
        for (index, line) in claim.lines.enumerated() where line.number != index + 1 {
            violated("claim \(claim.id) line \(index + 1) is numbered \(line.number)", bytes)
        }
    }
    return (claims, issues)
}

private func violated(_ promise: String, _ bytes: [UInt8]) -> Never {
    fatalError("FuzzX12 invariant broken: \(promise) (input of \(bytes.count) bytes)")  // safe: a fuzz target must trap on a broken invariant so libFuzzer keeps the input
}
