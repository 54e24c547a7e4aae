import ClaimModel

/// The loops of an 837 the assembler tracks (names from the implementation guides).
enum Loop: String {
    case header = "header"
    case submitter = "1000A", receiver = "1000B"
    case billingProvider = "2000A", billingProviderName = "2010AA", payToAddress = "2010AB", payToPlan = "2010AC"
    case subscriber = "2000B", subscriberName = "2010BA", payerName = "2010BB"
    case patient = "2000C", patientName = "2010CA"
    case claim = "2300", claimProvider = "2310", otherSubscriber = "2320", otherSubscriberDetail = "2330"
    case line = "2400", drug = "2410", lineProvider = "2420", lineAdjudication = "2430"
}

/// Which provider the N3, N4, REF and PRV segments that follow an NM1 belong to.
enum ProviderSlot {
    case billing, payTo
    case claimReferring, claimRendering, claimFacility, claimOther(Int)
    case lineRendering, lineReferring, lineOther(Int)
    case ignored
}

/// Follows the envelopes and the HL hierarchy, maps loops into `Claim` values, and records issues.
///
/// A struct driven by one mutating call per claim (`nextClaim(from:)`): inside it every access to its state is
/// checked for exclusivity at compile time, where a class's properties would be checked at run time on each access.
struct ClaimAssembler {
    let file: String
    let maxIssues: Int
    var issues: [X12Issue] = []
    private(set) var droppedIssueCount = 0
    private var completed: Claim?
    private(set) var hasCompleted = false

    // Envelopes.
    private struct Interchange { var control: String; var segment: Int; var groups = 0 }
    private struct Group { var control: String; var segment: Int; var version: String; var transactions = 0 }
    private struct Transaction { var control: String; var segment: Int; var guide: String; var segments = 1; var skip = false }
    private var interchange: Interchange?
    private var group: Group?
    private var transaction: Transaction?
    private var lastSegment: (number: Int, tag: UInt32) = (0, 0)
    private var claimType: ClaimType = .professional

    // Transaction header.
    private var submitter: Party?
    private var receiver: Party?
    private var createdOn: CalendarDate?

    // Hierarchy.
    private struct BillingContext { var provider: Provider?; var payTo: Provider?; var taxonomy: String? }
    private struct SubscriberContext {
        var id: String
        var subscriber = Subscriber(name: nil) {
            didSet { selfPatient = nil }
        }
        var payer: Payer?
        var billingID: String
        /// The patient of its claims that have no patient HL (the subscriber as patient), made once for all of them;
        /// cleared whenever `subscriber` changes.
        var selfPatient: Patient?
    }
    private struct PatientContext { var id: String; var patient = Patient(name: nil, isSubscriber: false) }
    private var billingProviders: [String: BillingContext] = [:] {
        didSet { resolvedBilling = nil }
    }
    /// The billing and pay-to providers as the claims under one billing provider HL get them (taxonomy from
    /// PRV*BI applied), made once for all its claims; cleared whenever `billingProviders` changes.
    private var resolvedBilling: (id: String, provider: Provider?, payTo: Provider?)?
    private var currentBillingID: String?
    private var subscriberContext: SubscriberContext?
    private var patientContext: PatientContext?
    /// Set while the current hierarchy level cannot be read: claims under it are left out.
    private var brokenHierarchy: String?
    private var loop: Loop = .header
    private var providerSlot: ProviderSlot = .ignored

    // The claim being read.
    private var claim = ClaimAssembler.blankClaim
    private var hasClaim = false
    private var claimStart: (segment: Int, offset: Int64) = (0, 0)
    private var claimEnd: Int64 = 0
    /// Why the claim being read will be left out (its first structural error), if it will.
    private var claimBroken = false
    private var otherCoverageIndex: Int?

    init(file: String, maxIssues: Int) {
        self.file = file
        self.maxIssues = maxIssues
    }

    /// Diagnosis pointer lists already made, shared by the lines that have the same ones.
    private let pointerLists = SharedLists()

    mutating func takeCompleted() -> Claim? {
        hasCompleted = false
        return completed.take()
    }

    /// Set when the input has ended and its end was handled.
    private var finished = false

    /// Reads segments from `scanner` until a claim is complete; nil at the end of the input.
    mutating func nextClaim(from scanner: SegmentScanner) -> Claim? {
        while true {
            if hasCompleted, let claim = takeCompleted() { return claim }
            if finished { return nil }
            let result = scanner.next()
            if scanner.takeByteOrderMark() {
                record(.warning, "X12-BOM", "the file starts with a UTF-8 byte order mark (EF BB BF), which X12 does not allow; it was skipped",
                       segment: 1, id: "ISA")
            }
            if let detection = scanner.takeDetection() {
                let id: String
                if case .segment(let segment) = result { id = segment.id } else { id = "" }
                noteDelimiters(detection, segment: scanner.segmentNumber, id: id)
            }
            switch result {
            case .segment(let segment):
                handle(segment)
            case .malformed(let number, let offset, let length, let reason, let preview):
                handleMalformed(number: number, fileOffset: offset, length: length, reason: reason, preview: preview)
            case .end:
                if scanner.readFailed {
                    noteReadFailure(segment: scanner.segmentNumber)
                }
                finishFile(segment: scanner.segmentNumber)
                finished = true
            }
        }
    }

    // MARK: Issues

    private mutating func record(_ severity: X12Issue.Severity, _ code: String, _ message: String, segment: Int, id: String,
                        element: Int? = nil, component: Int? = nil, claimID: String? = nil) {
        if issues.count >= maxIssues - 1 {
            // The last place goes to an error that says so, so that nothing is dropped silently.
            if issues.count == maxIssues - 1 {
                issues.append(X12Issue(severity: .error, code: "X12-ISSUE-LIMIT",
                                       message: "more than \(maxIssues - 1) issues: this one and every later one are counted, not kept (maxIssues); claims may be left out without an error of their own",
                                       location: X12Location(file: file, segment: segment, segmentID: id)))
            }
            droppedIssueCount += 1
            return
        }
        issues.append(X12Issue(severity: severity, code: code, message: message,
                               location: X12Location(file: file, segment: segment, segmentID: id, element: element,
                                                     component: component),
                               claimID: claimID))
    }

    private mutating func warn(_ code: String, _ message: String, _ segment: Segment, element: Int? = nil, component: Int? = nil) {
        record(.warning, code, message, segment: segment.number, id: segment.id, element: element, component: component,
               claimID: hasClaim ? claim.id : nil)
    }

    /// A structural problem inside the claim being read: the claim will be left out.
    private mutating func breakClaim(_ code: String, _ message: String, segment: Int, id: String, element: Int? = nil) {
        guard hasClaim else {
            record(.error, code, message, segment: segment, id: id, element: element)
            return
        }
        if !claimBroken {
            record(.error, code, "\(message); claim \(claim.id.isEmpty ? "(no CLM01)" : claim.id) left out",
                   segment: segment, id: id, element: element, claimID: claim.id)
        }
        claimBroken = true
    }

    /// `segment` is the number of the segment the delimiters were read at (the scanner has already counted it),
    /// `id` that segment's id (the ISA's, or for a file without one, its first segment's).
    mutating func noteDelimiters(_ detection: DelimiterDetection, segment: Int, id: String) {
        let number = segment
        switch detection {
        case .isa:
            break
        case .irregularISA(let d, let width):
            record(.warning, "X12-ISA-WIDTH",
                   "ISA is \(width) characters wide, not the fixed 106; delimiters read from its elements (element '\(char(d.element))', component '\(char(d.component))', terminator '\(char(d.segment))')",
                   segment: number, id: "ISA")
        case .unreadableISA(let d):
            record(.warning, "X12-ISA-DELIMITERS",
                   "ISA has fewer than 16 elements; delimiters assumed (element '\(char(d.element))', terminator '\(char(d.segment))')",
                   segment: number, id: "ISA")
        case .guessed(let d):
            record(.warning, "X12-NO-ISA",
                   "the file does not start with an ISA interchange header; delimiters guessed (element '\(char(d.element))', terminator '\(char(d.segment))')",
                   segment: number, id: id)
        }
    }

    private mutating func char(_ byte: UInt8) -> String {
        switch byte {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x20...0x7E: return String(UnicodeScalar(byte))
        default: return "0x" + String(byte, radix: 16)
        }
    }

    mutating func noteReadFailure(segment: Int) {
        record(.error, "X12-READ", "reading the file failed after segment \(segment); the rest of the file was not read",
               segment: segment, id: SegmentTag.unpack(lastSegment.tag))
    }

    // MARK: Segments

    mutating func handleMalformed(number: Int, fileOffset: Int64, length: Int, reason: MalformedReason, preview: String) {
        if transaction != nil { transaction?.segments += 1 }
        let shown = preview.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "." }.joined()
        let message: String
        let code: String
        switch reason {
        case .tooLong(let limit):
            code = "X12-SEGMENT-LENGTH"
            message = "segment of \(length) bytes is over the limit of \(limit) bytes (maxSegmentLength), starting '\(shown)'"
        case .badID:
            code = "X12-SEGMENT-ID"
            message = "'\(shown)' does not start with a segment id (two or three letters and digits)"
        case .tooManyElements(let limit):
            code = "X12-ELEMENT-COUNT"
            message = "segment has more than \(limit) elements (maxElements), starting '\(shown)'"
        case .cutOff:
            code = "X12-TRUNCATED"
            message = "the file ends inside this segment ('\(shown)'): it has no terminator"
        }
        // The id as far as it is written: up to three leading capitals and digits ("LX" of a cut "LX*1", "" for garbage).
        let id = String(shown.prefix { $0.isASCII && ($0.isUppercase || $0.isNumber) }.prefix(3))
        if hasClaim {
            breakClaim(code, message, segment: number, id: id)
        } else {
            record(.error, code, "\(message); segment skipped", segment: number, id: id)
        }
        lastSegment = (number, id.utf8.reduce(0) { $0 << 8 | UInt32($1) })
    }

    mutating func handle(_ segment: Segment) {
        if transaction != nil { transaction?.segments += 1 }
        defer { lastSegment = (segment.number, segment.tag) }
        switch segment.tag {
        case SegmentTag.ISA: startInterchange(segment); return
        case SegmentTag.IEA: endInterchange(segment); return
        case SegmentTag.GS: startGroup(segment); return
        case SegmentTag.GE: endGroup(segment); return
        case SegmentTag.ST: startTransaction(segment); return
        case SegmentTag.SE: endTransaction(segment); return
        default: break
        }
        if transaction?.skip == true { return }
        defer { if segment.hasNonASCII { noteNonUTF8(segment) } }
        if transaction == nil && !reportedMissingST {
            reportedMissingST = true
            warn("X12-ST-MISSING", "\(segment.id) appears outside a transaction set: there is no ST header; read as an 837 transaction", segment)
            transaction = Transaction(control: "", segment: segment.number, guide: group?.version ?? "", segments: 1)
        }
        // Extends the open claim's byte range after the segment is handled: an HL or CLM closes the claim first
        // and is not part of it.
        defer { if hasClaim { claimEnd = segment.fileOffset + Int64(segment.length) + 1 } }
        switch segment.tag {
        case SegmentTag.BHT: createdOn = CalendarDate(segment.string(4))
        case SegmentTag.NM1: nm1(segment)
        case SegmentTag.HL: hl(segment)
        case SegmentTag.PRV: prv(segment)
        case SegmentTag.N3: n3(segment)
        case SegmentTag.N4: n4(segment)
        case SegmentTag.REF: ref(segment)
        case SegmentTag.SBR: sbr(segment)
        case SegmentTag.PAT: pat(segment)
        case SegmentTag.DMG: dmg(segment)
        case SegmentTag.CLM: clm(segment)
        case SegmentTag.DTP: dtp(segment)
        case SegmentTag.CL1: cl1(segment)
        case SegmentTag.PWK: pwk(segment)
        case SegmentTag.NTE: nte(segment)
        case SegmentTag.HI: hi(segment)
        case SegmentTag.AMT: amt(segment)
        case SegmentTag.LX: lx(segment)
        case SegmentTag.SV1: sv1(segment)
        case SegmentTag.SV2: sv2(segment)
        case SegmentTag.LIN: lin(segment)
        case SegmentTag.CTP: ctp(segment)
        case SegmentTag.SVD, SegmentTag.CAS:
            if loop == .line || loop == .drug || loop == .lineProvider || loop == .lineAdjudication { loop = .lineAdjudication }
        default:
            if !Self.known837Segments.contains(segment.tag) {
                warn("X12-SEGMENT-UNKNOWN",
                     "segment \(segment.id) is not part of an 837 (found in loop \(loop.rawValue)); kept as written, not read",
                     segment)
            }
        }
    }

    private var reportedMissingST = false

    /// An element that is not UTF-8 (a name written in ISO 8859-1 by an older system) is read byte for byte as
    /// ISO 8859-1 (see `Segment.string`) and noted once per segment, at the first such element; the claim is kept.
    private mutating func noteNonUTF8(_ s: Segment) {
        guard s.count > 1 else { return }
        for element in 1..<s.count where !s.isUTF8(element) {
            let reference = "\(s.id)\(element < 10 ? "0" : "")\(element)"
            warn("X12-CHARSET", "\(reference) '\(s.string(element))' is not UTF-8; read as ISO 8859-1", s, element: element)
            return
        }
    }

    static let known837Segments: Set<UInt32> = {
        let ids: [StaticString] = [
            "ISA", "IEA", "GS", "GE", "ST", "SE", "BHT", "NM1", "PER", "HL", "PRV", "CUR", "N3", "N4", "REF",
            "SBR", "PAT", "DMG", "CLM", "DTP", "CL1", "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CRC", "HI",
            "HCP", "OI", "MOA", "MIA", "CAS", "LX", "SV1", "SV2", "SV3", "SV4", "SV5", "SV6", "SV7", "TOO", "CR3",
            "CR4", "CR5", "CR6", "CR7", "CR8", "LIN", "CTP", "PS1", "LQ", "FRM", "SVD", "QTY", "MEA", "HSD", "TA1",
            "DN1", "DN2", "MPI", "NTE", "CR6",
        ]
        return Set(ids.map(SegmentTag.pack))
    }()

    // MARK: Envelopes

    private mutating func startInterchange(_ s: Segment) {
        finishClaim(endSegment: s.number)
        if let open = interchange {
            record(.warning, "X12-IEA-MISSING", "interchange \(open.control) (ISA at segment \(open.segment)) has no IEA trailer",
                   segment: s.number, id: "ISA")
        }
        closeTransactionIfOpen(at: s, trailer: "SE")
        closeGroupIfOpen(at: s)
        interchange = Interchange(control: s.string(13), segment: s.number)
        if s.count < 17 {
            warn("X12-ISA-ELEMENTS", "ISA has \(s.count - 1) elements; 16 are required", s)
        }
        let version = s.string(12)
        if !version.isEmpty && version != "00501" {
            warn("X12-VERSION", "ISA12 is '\(version)', not 00501 (5010); the file is read with the 5010 837 maps", s, element: 12)
        }
    }

    private mutating func endInterchange(_ s: Segment) {
        finishClaim(endSegment: s.number)
        closeTransactionIfOpen(at: s, trailer: "SE")
        closeGroupIfOpen(at: s)
        guard let open = interchange else {
            warn("X12-ISA-MISSING", "IEA without a matching ISA header", s)
            return
        }
        let count = s.string(1)
        if Int(count) != open.groups {
            warn("X12-IEA-COUNT", "IEA01 says \(count.isEmpty ? "nothing" : count) functional groups; the interchange has \(open.groups)", s, element: 1)
        }
        if s.string(2) != open.control {
            warn("X12-IEA-CONTROL", "IEA02 '\(s.string(2))' does not match ISA13 '\(open.control)' (segment \(open.segment))", s, element: 2)
        }
        interchange = nil
    }

    private mutating func startGroup(_ s: Segment) {
        finishClaim(endSegment: s.number)
        closeTransactionIfOpen(at: s, trailer: "SE")
        if let open = group {
            record(.warning, "X12-GE-MISSING", "functional group \(open.control) (GS at segment \(open.segment)) has no GE trailer",
                   segment: s.number, id: "GS")
        }
        if interchange == nil {
            if !reportedMissingISA {
                warn("X12-ISA-MISSING", "GS without an ISA interchange header", s)
                reportedMissingISA = true
            }
        } else {
            interchange?.groups += 1
        }
        group = Group(control: s.string(6), segment: s.number, version: s.string(8))
        reportedMissingST = false
    }

    private var reportedMissingISA = false

    private mutating func closeGroupIfOpen(at s: Segment) {
        if let open = group {
            record(.warning, "X12-GE-MISSING", "functional group \(open.control) (GS at segment \(open.segment)) has no GE trailer",
                   segment: s.number, id: s.id)
            group = nil
        }
    }

    private mutating func endGroup(_ s: Segment) {
        finishClaim(endSegment: s.number)
        closeTransactionIfOpen(at: s, trailer: "SE")
        guard let open = group else {
            warn("X12-GS-MISSING", "GE without a matching GS header", s)
            return
        }
        let count = s.string(1)
        if Int(count) != open.transactions {
            warn("X12-GE-COUNT", "GE01 says \(count.isEmpty ? "nothing" : count) transaction sets; the group has \(open.transactions)", s, element: 1)
        }
        if s.string(2) != open.control {
            warn("X12-GE-CONTROL", "GE02 '\(s.string(2))' does not match GS06 '\(open.control)' (segment \(open.segment))", s, element: 2)
        }
        group = nil
    }

    private mutating func startTransaction(_ s: Segment) {
        finishClaim(endSegment: s.number)
        closeTransactionIfOpen(at: s, trailer: "SE")
        if group == nil && !reportedMissingGS {
            warn("X12-GS-MISSING", "ST without a GS functional group header", s)
            reportedMissingGS = true
        }
        group?.transactions += 1
        let guide = s.optional(3) ?? group?.version ?? ""
        var transaction = Transaction(control: s.string(2), segment: s.number, guide: guide)
        if !s.element(1, is: "837") {
            warn("X12-NOT-837", "transaction set \(s.string(1)) is not an 837 claim; its segments are skipped", s, element: 1)
            transaction.skip = true
        }
        claimType = guide.contains("X223") || guide.contains("X096") ? .institutional : .professional
        self.transaction = transaction
        resetHierarchy()
    }

    private var reportedMissingGS = false

    private mutating func resetHierarchy() {
        billingProviders.removeAll(keepingCapacity: true)
        currentBillingID = nil
        subscriberContext = nil
        patientContext = nil
        brokenHierarchy = nil
        submitter = nil
        receiver = nil
        createdOn = nil
        loop = .header
        providerSlot = .ignored
    }

    private mutating func closeTransactionIfOpen(at s: Segment, trailer: String) {
        guard let open = transaction else { return }
        finishClaim(endSegment: s.number)
        record(.warning, "X12-SE-MISSING",
               "transaction set \(open.control.isEmpty ? "(no ST)" : open.control) (ST at segment \(open.segment)) has no SE trailer",
               segment: s.number, id: s.id)
        transaction = nil
    }

    private mutating func endTransaction(_ s: Segment) {
        finishClaim(endSegment: s.number)
        guard let open = transaction else {
            warn("X12-ST-MISSING", "SE without a matching ST header", s)
            return
        }
        let count = s.string(1)
        if Int(count) != open.segments {
            warn("X12-SE-COUNT", "SE01 says \(count.isEmpty ? "nothing" : count) segments; the transaction set has \(open.segments) (ST to SE)", s, element: 1)
        }
        if !open.control.isEmpty && s.string(2) != open.control {
            warn("X12-SE-CONTROL", "SE02 '\(s.string(2))' does not match ST02 '\(open.control)' (segment \(open.segment))", s, element: 2)
        }
        transaction = nil
    }

    mutating func finishFile(segment: Int) {
        if hasClaim, !claimBroken, transaction != nil {
            record(.error, "X12-TRUNCATED",
                   "the file ends inside claim \(claim.id) with no SE, GE or IEA after it; claim \(claim.id) left out as it may be incomplete",
                   segment: segment, id: SegmentTag.unpack(lastSegment.tag), claimID: claim.id)
            claimBroken = true
        }
        finishClaim(endSegment: segment)
        // A missing trailer is located where the file ends: its last segment, named by its own id.
        let lastID = SegmentTag.unpack(lastSegment.tag)
        if let open = transaction {
            record(.warning, "X12-SE-MISSING", "transaction set \(open.control) (ST at segment \(open.segment)) has no SE trailer: the file ends",
                   segment: segment, id: lastID)
        }
        if let open = group {
            record(.warning, "X12-GE-MISSING", "functional group \(open.control) (GS at segment \(open.segment)) has no GE trailer: the file ends",
                   segment: segment, id: lastID)
        }
        if let open = interchange {
            record(.warning, "X12-IEA-MISSING", "interchange \(open.control) (ISA at segment \(open.segment)) has no IEA trailer: the file ends",
                   segment: segment, id: lastID)
        }
        if segment == 0 {
            record(.error, "X12-EMPTY", "the file holds no X12 segments", segment: 0, id: "")
        }
        transaction = nil
        group = nil
        interchange = nil
    }

    // MARK: Hierarchy

    private mutating func hl(_ s: Segment) {
        finishClaim(endSegment: s.number)
        orphanLine = false
        let id = s.string(1)
        let parent = s.string(2)
        let level = s.string(3)
        providerSlot = .ignored
        otherCoverageIndex = nil
        switch level {
        case "20":
            billingProviders[id] = BillingContext()
            currentBillingID = id
            subscriberContext = nil
            patientContext = nil
            brokenHierarchy = nil
            loop = .billingProvider
        case "22":
            patientContext = nil
            loop = .subscriber
            guard billingProviders[parent] != nil else {
                let problem = parent.isEmpty
                    ? "subscriber HL \(id) has no parent (HL02): it must name its billing provider HL"
                    : "subscriber HL \(id) names parent HL \(parent), which is not a billing provider (level 20) in this transaction"
                record(.error, "X12-HL-PARENT", "\(problem); its claims are left out", segment: s.number, id: "HL", element: 2)
                brokenHierarchy = "HL \(id) at segment \(s.number) has no billing provider parent"
                subscriberContext = nil
                return
            }
            brokenHierarchy = nil
            subscriberContext = SubscriberContext(id: id, billingID: parent)
        case "23":
            loop = .patient
            guard let subscriber = subscriberContext, subscriber.id == parent else {
                if brokenHierarchy == nil {
                    record(.error, "X12-HL-PARENT",
                           "patient HL \(id) names parent HL \(parent.isEmpty ? "(none)" : parent), which is not the subscriber HL before it; its claims are left out",
                           segment: s.number, id: "HL", element: 2)
                    brokenHierarchy = "HL \(id) at segment \(s.number) has no subscriber parent"
                }
                patientContext = nil
                return
            }
            patientContext = PatientContext(id: id)
        default:
            record(.error, "X12-HL-LEVEL",
                   "HL03 '\(level)' is not a level of an 837 (20 billing provider, 22 subscriber, 23 patient); its claims are left out",
                   segment: s.number, id: "HL", element: 3)
            brokenHierarchy = "HL \(id) has an unknown level"
        }
    }

    private static func personName(_ s: Segment) -> PersonName {
        PersonName(last: s.string(3), first: s.optional(4), middle: s.optional(5), suffix: s.optional(7))
    }

    private mutating func provider(_ s: Segment, role: Provider.Role) -> Provider {
        var provider = Provider(role: role, entityType: s.optional(2), name: Self.personName(s))
        if let qualifier = s.optional(8), let id = s.optional(9) {
            if qualifier == "XX" {
                provider.npi = NPI(id)
                if !NPI.checkDigitIsValid(id) {
                    warn("X12-NPI", "NPI '\(id)' of the \(role.rawValue) provider fails its check digit (Luhn with prefix 80840)",
                         s, element: 9)
                }
            } else {
                provider.secondaryIDs.append(QualifiedID(qualifier: qualifier, id: id))
            }
        }
        return provider
    }

    private mutating func nm1(_ s: Segment) {
        let entity = s.string(1)
        if hasClaim {
            claimNM1(s, entity: entity)
            return
        }
        switch (entity, loop) {
        case ("41", _):
            submitter = Party(name: s.string(3), id: s.optional(9)); loop = .submitter
        case ("40", _):
            receiver = Party(name: s.string(3), id: s.optional(9)); loop = .receiver
        case ("85", .billingProvider), ("85", .billingProviderName), ("85", .payToAddress), ("85", .payToPlan):
            if let id = currentBillingID {
                if billingProviders[id]?.provider != nil {
                    warn("X12-LOOP-REPEAT", "loop 2010AA (billing provider name) appears more than once under HL \(id); the last one is used", s)
                }
                let billing = provider(s, role: .billing)
                billingProviders[id]?.provider = billing
            }
            loop = .billingProviderName; providerSlot = .billing
        case ("87", .billingProvider), ("87", .billingProviderName), ("87", .payToAddress):
            if let id = currentBillingID {
                let payTo = provider(s, role: .payTo)
                billingProviders[id]?.payTo = payTo
            }
            loop = .payToAddress; providerSlot = .payTo
        case ("PE", _) where [.billingProvider, .billingProviderName, .payToAddress].contains(loop):
            loop = .payToPlan; providerSlot = .ignored
        case ("IL", .subscriber), ("IL", .subscriberName):
            subscriberContext?.subscriber.name = Self.personName(s)
            subscriberContext?.subscriber.memberID = s.optional(9)
            loop = .subscriberName; providerSlot = .ignored
        case ("PR", .subscriber), ("PR", .subscriberName), ("PR", .payerName):
            subscriberContext?.payer = Payer(id: s.optional(9), name: s.string(3), idQualifier: s.optional(8))
            loop = .payerName; providerSlot = .ignored
        case ("QC", .patient), ("QC", .patientName):
            patientContext?.patient.name = Self.personName(s)
            loop = .patientName; providerSlot = .ignored
        default:
            if brokenHierarchy == nil {
                warn("X12-NM1-ENTITY", "NM101 '\(entity)' is not an entity expected in loop \(loop.rawValue); the name is not read",
                     s, element: 1)
            }
            providerSlot = .ignored
        }
    }

    private mutating func claimNM1(_ s: Segment, entity: String) {
        guard hasClaim else { return }
        if loop == .otherSubscriber || loop == .otherSubscriberDetail {
            loop = .otherSubscriberDetail
            providerSlot = .ignored
            guard let index = otherCoverageIndex else { return }
            switch entity {
            case "IL":
                claim.otherCoverage[index].subscriberName = Self.personName(s)
                claim.otherCoverage[index].memberID = s.optional(9)
            case "PR":
                claim.otherCoverage[index].payer = Payer(id: s.optional(9), name: s.string(3), idQualifier: s.optional(8))
            default: break
            }
            return
        }
        let inLine = !claim.lines.isEmpty && (loop == .line || loop == .drug || loop == .lineProvider || loop == .lineAdjudication)
        if inLine {
            loop = .lineProvider
            let index = claim.lines.count - 1
            switch entity {
            case "82":
                claim.lines[index].renderingProvider = provider(s, role: .rendering); providerSlot = .lineRendering
            case "DN":
                claim.lines[index].referringProvider = provider(s, role: .referring); providerSlot = .lineReferring
            default:
                let role = Self.otherRole(entity)
                claim.lines[index].otherProviders.append(provider(s, role: role))
                providerSlot = .lineOther(claim.lines[index].otherProviders.count - 1)
            }
            return
        }
        loop = .claimProvider
        switch entity {
        case "DN", "P3":
            claim.referringProvider = provider(s, role: .referring); providerSlot = .claimReferring
        case "82":
            claim.renderingProvider = provider(s, role: .rendering); providerSlot = .claimRendering
        case "77", "FA":
            claim.serviceFacility = provider(s, role: .serviceFacility); providerSlot = .claimFacility
        case "PW", "45":
            providerSlot = .ignored  // ambulance pick-up and drop-off locations
        default:
            claim.otherProviders.append(provider(s, role: Self.otherRole(entity)))
            providerSlot = .claimOther(claim.otherProviders.count - 1)
        }
    }

    static func otherRole(_ entity: String) -> Provider.Role {
        switch entity {
        case "DQ": return .supervising
        case "DK": return .ordering
        case "71": return .attending
        case "72": return .operating
        case "ZZ": return .otherOperating
        case "QB": return .purchasedService
        case "77", "FA": return .serviceFacility
        default: return .other
        }
    }

    /// Applies `body` to the provider the current NM1 started (see `providerSlot`).
    private mutating func updateProvider(_ body: (inout Provider) -> Void) {
        func apply(_ provider: inout Provider?) {
            guard var value = provider else { return }
            provider = nil
            body(&value)
            provider = value
        }
        switch providerSlot {
        case .billing, .payTo:
            guard let id = currentBillingID, var context = billingProviders.removeValue(forKey: id) else { return }
            if case .billing = providerSlot { apply(&context.provider) } else { apply(&context.payTo) }
            billingProviders[id] = context
            return
        case .ignored:
            return
        default:
            break
        }
        guard hasClaim else { return }
        let last = claim.lines.count - 1
        switch providerSlot {
        case .claimReferring: apply(&claim.referringProvider)
        case .claimRendering: apply(&claim.renderingProvider)
        case .claimFacility: apply(&claim.serviceFacility)
        case .claimOther(let i) where i < claim.otherProviders.count: body(&claim.otherProviders[i])
        case .lineRendering where last >= 0: apply(&claim.lines[last].renderingProvider)
        case .lineReferring where last >= 0: apply(&claim.lines[last].referringProvider)
        case .lineOther(let i) where last >= 0 && i < claim.lines[last].otherProviders.count:
            body(&claim.lines[last].otherProviders[i])
        default: break
        }
    }

    private mutating func prv(_ s: Segment) {
        let taxonomy = s.optional(3)
        if loop == .billingProvider, let id = currentBillingID {
            // PRV*BI comes before the billing provider's NM1 (2000A), so it waits in the context.
            billingProviders[id]?.taxonomy = taxonomy
            return
        }
        updateProvider { $0.taxonomy = taxonomy }
    }

    /// Applies `body` to the address of whoever the current loop names (subscriber, patient or provider), in place.
    private mutating func updateAddress(_ body: (inout Address) -> Void) {
        switch loop {
        case .subscriberName:
            subscriberContext?.subscriber.address.update(body)
        case .patientName:
            patientContext?.patient.address.update(body)
        default:
            updateProvider { provider in provider.address.update(body) }
        }
    }

    private mutating func n3(_ s: Segment) {
        let lines: [String]
        switch (s.optional(1), s.optional(2)) {
        case let (first?, second?): lines = [first, second]
        case let (first?, nil): lines = [first]
        case let (nil, second?): lines = [second]
        case (nil, nil): lines = []
        }
        updateAddress { $0.lines = lines }
    }

    private mutating func n4(_ s: Segment) {
        let (city, state, postalCode, country) = (s.optional(1), s.optional(2), s.optional(3), s.optional(4))
        updateAddress { $0.city = city; $0.state = state; $0.postalCode = postalCode; $0.country = country }
    }

    private mutating func ref(_ s: Segment) {
        let qualifier = s.string(1)
        let value = s.string(2)
        if hasClaim {
            switch loop {
            case .claim:
                switch qualifier {
                case "G1": claim.priorAuthorization = value
                case "9F": claim.referralNumber = value
                case "F8": claim.originalClaimNumber = value
                case "EA": claim.medicalRecordNumber = value
                case "D9": claim.clearinghouseTraceNumber = value
                default: break
                }
                return
            case .line, .lineAdjudication:
                guard case let n = claim.lines.count, n > 0 else { return }
                switch qualifier {
                case "6R": claim.lines[n - 1].lineControlNumber = value
                case "G1": claim.lines[n - 1].priorAuthorization = value
                default: break
                }
                return
            case .drug:
                guard case let n = claim.lines.count, n > 0 else { return }
                if qualifier == "XZ" || qualifier == "VY" { claim.lines[n - 1].drug?.prescriptionNumber = value }
                return
            case .otherSubscriber, .otherSubscriberDetail:
                return
            default:
                break
            }
        }
        switch qualifier {
        case "EI", "SY":
            if case .billing = providerSlot { updateProvider { $0.taxID = QualifiedID(qualifier: qualifier, id: value) }; return }
            if case .payTo = providerSlot { updateProvider { $0.taxID = QualifiedID(qualifier: qualifier, id: value) }; return }
            updateProvider { $0.secondaryIDs.append(QualifiedID(qualifier: qualifier, id: value)) }
        default:
            updateProvider { $0.secondaryIDs.append(QualifiedID(qualifier: qualifier, id: value)) }
        }
    }

    private mutating func sbr(_ s: Segment) {
        if hasClaim {
            // Loop 2320: another payer's subscriber.
            loop = .otherSubscriber
            providerSlot = .ignored
            claim.otherCoverage.append(OtherCoverage(
                payerResponsibility: s.optional(1), relationshipCode: s.optional(2), groupNumber: s.optional(3),
                claimFilingIndicator: s.optional(9)))
            otherCoverageIndex = claim.otherCoverage.count - 1
            return
        }
        guard loop == .subscriber else {
            if brokenHierarchy == nil { warn("X12-LOOP-ORDER", "SBR outside loop 2000B (found in \(loop.rawValue))", s) }
            return
        }
        subscriberContext?.subscriber.payerResponsibility = s.optional(1)
        subscriberContext?.subscriber.relationshipCode = s.optional(2)
        subscriberContext?.subscriber.groupNumber = s.optional(3)
        subscriberContext?.subscriber.groupName = s.optional(4)
        subscriberContext?.subscriber.insuranceType = s.optional(5)
        subscriberContext?.subscriber.claimFilingIndicator = s.optional(9)
        if s.optional(9) == nil, let shifted = s.optional(8) {
            warn("X12-SBR09", "SBR09 (claim filing indicator) is empty but SBR08, which 5010 does not use, holds '\(shifted)': one element separator is missing; SBR09 left empty",
                 s, element: 9)
        }
    }

    private mutating func pat(_ s: Segment) {
        if loop == .patient { patientContext?.patient.relationshipToSubscriber = s.optional(1) }
    }

    private mutating func dmg(_ s: Segment) {
        let birth = s.isPresent(2) ? DateOrRange(x12Bytes: s.bytes(2), format: s.bytes(1)) { s.string(2) } : nil
        if let birth, !birth.isValid {
            warn("X12-DATE", "DMG02 '\(birth.unparsedText ?? "")' is not a \(s.string(1).isEmpty ? "D8" : s.string(1)) date", s, element: 2)
        }
        switch loop {
        case .subscriberName:
            subscriberContext?.subscriber.birthDate = birth
            subscriberContext?.subscriber.sex = s.optional(3)
        case .patientName:
            patientContext?.patient.birthDate = birth
            patientContext?.patient.sex = s.optional(3)
        default:
            break
        }
    }

    // MARK: Claim

    private mutating func clm(_ s: Segment) {
        finishClaim(endSegment: s.number)
        let id = s.string(1)
        let charge = Money(dollarsBytes: s.bytes(2)) { s.string(2) }
        let composite = s.composite(5)
        let claimContextProblem: String?
        if let broken = brokenHierarchy {
            claimContextProblem = broken
        } else if subscriberContext == nil {
            claimContextProblem = "CLM is not inside a subscriber hierarchy level (HL with HL03 22)"
        } else {
            claimContextProblem = nil
        }
        // CLM11-1 to -3 are related-causes codes; CLM11-4 (auto accident state) and -5 (country) are not.
        let causes = s.composite(11)
        var relatedCauses: [String] = []
        for k in 0..<min(causes.count, 3) where !causes.isEmpty(k) { relatedCauses.append(causes.string(k)) }
        let facility = composite.optional(0)
        // Built in one initializer call: every field is written once.
        claim = Claim(
            type: claimType, id: id, totalCharge: charge, submitter: submitter, receiver: receiver, createdOn: createdOn,
            billingProvider: nil, subscriber: Self.blankSubscriber, patient: Self.blankPatient, payer: nil,
            placeOfService: claimType == .professional ? facility : nil,
            facilityTypeCode: claimType == .professional ? nil : facility,
            facilityCodeQualifier: composite.optional(1), frequencyCode: composite.optional(2),
            providerSignatureOnFile: s.optional(6), assignmentCode: s.optional(7), benefitsAssigned: s.optional(8),
            releaseOfInformation: s.optional(9), relatedCauses: relatedCauses,
            institutional: claimType == .institutional ? InstitutionalDetails() : nil,
            source: ClaimSource(file: file, segment: s.number, byteOffset: s.fileOffset,
                                interchangeControlNumber: interchange?.control,
                                transactionControlNumber: transaction?.control,
                                implementationGuide: transaction?.guide))
        hasClaim = true
        claimStart = (s.number, s.fileOffset)
        claimEnd = s.fileOffset + Int64(s.length) + 1
        claimBroken = false
        loop = .claim
        providerSlot = .ignored
        otherCoverageIndex = nil
        if id.isEmpty {
            breakClaim("X12-CLM01", "CLM01 (patient control number) is empty: the claim cannot be identified",
                       segment: s.number, id: "CLM", element: 1)
        }
        if let problem = claimContextProblem {
            breakClaim("X12-HL-PARENT", problem, segment: s.number, id: "CLM")
        }
        if !charge.isValid {
            warn("X12-AMOUNT", "CLM02 '\(s.string(2))' is not a monetary amount", s, element: 2)
        }
        if composite.count == 0 {
            warn("X12-CLM05", "CLM05 (\(claimType == .professional ? "place of service" : "facility type") and frequency) is empty", s, element: 5)
        }
    }

    /// DTP03 read by its format (DTP02): D8 and RD8 as dates; DT (CCYYMMDDHHMM, the 837I admission date and
    /// hour) by its date, the hour not being modelled; TM (HHMM, the 837I discharge hour) is a time of day, kept
    /// as written. `valid` says whether the text is what its format says.
    /// Read in place: the text is made only when it is kept as written.
    static func dtpValue(_ s: Segment) -> (date: DateOrRange, valid: Bool) {
        let text = s.bytes(3)
        let format = s.bytes(2)
        /// Whether the text is digits only (what DT and TM need; D8 and RD8 check their own).
        var digits: Bool {
            for byte in text where byte < 48 || byte > 57 { return false }
            return true
        }
        /// HHMM, the bytes being digits.
        func isTimeOfDay(_ hhmm: UnsafeBufferPointer<UInt8>) -> Bool {
            guard hhmm.count == 4 else { return false }
            let hours = Int(hhmm[0] - 48) * 10 + Int(hhmm[1] - 48), minutes = Int(hhmm[2] - 48) * 10 + Int(hhmm[3] - 48)
            return hours < 24 && minutes < 60
        }
        // DT and TM told apart by their two bytes (no call to compare them).
        let isDT = format.count == 2 && format[0] == UInt8(ascii: "D") && format[1] == UInt8(ascii: "T")
        let isTM = format.count == 2 && format[0] == UInt8(ascii: "T") && format[1] == UInt8(ascii: "M")
        if isDT {
            if text.count == 12, digits, isTimeOfDay(UnsafeBufferPointer(rebasing: text[8..<12])),
               let day = CalendarDate(bytes: UnsafeBufferPointer(rebasing: text[0..<8])) {
                return (DateOrRange(day), true)
            }
            return (DateOrRange(unparsed: s.string(3)), false)
        }
        if isTM {
            return (DateOrRange(unparsed: s.string(3)), digits && isTimeOfDay(text))
        }
        let date = DateOrRange(x12Bytes: text, format: format) { s.string(3) }
        return (date, date.isValid)
    }

    private mutating func dtp(_ s: Segment) {
        guard hasClaim else { return }
        let (date, valid) = Self.dtpValue(s)
        if !valid {
            let format = s.string(2)
            warn("X12-DATE", "DTP03 '\(s.string(3))' is not a valid \(format.isEmpty ? "date" : format) \(format == "TM" ? "time" : "date")",
                 s, element: 3)
        }
        switch loop {
        case .claim, .claimProvider:
            loop = .claim
            claim.dates.append(QualifiedDate(qualifier: s.string(1), date: date))
        case .line:
            guard case let n = claim.lines.count, n > 0 else { return }
            if s.element(1, is: "472") { claim.lines[n - 1].serviceDate = date }
        default:
            break
        }
    }

    private mutating func cl1(_ s: Segment) {
        guard hasClaim else { return }
        if claim.institutional == nil { claim.institutional = InstitutionalDetails() }
        claim.institutional?.admissionType = s.optional(1)
        claim.institutional?.admissionSource = s.optional(2)
        claim.institutional?.patientStatus = s.optional(3)
    }

    private mutating func pwk(_ s: Segment) {
        guard hasClaim else { return }
        let attachment = Attachment(reportType: s.string(1), transmission: s.string(2), controlNumber: s.optional(6))
        if loop == .line, case let n = claim.lines.count, n > 0 {
            claim.lines[n - 1].attachments.append(attachment)
        } else if loop == .claim {
            claim.attachments.append(attachment)
        }
    }

    private mutating func nte(_ s: Segment) {
        guard hasClaim else { return }
        let note = Note(reference: s.string(1), text: s.string(2))
        if loop == .line, case let n = claim.lines.count, n > 0 {
            claim.lines[n - 1].notes.append(note)
        } else if loop == .claim || loop == .claimProvider {
            claim.notes.append(note)
        }
    }

    private mutating func amt(_ s: Segment) {
        guard hasClaim, let index = otherCoverageIndex, loop == .otherSubscriber, s.element(1, is: "D") else { return }
        claim.otherCoverage[index].paidAmount = Money(dollars: s.string(2))
    }

    private mutating func hi(_ s: Segment) {
        guard hasClaim else {
            warn("X12-LOOP-ORDER", "HI outside a claim", s)
            return
        }
        guard s.count > 1 else { return }
        for element in 1..<s.count where s.isPresent(element) {
            let parts = s.composite(element)
            guard parts.count >= 2, !parts.isEmpty(1) else {
                warn("X12-HI", "HI\(element < 10 ? "0" : "")\(element) '\(s.string(element))' is not a qualifier\(String(UnicodeScalar(s.delimiters.component)))code composite (is the component separator '\(String(UnicodeScalar(s.delimiters.component)))' missing?); not read as a diagnosis",
                     s, element: element)
                continue
            }
            let qualifier = Self.qualifierTag(parts.bytes(0))
            /// HI0x-4 read by its format (HI0x-3), when there is one.
            func date() -> DateOrRange? {
                parts.isEmpty(3) ? nil : DateOrRange(x12: parts.string(3), format: parts.string(2))
            }
            switch qualifier {
            case Q.ABK, Q.BK, Q.ABF, Q.BF, Q.ABJ, Q.BJ, Q.ABN, Q.BN, Q.APR, Q.PR:
                let system: DiagnosisCodeSystem = parts.bytes(0)[0] == UInt8(ascii: "A") ? .icd10cm : .icd9cm
                let role: Diagnosis.Role
                switch qualifier {
                case Q.ABK, Q.BK: role = .principal
                case Q.ABF, Q.BF: role = .other
                case Q.ABJ, Q.BJ: role = .admitting
                case Q.ABN, Q.BN: role = .externalCause
                default: role = .reasonForVisit
                }
                let code = parts.string(1)
                let poa = parts.optional(8)
                let dotted = parts.bytes(1).contains(UInt8(ascii: "."))
                let normalized = dotted ? code.replacingOccurrences(of: ".", with: "") : code
                if dotted {
                    warn("X12-HI", "diagnosis '\(code)' is written with a decimal point, which X12 omits; read as '\(normalized)'",
                         s, element: element, component: 2)
                }
                // One allocation for the HI's diagnoses instead of growing the list one by one.
                if claim.diagnoses.isEmpty { claim.diagnoses.reserveCapacity(s.count - 1) }
                claim.diagnoses.append(Diagnosis(code: normalized, system: system, role: role, qualifier: parts.string(0),
                                                  presentOnAdmission: poa))
            case Q.BG, Q.ABG:
                claim.institutional?.conditionCodes.append(parts.string(1))
            case Q.BH:
                claim.institutional?.occurrenceCodes.append(InstitutionalCode(
                    qualifier: parts.string(0), code: parts.string(1), date: date()))
            case Q.BI:
                claim.institutional?.occurrenceSpans.append(InstitutionalCode(
                    qualifier: parts.string(0), code: parts.string(1), date: date()))
            case Q.BE:
                let amount = parts.optional(4).map { Money(dollars: $0) }
                claim.institutional?.valueCodes.append(InstitutionalCode(qualifier: parts.string(0), code: parts.string(1), amount: amount))
            case Q.BBR, Q.BBQ, Q.BR, Q.BQ, Q.CAH:
                claim.institutional?.procedures.append(InstitutionalCode(
                    qualifier: parts.string(0), code: parts.string(1), date: date()))
            case Q.DR, Q.TC:
                break  // DRG and treatment codes: kept as written in the segment
            default:
                warn("X12-HI", "HI qualifier '\(parts.string(0))' is not a code list qualifier of an 837", s, element: element, component: 1)
            }
        }
    }

    /// An HI code list qualifier (1 to 3 bytes) packed with its length, so that no two qualifiers share a value; 0 for
    /// anything longer.
    static func qualifierTag(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard (1...3).contains(bytes.count) else { return 0 }
        var value = UInt32(bytes.count) << 24
        for (i, byte) in bytes.enumerated() { value |= UInt32(byte) << (8 * UInt32(2 - i)) }
        return value
    }

    /// The HI qualifiers the reader knows, as `qualifierTag` packs them.
    enum Q {
        static func tag(_ text: StaticString) -> UInt32 {
            qualifierTag(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        static let ABK = tag("ABK"), BK = tag("BK"), ABF = tag("ABF"), BF = tag("BF"), ABJ = tag("ABJ"), BJ = tag("BJ")
        static let ABN = tag("ABN"), BN = tag("BN"), APR = tag("APR"), PR = tag("PR"), BG = tag("BG"), ABG = tag("ABG")
        static let BH = tag("BH"), BI = tag("BI"), BE = tag("BE"), BBR = tag("BBR"), BBQ = tag("BBQ"), BR = tag("BR")
        static let BQ = tag("BQ"), CAH = tag("CAH"), DR = tag("DR"), TC = tag("TC")
    }

    // MARK: Service lines

    private mutating func lx(_ s: Segment) {
        guard hasClaim else {
            if brokenHierarchy == nil {
                record(.error, "X12-LOOP-ORDER", "LX (service line) outside any claim: there is no CLM before it; line left out",
                       segment: s.number, id: "LX")
            }
            orphanLine = true
            return
        }
        orphanLine = false
        // Room for a few lines at the first: most claims have fewer than 8, so the list is allocated once.
        if claim.lines.isEmpty { claim.lines.reserveCapacity(8) }
        claim.lines.append(ServiceLine(number: claim.lines.count + 1, lx: s.optional(1), procedureQualifier: nil,
                                       charge: Money(cents: 0), unitBasis: nil))
        loop = .line
        providerSlot = .ignored
        lineHasService = false
    }

    private var lineHasService = false
    /// Set by an LX outside any claim (already reported), so that its SV1/SV2 is not reported a second time.
    private var orphanLine = false

    /// The line a service segment (SV1/SV2) belongs to, or nil after breaking the claim.
    private mutating func serviceLineIndex(_ s: Segment) -> Int? {
        guard hasClaim else {
            if orphanLine {
                orphanLine = false  // the line its LX started, already reported
            } else if brokenHierarchy == nil {
                record(.error, "X12-LOOP-ORDER", "\(s.id) (service line) outside any claim; line left out", segment: s.number, id: s.id)
            }
            return nil
        }
        guard case let n = claim.lines.count, n > 0, loop == .line || loop == .lineProvider || loop == .drug,
              !lineHasService else {
            breakClaim("X12-LOOP-ORDER", "\(s.id) without its LX: a service line must start with LX", segment: s.number, id: s.id)
            return nil
        }
        lineHasService = true
        return n - 1
    }

    private mutating func procedure(_ parts: Composite, into line: inout ServiceLine.Fields, _ s: Segment, element: Int) {
        guard parts.count > 0 else { return }
        line.procedureQualifier = parts.optional(0)
        if let code = parts.optional(1) { line.procedureCode = ProcedureCode(code) }
        if parts.count > 2 {
            var modifiers: [Modifier] = []
            for k in 2..<min(parts.count, 6) where !parts.isEmpty(k) { modifiers.append(Modifier(parts.string(k))) }
            line.modifiers = modifiers
        }
        if let description = parts.optional(6) { line.procedureDescription = description }
        if line.procedureCode == nil && line.revenueCode == nil {
            warn("X12-PROCEDURE", "\(s.id)\(element < 10 ? "0" : "")\(element) has no procedure code", s, element: element, component: 2)
        }
    }

    private mutating func sv1(_ s: Segment) {
        guard let index = serviceLineIndex(s) else { return }
        var line = Self.blankLine
        swap(&line, &claim.lines[index])
        defer { swap(&line, &claim.lines[index]) }
        line.withFields { line in sv1(s, into: &line) }
    }

    private mutating func sv1(_ s: Segment, into line: inout ServiceLine.Fields) {
        procedure(s.composite(1), into: &line, s, element: 1)
        line.charge = Money(dollarsBytes: s.bytes(2)) { s.string(2) }
        if !line.charge.isValid { warn("X12-AMOUNT", "SV102 '\(s.string(2))' is not a monetary amount", s, element: 2) }
        line.unitBasis = s.optional(3)
        if s.isPresent(4) {
            line.units = Quantity(bytes: s.bytes(4)) { s.string(4) }
            if line.units?.isValid == false { warn("X12-QUANTITY", "SV104 '\(s.string(4))' is not a quantity", s, element: 4) }
        }
        line.placeOfService = s.optional(5)
        let pointerParts = s.composite(7)
        // Up to four pointers of 1 to 15 (nearly every line) are packed in a key and their list shared.
        var key: UInt32 = 0, count: UInt32 = 0, small = true
        for k in 0..<pointerParts.count where !pointerParts.isEmpty(k) {
            if let pointer = Self.integer(pointerParts.bytes(k)) ?? Int(pointerParts.string(k)) {
                if count < 4 && (1...15).contains(pointer) { key |= UInt32(pointer) << (4 * count) } else { small = false }
                count += 1
            } else {
                warn("X12-POINTER", "SV107-\(k + 1) '\(pointerParts.string(k))' is not a diagnosis pointer (1 to 12)", s,
                     element: 7, component: k + 1)
            }
        }
        if count > 0 {
            line.diagnosisPointers = small
                ? pointerLists.list(key | count << 16) { Self.pointers(pointerParts) }
                : Self.pointers(pointerParts)
        }
    }

    /// The diagnosis pointers of SV107, those that are numbers (the others were reported when the line was read).
    static func pointers(_ parts: Composite) -> [Int] {
        var pointers: [Int] = []
        pointers.reserveCapacity(parts.count)
        for k in 0..<parts.count where !parts.isEmpty(k) {
            if let pointer = integer(parts.bytes(k)) ?? Int(parts.string(k)) { pointers.append(pointer) }
        }
        return pointers
    }

    /// Up to four digits as a number (what `Int(_:)` gives for them), without making a `String`; nil for anything else.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard (1...4).contains(bytes.count) else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private mutating func sv2(_ s: Segment) {
        guard let index = serviceLineIndex(s) else { return }
        var line = Self.blankLine
        swap(&line, &claim.lines[index])
        defer { swap(&line, &claim.lines[index]) }
        line.withFields { line in sv2(s, into: &line) }
    }

    private mutating func sv2(_ s: Segment, into line: inout ServiceLine.Fields) {
        line.revenueCode = s.optional(1)
        procedure(s.composite(2), into: &line, s, element: 2)
        line.charge = Money(dollarsBytes: s.bytes(3)) { s.string(3) }
        if !line.charge.isValid { warn("X12-AMOUNT", "SV203 '\(s.string(3))' is not a monetary amount", s, element: 3) }
        line.unitBasis = s.optional(4)
        if let units = s.optional(5) {
            line.units = Quantity(text: units)
            if line.units?.isValid == false { warn("X12-QUANTITY", "SV205 '\(units)' is not a quantity", s, element: 5) }
        }
    }

    private mutating func lin(_ s: Segment) {
        guard case let n = claim.lines.count, n > 0 else { return }
        let qualifier = s.string(2)
        let ndc = NDC(s.string(3))
        if qualifier == "N4" && !ndc.isWellFormed {
            warn("X12-NDC", "LIN03 '\(ndc.text)' is not an 11-digit NDC (5-4-2)", s, element: 3)
        }
        claim.lines[n - 1].drug = DrugInfo(qualifier: qualifier, ndc: ndc)
        loop = .drug
    }

    private mutating func ctp(_ s: Segment) {
        guard loop == .drug, case let n = claim.lines.count, n > 0 else { return }
        if let quantity = s.optional(4) {
            claim.lines[n - 1].drug?.quantity = Quantity(text: quantity)
            if Quantity(text: quantity).isValid == false { warn("X12-QUANTITY", "CTP04 '\(quantity)' is not a quantity", s, element: 4) }
        }
        claim.lines[n - 1].drug?.unit = s.composite(5).optional(0)
    }

    // MARK: Finishing a claim

    private mutating func finishClaim(endSegment: Int) {
        guard hasClaim else { return }
        hasClaim = false
        // Move the claim out without copying it (a copy retains every string and list in it).
        var finished = Self.blankClaim
        swap(&finished, &claim)
        loop = .header
        providerSlot = .ignored
        if claimBroken { claimBroken = false; return }
        let byteLength = claimEnd - claimStart.offset
        // The claim's context, read field by field from the hierarchy (no copy of a whole context), and written
        // into the claim's fields after one uniqueness check.
        var billing: (provider: Provider?, payTo: Provider?)?
        var subscriber: Subscriber?
        var payer: Payer?
        var patient: Patient?
        if let billingID = subscriberContext?.billingID {
            if resolvedBilling?.id == billingID {
                billing = (resolvedBilling?.provider ?? nil, resolvedBilling?.payTo ?? nil)
            } else if let context = billingProviders[billingID] {
                var provider = context.provider
                if let taxonomy = context.taxonomy, provider?.taxonomy == nil { provider?.taxonomy = taxonomy }
                billing = (provider, context.payTo)
                resolvedBilling = (billingID, provider, context.payTo)
            }
            subscriber = subscriberContext?.subscriber
            payer = subscriberContext?.payer ?? nil
            if let dependent = patientContext?.patient {
                patient = dependent
            } else if let selfPatient = subscriberContext?.selfPatient {
                patient = selfPatient
            } else if let s = subscriber {
                let selfPatient = Patient(name: s.name, birthDate: s.birthDate, sex: s.sex, address: s.address,
                                          relationshipToSubscriber: "18", isSubscriber: true)
                patient = selfPatient
                subscriberContext?.selfPatient = selfPatient
            }
        }
        finished.withFields { fields in
            fields.source?.byteLength = byteLength
            if let billing {
                fields.billingProvider = billing.provider
                fields.payToProvider = billing.payTo
            }
            if let subscriber { fields.subscriber = subscriber }
            if subscriber != nil { fields.payer = payer }
            if let patient { fields.patient = patient }
        }
        completed = finished
        hasCompleted = true
    }

    /// An empty claim and line, swapped in and out so the ones being built are never copied.
    static let blankClaim = Claim(type: .professional, id: "", totalCharge: Money(cents: 0), billingProvider: nil,
                                  subscriber: blankSubscriber, patient: blankPatient, payer: nil)
    /// What a claim holds until `finishClaim` gives it its subscriber and patient (shared, never mutated).
    static let blankSubscriber = Subscriber(name: nil)
    static let blankPatient = Patient(name: nil, isSubscriber: true)
    static let blankLine = ServiceLine(number: 0, procedureQualifier: nil, charge: Money(cents: 0), unitBasis: nil)
}

/// Lists of diagnosis pointers made recently, found again by their key (up to four pointers of 1 to 15, four bits each,
/// and the count above them): most lines point at the same few diagnoses (`[1]`, `[1, 2]` …), and sharing one list
/// (an array is copy-on-write) saves allocating and freeing one per line. Direct-mapped, in an unsafe buffer behind a
/// `let` (no exclusivity check on a look-up).
final class SharedLists {
    struct Entry {
        /// 0 for an empty slot (a key always has its count above bit 16).
        var key: UInt32 = 0
        var list: [Int] = []
    }

    static let slots = 256
    private let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = UnsafeMutablePointer<Entry>.allocate(capacity: Self.slots)
        entries.initialize(repeating: Entry(), count: Self.slots)
    }

    deinit {
        entries.deinitialize(count: Self.slots)
        entries.deallocate()
    }

    /// The list of `key`, made by `make` when it is not in the table.
    func list(_ key: UInt32, make: () -> [Int]) -> [Int] {
        let slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9) >> 24)
        if entries[slot].key == key { return entries[slot].list }
        let list = make()
        entries[slot] = Entry(key: key, list: list)
        return list
    }
}

extension Optional where Wrapped == Address {
    /// Applies `body` to the address, starting from an empty one when there is none, without copying it.
    mutating func update(_ body: (inout Address) -> Void) {
        var address = take() ?? Address()
        body(&address)
        self = address
    }
}
