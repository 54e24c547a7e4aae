import ClaimModel
import Tables
import YAML

/// The checked rule language: what the parser produces from a pack file once every diagnostic is clear.

/// Severity of an edit.
public enum EditSeverity: String, Sendable, Hashable, Comparable, CaseIterable {
    case error, warning, info

    private var rank: Int { self == .error ? 2 : self == .warning ? 1 : 0 }
    public static func < (lhs: EditSeverity, rhs: EditSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// A window of dates of service in which a rule, pack or table release is in force (both ends inclusive).
public struct EffectiveWindow: Hashable, Sendable, CustomStringConvertible {
    public var effective: CalendarDate?
    public var expires: CalendarDate?

    public init(effective: CalendarDate? = nil, expires: CalendarDate? = nil) {
        self.effective = effective; self.expires = expires
    }

    public func contains(_ date: CalendarDate) -> Bool {
        if let effective, date < effective { return false }
        if let expires, date > expires { return false }
        return true
    }

    public func overlaps(_ other: EffectiveWindow) -> Bool {
        if let expires, let start = other.effective, expires < start { return false }
        if let otherExpires = other.expires, let start = effective, otherExpires < start { return false }
        return true
    }

    public var description: String {
        "\(effective?.description ?? "open")..\(expires?.description ?? "open")"
    }
}

/// Which claims an overlay pack (or a rule) applies to: by payer id and/or claim filing indicator (SBR09).
public struct PayerScope: Hashable, Sendable {
    public var payerIDs: Set<String>
    public var filingIndicators: Set<String>

    public init(payerIDs: Set<String> = [], filingIndicators: Set<String> = []) {
        self.payerIDs = payerIDs; self.filingIndicators = filingIndicators
    }

    public func matches(payerID: String?, filingIndicator: String?) -> Bool {
        if let payerID, payerIDs.contains(payerID) { return true }
        if let filingIndicator, filingIndicators.contains(filingIndicator) { return true }
        return false
    }
}

/// A set of values a comparison tests membership in.
public enum SetRef: Hashable, Sendable {
    /// Codes and ranges written in the rule.
    case literal(CodeSet)
    /// The key values of a table (a `codes:` table or a one-column-key CSV table), by name.
    case table(String)
}

/// Arithmetic over numbers, dates and fields (`mue.mue-units * 2`, `a.date + 90`).
public indirect enum Expression: Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case date(CalendarDate)
    case field(FieldRef)
    case binary(Operator, Expression, Expression)

    public enum Operator: String, Sendable, Hashable { case add = "+", subtract = "-", multiply = "*", divide = "/" }

    public var description: String {
        switch self {
        case .number(let value): return value == value.rounded() ? String(Int64(value)) : String(value)
        case .date(let date): return date.description
        case .field(let field): return field.description
        case .binary(let op, let lhs, let rhs): return "(\(lhs) \(op.rawValue) \(rhs))"
        }
    }

    /// Every field the expression reads.
    public var fields: [FieldRef] {
        switch self {
        case .number, .date: return []
        case .field(let field): return [field]
        case .binary(_, let lhs, let rhs): return lhs.fields + rhs.fields
        }
    }
}

/// A test applied to one field's value.
public indirect enum Comparison: Hashable, Sendable {
    case equals(String)
    case notEquals(String)
    case inSet(SetRef)
    case notInSet(SetRef)
    case greater(Expression), greaterOrEqual(Expression), less(Expression), lessOrEqual(Expression)
    case numericEquals(Expression)
    case before(Expression), after(Expression), onOrBefore(Expression), onOrAfter(Expression)
    case present(Bool)
    case includes(String)
    case includesAny(SetRef)
    case includesNone(SetRef)
    /// Some element of the list is not in the set.
    case includesOutside(SetRef)
    case startsWith([String])
    /// The whole value matches a regular expression (checked when the pack loads).
    case matches(String)
    case sameAs(FieldRef)
    case differsFrom(FieldRef)
    /// A test on the number of elements of a list.
    case count(Comparison)
    case isTrue(Bool)
}

extension Comparison {
    /// Every field the comparison reads besides the one it tests (in its expressions and `same-as`).
    package var fields: [FieldRef] {
        switch self {
        case .greater(let e), .greaterOrEqual(let e), .less(let e), .lessOrEqual(let e), .numericEquals(let e),
             .before(let e), .after(let e), .onOrBefore(let e), .onOrAfter(let e):
            return e.fields
        case .sameAs(let field), .differsFrom(let field): return [field]
        case .count(let inner): return inner.fields
        case .equals, .notEquals, .inSet, .notInSet, .present, .includes, .includesAny, .includesNone, .includesOutside,
             .startsWith, .matches, .isTrue:
            return []
        }
    }
}

/// A table row lookup: true when a row with this key is in force on the date of service; its columns are
/// then readable as `alias.column`.
public struct Lookup: Hashable, Sendable {
    public var table: String
    public var key: [FieldRef]
    public var alias: String
    public var location: SourceLocation
}

/// A condition of a rule's `when`.
public indirect enum Condition: Hashable, Sendable {
    case compare(FieldRef, Comparison, SourceLocation)
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case lookup(Lookup)
}

extension Condition {
    /// Every field the condition reads: the fields it tests, those of their comparisons and the lookups' keys.
    package var fields: [FieldRef] {
        switch self {
        case .compare(let field, let comparison, _): return [field] + comparison.fields
        case .all(let conditions), .any(let conditions): return conditions.flatMap(\.fields)
        case .not(let condition): return condition.fields
        case .lookup(let lookup): return lookup.key
        }
    }
}

/// A message or fix with `{field}` placeholders.
public struct Template: Hashable, Sendable {
    public enum Part: Hashable, Sendable { case text(String), field(FieldRef) }
    public var parts: [Part]
    public init(parts: [Part]) { self.parts = parts }

    /// The fields of its placeholders.
    package var fields: [FieldRef] {
        parts.compactMap { part in
            if case .field(let field) = part { return field }
            return nil
        }
    }

    public var source: String {
        parts.map { part in
            switch part {
            case .text(let text): return text
            case .field(let field): return "{\(field)}"
            }
        }.joined()
    }
}

/// A checked rule.
public struct Rule: Hashable, Sendable {
    public var id: String
    public var pack: String
    public var category: String
    public var severity: EditSeverity
    /// The claim adjustment reason it would cause, `GROUP-CODE` (CO-97, PR-204 …).
    public var denial: String?
    public var rarc: [String]
    public var scope: Scope
    public var citation: String
    /// The conditions, all of which must hold (lookups first, in the order written).
    public var when: [Condition]
    public var message: Template
    public var fix: Template?
    public var window: EffectiveWindow
    /// Claims the rule is limited to (its own `payers:` or its overlay pack's), nil for all.
    public var payers: PayerScope?
    /// Claims an overlay took the rule away from (by `override` or `disable`).
    public var excludedFor: [PayerScope]
    public var claimTypes: Set<ClaimType>?
    /// Rules whose edits on the same claim this rule's edits suppress (resolved ids, same pack or qualified).
    public var suppresses: [String]
    /// Where the rule is written.
    public var location: SourceLocation
    /// For a line pair: the days b's date of service may be after a's (`within-days`; negative: before). The
    /// default `0...0` pairs lines of the same date only.
    public var pairDays: ClosedRange<Int> = 0...0
    /// The version label of the rule: its window, shown in edits (`2024-07-01..open`).
    public var version: String { window.description }

    /// The qualified name `pack/id`.
    public var qualifiedID: String { "\(pack)/\(id)" }

    /// Every field the rule reads: in its conditions, its lookups' keys, its message and its fix.
    package var fields: [FieldRef] { when.flatMap(\.fields) + message.fields + (fix?.fields ?? []) }

    public func applies(payerID: String?, filingIndicator: String?, claimType: ClaimType) -> Bool {
        if let claimTypes, !claimTypes.contains(claimType) { return false }
        if let payers, !payers.matches(payerID: payerID, filingIndicator: filingIndicator) { return false }
        for excluded in excludedFor where excluded.matches(payerID: payerID, filingIndicator: filingIndicator) { return false }
        return true
    }
}

/// One release of a CSV table, in force from its effective date until the next release of the same table.
public struct TableRelease: Sendable {
    public var release: String
    public var window: EffectiveWindow
    public var table: Table
    public var file: String
}

/// A table a pack declares.
public enum TableSource: Sendable {
    case codes(CodeSet)
    case releases([TableRelease])

    /// Column names (the first release's), empty for a code list.
    public var columns: [String] {
        if case .releases(let releases) = self, let first = releases.first { return first.table.columns }
        return []
    }
}

/// A rule test carried by a pack file.
public struct RuleTest: Sendable {
    public struct Expectation: Hashable, Sendable {
        public var rule: String
        public var line: Int?
        public var claim: String?
        public var location: SourceLocation
    }
    public var name: String
    public var claims: [Claim]
    public var history: [Claim]
    public var today: CalendarDate?
    public var asOf: CalendarDate?
    public var expect: [Expectation]
    public var forbid: [Expectation]
    public var location: SourceLocation
    /// X12 files the test reads its claims from (resolved paths).
    public var x12Files: [String] = []
}

/// One pack file, checked.
public struct Pack: Sendable {
    public var name: String
    public var file: String
    public var label: String?
    public var window: EffectiveWindow
    public var extends: String?
    public var payers: PayerScope?
    public var tables: [String: TableSource]
    public var rules: [Rule]
    public var overrides: [Rule]
    public var disables: [(id: String, location: SourceLocation)]
    public var tests: [RuleTest]
    public var location: SourceLocation
}
