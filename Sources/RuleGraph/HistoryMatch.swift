import ClaimModel
import Rules

/// Corrected and void claims against the claims already sent (`--history`): which history claim a batch claim
/// corrects or voids (docs/rules.md, "Corrected and void claims").
///
/// REF*F8 carries the payer's claim control number, which the 837 that was sent does not carry, so a history
/// claim is taken as the original of a batch claim when it is of the same patient (member id, name, birth date)
/// and billing provider NPI, is not itself a void (frequency 8), and either has the same CLM01 (the patient
/// control number the payer's claim was made from) or carries the same REF*F8 as the batch claim (an earlier
/// correction of the same payer claim). When several match, the last one in history order is the original:
/// the claim as the payer holds it now.
enum HistoryMatch {
    private struct Key: Hashable {
        var patient: BatchIndex.PatientIdentity
        var billing: String
        /// `id:` + CLM01, or `f8:` + the payer's claim number.
        var number: String
    }

    /// For each batch claim, the index of its original in the history (nil: none there). A history claim that a
    /// later void in the history cancelled is no one's original any more.
    static func originals(claims: [Claim], history: [Claim]) -> [Int?] {
        guard !history.isEmpty else { return Array(repeating: nil, count: claims.count) }
        var latest: [Key: Int] = [:]
        var keysOfClaim: [Int: [Key]] = [:]
        func keys(_ claim: Claim) -> [Key] {
            let patient = BatchIndex.patientKey(claim), billing = claim.billingProvider?.npi?.text ?? ""
            var found = [Key(patient: patient, billing: billing, number: "id:" + claim.id)]
            if let number = claim.originalClaimNumber, !number.isEmpty {
                found.append(Key(patient: patient, billing: billing, number: "f8:" + number))
            }
            return found
        }
        for (index, sent) in history.enumerated() {
            let own = keys(sent)
            if sent.frequencyCode == "8" {
                // A void sent earlier: the claim it cancelled is no longer an original.
                let voided = Set(own.compactMap { latest[$0] })
                for original in voided {
                    for key in keysOfClaim[original] ?? [] where latest[key] == original { latest[key] = nil }
                }
                continue
            }
            for key in own { latest[key] = index }
            keysOfClaim[index] = own
        }
        return claims.map { claim in
            let matches = keys(claim).compactMap { latest[$0] }
            return matches.max()
        }
    }

    /// The claim as billed: without its frequency code, REF*F8, CLM01, envelope and source, and its lines
    /// without LX and line control numbers, which a correction may change without correcting anything.
    static func billedContent(_ claim: Claim) -> Claim {
        var content = claim
        content.id = ""
        content.frequencyCode = nil
        content.originalClaimNumber = nil
        content.clearinghouseTraceNumber = nil
        content.createdOn = nil
        content.submitter = nil
        content.receiver = nil
        content.source = nil
        content.lines = claim.lines.map { line in
            var line = line
            line.lx = nil
            line.lineControlNumber = nil
            return line
        }
        return content
    }
}

extension FieldReader {
    /// A claim field of the batch claim at `claimIndex`, the history joins included.
    static func claim(_ field: ClaimField, claimIndex: Int, index: BatchIndex, date: CalendarDate?, today: CalendarDate?) -> Value {
        switch field {
        case .originalInHistory:
            return .flag(index.original(ofClaim: claimIndex) != nil)
        case .originalUnchanged:
            guard let original = index.original(ofClaim: claimIndex) else { return .missing }
            return .flag(HistoryMatch.billedContent(index.claims[claimIndex]) == HistoryMatch.billedContent(index.history[original]))
        default:
            return claim(field, index.claimBoxes[claimIndex], date: date, today: today, dates: index.dates(ofClaim: claimIndex))
        }
    }
}
