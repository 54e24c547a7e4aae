import ClaimModel
import Rules

/// A finding on a claim: which rule, which claim and line, how severe, the denial it would cause, what to
/// fix, and where the rule is written.
public struct Edit: Hashable, Sendable, Codable {
    /// The other line of a pair edit (for NCCI, the column-1 line the denied line is bundled into).
    public struct Related: Hashable, Sendable, Codable {
        public var claimID: String
        public var line: Int
        /// True when the other line is in the claim history, not in the batch.
        public var inHistory: Bool

        enum CodingKeys: String, CodingKey { case claimID = "claimId", line, inHistory }
    }

    public struct RuleLocation: Hashable, Sendable, Codable {
        public var file: String
        public var line: Int
    }

    /// What the edit takes from the rule version that fired, made once and shared by all its edits (one
    /// reference to retain per edit, not eight strings).
    public final class RuleFacts: Hashable, Sendable {
        public let ruleID: String
        public let ruleVersion: String
        public let pack: String
        public let category: String
        public let severity: EditSeverity
        public let carc: String?
        public let rarc: [String]
        public let location: RuleLocation
        public let citation: String

        public init(ruleID: String, ruleVersion: String, pack: String, category: String, severity: EditSeverity,
                    carc: String?, rarc: [String], location: RuleLocation, citation: String) {
            self.ruleID = ruleID; self.ruleVersion = ruleVersion; self.pack = pack; self.category = category
            self.severity = severity; self.carc = carc; self.rarc = rarc; self.location = location; self.citation = citation
        }

        /// The facts of a rule (`version`: the window of the version that fired).
        convenience init(rule: Rule, version: String) {
            self.init(ruleID: rule.id, ruleVersion: version, pack: rule.pack, category: rule.category, severity: rule.severity,
                      carc: rule.denial, rarc: rule.rarc,
                      location: RuleLocation(file: rule.location.file, line: rule.location.line), citation: rule.citation)
        }

        public static func == (lhs: RuleFacts, rhs: RuleFacts) -> Bool {
            lhs === rhs || (lhs.ruleID == rhs.ruleID && lhs.ruleVersion == rhs.ruleVersion && lhs.pack == rhs.pack
                && lhs.category == rhs.category && lhs.severity == rhs.severity && lhs.carc == rhs.carc
                && lhs.rarc == rhs.rarc && lhs.location == rhs.location && lhs.citation == rhs.citation)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(ruleID); hasher.combine(ruleVersion); hasher.combine(pack)
        }
    }

    public let facts: RuleFacts
    public var ruleID: String { facts.ruleID }
    /// The version of the rule that fired: its effective window.
    public var ruleVersion: String { facts.ruleVersion }
    public var pack: String { facts.pack }
    public var category: String { facts.category }
    public var severity: EditSeverity { facts.severity }
    /// The claim adjustment reason code it would cause (`CO-97`).
    public var carc: String? { facts.carc }
    public var rarc: [String] { facts.rarc }
    public var location: RuleLocation { facts.location }
    public var citation: String { facts.citation }
    public var claimID: String
    /// Position of the claim in the batch (0-based), so duplicate CLM01s stay apart.
    public var claimIndex: Int
    /// 1-based line within the claim, nil for a claim-level edit.
    public var line: Int?
    public var related: Related?
    public var message: String
    public var fix: String?
    /// True when a table release was applied to a date of service past its window.
    public var stale: Bool
    /// With `--explain`: the conditions that held, as the evaluator saw them.
    public var explanation: [String]?

    public init(facts: RuleFacts, claimID: String, claimIndex: Int, line: Int?, related: Related?, message: String,
                fix: String?, stale: Bool, explanation: [String]?) {
        self.facts = facts; self.claimID = claimID; self.claimIndex = claimIndex; self.line = line; self.related = related
        self.message = message; self.fix = fix; self.stale = stale; self.explanation = explanation
    }

    /// The report's key names (docs/report.md).
    enum CodingKeys: String, CodingKey {
        case ruleID = "ruleId", ruleVersion, pack, category, severity, carc, rarc, claimID = "claimId", claimIndex, line
        case related, message, fix, location, citation, stale, explanation
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        facts = RuleFacts(
            ruleID: try container.decode(String.self, forKey: .ruleID), ruleVersion: try container.decode(String.self, forKey: .ruleVersion),
            pack: try container.decode(String.self, forKey: .pack), category: try container.decode(String.self, forKey: .category),
            severity: try container.decode(EditSeverity.self, forKey: .severity),
            carc: try container.decodeIfPresent(String.self, forKey: .carc), rarc: try container.decode([String].self, forKey: .rarc),
            location: try container.decode(RuleLocation.self, forKey: .location), citation: try container.decode(String.self, forKey: .citation))
        claimID = try container.decode(String.self, forKey: .claimID)
        claimIndex = try container.decode(Int.self, forKey: .claimIndex)
        line = try container.decodeIfPresent(Int.self, forKey: .line)
        related = try container.decodeIfPresent(Related.self, forKey: .related)
        message = try container.decode(String.self, forKey: .message)
        fix = try container.decodeIfPresent(String.self, forKey: .fix)
        stale = try container.decode(Bool.self, forKey: .stale)
        explanation = try container.decodeIfPresent([String].self, forKey: .explanation)
    }

    /// Every key is written, absent values as null, so the report's shape never depends on the data.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ruleID, forKey: .ruleID)
        try container.encode(ruleVersion, forKey: .ruleVersion)
        try container.encode(pack, forKey: .pack)
        try container.encode(category, forKey: .category)
        try container.encode(severity, forKey: .severity)
        try container.encode(carc, forKey: .carc)
        try container.encode(rarc, forKey: .rarc)
        try container.encode(claimID, forKey: .claimID)
        try container.encode(claimIndex, forKey: .claimIndex)
        try container.encode(line, forKey: .line)
        try container.encode(related, forKey: .related)
        try container.encode(message, forKey: .message)
        try container.encode(fix, forKey: .fix)
        try container.encode(location, forKey: .location)
        try container.encode(citation, forKey: .citation)
        try container.encode(stale, forKey: .stale)
        try container.encode(explanation, forKey: .explanation)
    }
}

extension EditSeverity: Codable {}

/// A check that could not be made, said plainly (no data is not a pass).
public struct NotChecked: Hashable, Sendable, Codable {
    enum CodingKeys: String, CodingKey { case ruleID = "ruleId", table, line, reason }
    public var ruleID: String?
    public var table: String?
    public var line: Int?
    public var reason: String
}

/// What evaluation found for one claim.
public struct ClaimResult: Hashable, Sendable {
    public var claimIndex: Int
    public var claimID: String
    public var edits: [Edit]
    public var notChecked: [NotChecked]
    /// Notices that a table release was used past its window (once per table and release).
    public var staleTables: [String]

    /// error when any error edit, warning when any warning edit, else clean.
    public var status: String {
        if edits.contains(where: { $0.severity == .error }) { return "error" }
        if edits.contains(where: { $0.severity == .warning }) { return "warning" }
        return "clean"
    }
}

extension Edit {
    /// The order edits are reported in: by claim, claim-level first, then line, then rule id.
    static func reportOrder(_ lhs: Edit, _ rhs: Edit) -> Bool {
        if lhs.claimIndex != rhs.claimIndex { return lhs.claimIndex < rhs.claimIndex }
        let l = lhs.line ?? 0, r = rhs.line ?? 0
        if l != r { return l < r }
        if lhs.ruleID != rhs.ruleID { return lhs.ruleID < rhs.ruleID }
        if lhs.pack != rhs.pack { return lhs.pack < rhs.pack }
        let la = lhs.related.map { ($0.inHistory ? 1 : 0, $0.claimID, $0.line) } ?? (0, "", 0)
        let ra = rhs.related.map { ($0.inHistory ? 1 : 0, $0.claimID, $0.line) } ?? (0, "", 0)
        return la < ra
    }
}
