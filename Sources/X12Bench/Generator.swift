import ClaimModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64: a small, fast, seeded generator, so the same seed always writes the same file.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `range` (the tiny modulo bias does not matter here).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// True with probability `percent` / 100.
    mutating func percent(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// Buffered output that counts the segments it writes.
final class SegmentWriter {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private(set) var segments = 0
    private(set) var bytes = 0
    private(set) var failed = false

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        buffer.reserveCapacity(1 << 20 + 4096)
    }

    /// Writes `text` followed by the segment terminator `~` and a newline (as most senders do).
    func segment(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(UInt8(ascii: "~"))
        buffer.append(0x0A)
        segments += 1
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != buffer.count { failed = true }
        bytes += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}

/// What the generator wrote.
struct GeneratedCounts {
    var claims = 0
    var lines = 0
    var segments = 0
    var bytes = 0
    var transactions = 0
    var billingProviders = 0
    var dependents = 0
    var drugLines = 0
    var renderingProviders = 0
    var totalChargeCents: Int64 = 0
}

struct GeneratorError: Error, CustomStringConvertible {
    var description: String
}

/// Writes a valid 5010 837P (005010X222A1) file of synthetic claims: one interchange and one functional group,
/// transaction sets of at most `claimsPerTransaction` claims, billing providers with subscribers and some
/// dependents, 1–6 service lines per claim with real CPT/HCPCS and ICD-10-CM codes.
///
/// Every person is obviously fake (`TESTPATIENT A000123`, `TESTDOCTOR R0042`, `TESTVILLE`); NPIs are random
/// but pass their check digit; NDCs are well-formed 11-digit numbers, not looked up.
struct ClaimFileGenerator {
    var claims: Int
    var seed: UInt64 = 837
    var claimsPerTransaction = 5_000

    /// Fixed envelope values, so that the same seed gives byte-identical files.
    static let interchangeControl = "000000001"
    static let groupControl = "1"
    static let date8 = "20260115", date6 = "260115", time = "1200"

    func write(to path: String) throws(GeneratorError) -> GeneratedCounts {
        guard claims >= 1, claimsPerTransaction >= 1 else {
            throw GeneratorError(description: "--claims and --per-transaction must be 1 or more")
        }
        guard let file = fopen(path, "wb") else {
            throw GeneratorError(description: "\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        let out = SegmentWriter(file: file)
        var state = State(random: SplitMix64(seed: seed))
        var counts = GeneratedCounts()
        try state.makeProviders()

        let isa = "ISA*00*          *00*          *ZZ*\(pad("CLAIMSCRUBBENCH", 15))*ZZ*\(pad("BENCHRECEIVER", 15))*"
            + "\(Self.date6)*\(Self.time)*^*00501*\(Self.interchangeControl)*0*T*:"
        guard isa.utf8.count + 1 == 106 else {
            throw GeneratorError(description: "generator bug: ISA is \(isa.utf8.count + 1) characters, not 106")
        }
        out.segment(isa)
        out.segment("GS*HC*CLAIMSCRUBBENCH*BENCHRECEIVER*\(Self.date8)*\(Self.time)*\(Self.groupControl)*X*005010X222A1")

        var remaining = claims
        var transaction = 0
        while remaining > 0 {
            transaction += 1
            let inThis = min(remaining, claimsPerTransaction)
            writeTransaction(number: transaction, claims: inThis, out: out, state: &state, counts: &counts)
            remaining -= inThis
        }
        out.segment("GE*\(transaction)*\(Self.groupControl)")
        out.segment("IEA*1*\(Self.interchangeControl)")
        out.flush()
        if out.failed || ferror(file) != 0 {
            throw GeneratorError(description: "\(path): write failed: \(String(cString: strerror(errno)))")
        }
        counts.transactions = transaction
        counts.segments = out.segments
        counts.bytes = out.bytes
        return counts
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.utf8.count))
    }

    /// One ST…SE transaction set holding `claims` claims.
    private func writeTransaction(number: Int, claims: Int, out: SegmentWriter, state: inout State,
                                  counts: inout GeneratedCounts) {
        let control = String(zeroPadded: number, 4)
        let first = out.segments
        out.segment("ST*837*\(control)*005010X222A1")
        out.segment("BHT*0019*00*BATCH\(control)*\(Self.date8)*\(Self.time)*CH")
        out.segment("NM1*41*2*TESTSUBMITTER CLEARINGHOUSE*****46*TS0000001")
        out.segment("PER*IC*TESTCONTACT*TE*5555550100")
        out.segment("NM1*40*2*TESTPAYER RECEIVER*****46*TR0000001")
        var hl = 0
        var left = claims
        while left > 0 {
            // A billing provider with a few dozen claims.
            hl += 1
            let billingHL = hl
            let provider = state.random.pick(state.providers)
            counts.billingProviders += 1
            out.segment("HL*\(billingHL)**20*1")
            out.segment("PRV*BI*PXC*\(provider.taxonomy)")
            out.segment("NM1*85*2*\(provider.name)*****XX*\(provider.npi)")
            out.segment("N3*\(provider.street)")
            out.segment("N4*TESTVILLE*\(provider.state)*\(provider.zip)")
            out.segment("REF*EI*\(provider.taxID)")
            var forProvider = min(left, state.random.int(10...80))
            left -= forProvider
            while forProvider > 0 {
                let forSubscriber = min(forProvider, state.random.int(1...3))
                forProvider -= forSubscriber
                hl += 1
                let subscriberHL = hl
                let dependent = state.random.percent(25)
                state.people += 1
                let person = state.people
                let payer = state.random.int(1...9)
                let filing = state.random.pick(ReferenceCodes.filingIndicators)
                out.segment("HL*\(subscriberHL)*\(billingHL)*22*\(dependent ? 1 : 0)")
                out.segment("SBR*P*\(dependent ? "" : "18")*TESTGRP\(state.random.int(100...999))******\(filing)")
                out.segment("NM1*IL*1*TESTPATIENT*A\(String(zeroPadded: person, 6))****MI*TM\(String(zeroPadded: person, 9))")
                let address = state.address()
                out.segment("N3*\(address.street)")
                out.segment("N4*TESTVILLE*\(address.state)*\(address.zip)")
                out.segment("DMG*D8*\(state.birthDate(child: false))*\(state.random.percent(50) ? "F" : "M")")
                out.segment("NM1*PR*2*TESTPAYER \(payer)*****PI*TP0000\(payer)")
                if dependent {
                    counts.dependents += 1
                    hl += 1
                    out.segment("HL*\(hl)*\(subscriberHL)*23*0")
                    out.segment("PAT*19")
                    out.segment("NM1*QC*1*TESTPATIENT*D\(String(zeroPadded: person, 6))")
                    out.segment("N3*\(address.street)")
                    out.segment("N4*TESTVILLE*\(address.state)*\(address.zip)")
                    out.segment("DMG*D8*\(state.birthDate(child: true))*\(state.random.percent(50) ? "F" : "M")")
                }
                for _ in 0..<forSubscriber {
                    writeClaim(out: out, state: &state, counts: &counts)
                }
            }
        }
        // SE01 counts the segments from ST to SE, both included.
        out.segment("SE*\(out.segments - first + 1)*\(control)")
    }

    /// Loop 2300 with its 2310B rendering provider (sometimes) and 2400 service lines.
    private func writeClaim(out: SegmentWriter, state: inout State, counts: inout GeneratedCounts) {
        counts.claims += 1
        let id = "TPCN\(String(zeroPadded: counts.claims, 9))"
        // Diagnoses first: the lines point at them.
        var diagnoses: [String] = []
        let diagnosisCount = state.random.int(1...4)
        while diagnoses.count < diagnosisCount {
            let code = state.random.percent(60) ? state.random.pick(ReferenceCodes.commonDiagnoses)
                : state.random.pick(ReferenceCodes.diagnoses)
            if !diagnoses.contains(code) { diagnoses.append(code) }
        }
        let pos = state.random.pick(ReferenceCodes.placesOfService)
        let month = state.random.int(1...12), day = state.random.int(1...28)
        let serviceDate = "2025\(String(zeroPadded: month, 2))\(String(zeroPadded: day, 2))"

        var lines: [String] = []
        var total: Int64 = 0
        let lineCount = state.random.int(1...6)
        var drugLines: [Int: String] = [:]
        for index in 0..<lineCount {
            let code: String
            let roll = state.random.int(0...99)
            var isDrug = false
            if index == 0 && roll < 70 {
                code = state.random.pick(ReferenceCodes.evaluationAndManagement)
            } else if roll < 10 {
                code = state.random.pick(ReferenceCodes.drugs)
                isDrug = true
            } else if roll < 20 {
                code = state.random.pick(ReferenceCodes.hcpcs)
            } else {
                code = state.random.pick(ReferenceCodes.cpt)
            }
            var procedure = "HC:\(code)"
            if state.random.percent(20) {
                procedure += ":\(state.random.pick(ReferenceCodes.modifiers))"
                if state.random.percent(20) { procedure += ":\(state.random.pick(ReferenceCodes.modifiers))" }
            }
            let cents = Int64(state.random.int(25...900)) * 100 + (state.random.percent(30) ? Int64(state.random.int(1...99)) : 0)
            total += cents
            let units = state.random.percent(85) ? 1 : state.random.int(2...4)
            var pointers = "1"
            if diagnoses.count > 1 {
                for pointer in 2...min(diagnoses.count, 4) where state.random.percent(50) { pointers += ":\(pointer)" }
            }
            lines.append("SV1*\(procedure)*\(dollars(cents))*UN*\(units)***\(pointers)")
            if isDrug {
                let ndc = "\(String(zeroPadded: state.random.int(1...99_999), 5))\(String(zeroPadded: state.random.int(1...9_999), 4))\(String(zeroPadded: state.random.int(1...99), 2))"
                drugLines[index] = "LIN**N4*\(ndc)"
            }
        }
        counts.totalChargeCents += total

        out.segment("CLM*\(id)*\(dollars(total))***\(pos):B:1*Y*A*Y*Y")
        if state.random.percent(30) {
            out.segment("DTP*431*D8*2025\(String(zeroPadded: month, 2))01")
        }
        if state.random.percent(40) {
            out.segment("REF*D9*TRACE\(String(zeroPadded: counts.claims, 12))")
        }
        var hi = "HI*ABK:\(diagnoses[0])"
        for code in diagnoses.dropFirst() { hi += "*ABF:\(code)" }
        out.segment(hi)
        if state.random.percent(35) {
            counts.renderingProviders += 1
            let doctor = state.random.pick(state.renderingProviders)
            out.segment("NM1*82*1*TESTDOCTOR*\(doctor.name)****XX*\(doctor.npi)")
            out.segment("PRV*PE*PXC*\(doctor.taxonomy)")
        }
        for (index, line) in lines.enumerated() {
            counts.lines += 1
            out.segment("LX*\(index + 1)")
            out.segment(line)
            out.segment("DTP*472*D8*\(serviceDate)")
            if let lin = drugLines[index] {
                counts.drugLines += 1
                out.segment(lin)
                out.segment("CTP****\(state.random.int(1...10))*UN")
            }
        }
    }

    /// X12 decimal: no trailing zeros after the point, no point for whole dollars (`125`, `40.5`, `12.25`).
    private func dollars(_ cents: Int64) -> String {
        let whole = cents / 100, fraction = cents % 100
        if fraction == 0 { return "\(whole)" }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(String(zeroPadded: Int(fraction), 2))"
    }
}

/// The generator's pools and counters.
private struct State {
    struct ProviderInfo {
        var name: String, npi: String, taxonomy: String, street: String, state: String, zip: String, taxID: String
    }

    var random: SplitMix64
    var providers: [ProviderInfo] = []
    var renderingProviders: [ProviderInfo] = []
    var people = 0

    init(random: SplitMix64) { self.random = random }

    mutating func makeProviders() throws(GeneratorError) {
        for i in 1...200 {
            providers.append(ProviderInfo(
                name: "TESTCLINIC \(String(zeroPadded: i, 4))", npi: try npi(), taxonomy: random.pick(ReferenceCodes.taxonomies),
                street: "\(random.int(1...9999)) TEST MEDICAL PLAZA", state: random.pick(ReferenceCodes.states),
                zip: "99\(String(zeroPadded: random.int(0...9_999_999), 7))", taxID: "99\(String(zeroPadded: random.int(0...9_999_999), 7))"))
        }
        for i in 1...500 {
            renderingProviders.append(ProviderInfo(
                name: "R\(String(zeroPadded: i, 4))", npi: try npi(), taxonomy: random.pick(ReferenceCodes.taxonomies),
                street: "", state: "", zip: "", taxID: ""))
        }
    }

    /// A random NPI whose tenth digit is its Luhn check digit over 80840 and the first nine digits.
    mutating func npi() throws(GeneratorError) -> String {
        var digits = [random.int(1...2)]
        for _ in 1..<9 { digits.append(random.int(0...9)) }
        var sum = 24  // the prefix 80840's contribution
        for (offset, digit) in digits.reversed().enumerated() {
            let value = offset % 2 == 0 ? digit * 2 : digit
            sum += value > 9 ? value - 9 : value
        }
        digits.append((10 - sum % 10) % 10)
        let text = digits.map { "\($0)" }.joined()
        guard NPI.checkDigitIsValid(text) else {
            throw GeneratorError(description: "generator bug: NPI \(text) fails ClaimModel's check digit")
        }
        return text
    }

    mutating func address() -> (street: String, state: String, zip: String) {
        ("\(random.int(1...9999)) TEST ST", random.pick(ReferenceCodes.states), "99\(String(zeroPadded: random.int(0...999), 3))")
    }

    /// A D8 birth date: an adult (1940–2000) or a child (2005–2024).
    mutating func birthDate(child: Bool) -> String {
        let year = child ? random.int(2005...2024) : random.int(1940...2000)
        return "\(year)\(String(zeroPadded: random.int(1...12), 2))\(String(zeroPadded: random.int(1...28), 2))"
    }
}

extension String {
    /// `value` in decimal with leading zeros to `width` digits.
    init(zeroPadded value: Int, _ width: Int) {
        let digits = String(value)
        self = String(repeating: "0", count: Swift.max(0, width - digits.utf8.count)) + digits
    }
}
