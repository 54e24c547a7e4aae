import Rules

/// Rewrites every field reference inside conditions, comparisons, expressions and templates (the compiler
/// renames lookup aliases to one canonical name per shared lookup, so identical conditions compare equal).
extension Expression {
    func rewritten(_ f: (FieldRef) -> FieldRef) -> Expression {
        switch self {
        case .number, .date: return self
        case .field(let field): return .field(f(field))
        case .binary(let op, let lhs, let rhs): return .binary(op, lhs.rewritten(f), rhs.rewritten(f))
        }
    }
}

extension Comparison {
    func rewritten(_ f: (FieldRef) -> FieldRef) -> Comparison {
        switch self {
        case .greater(let e): return .greater(e.rewritten(f))
        case .greaterOrEqual(let e): return .greaterOrEqual(e.rewritten(f))
        case .less(let e): return .less(e.rewritten(f))
        case .lessOrEqual(let e): return .lessOrEqual(e.rewritten(f))
        case .numericEquals(let e): return .numericEquals(e.rewritten(f))
        case .before(let e): return .before(e.rewritten(f))
        case .after(let e): return .after(e.rewritten(f))
        case .onOrBefore(let e): return .onOrBefore(e.rewritten(f))
        case .onOrAfter(let e): return .onOrAfter(e.rewritten(f))
        case .sameAs(let field): return .sameAs(f(field))
        case .differsFrom(let field): return .differsFrom(f(field))
        case .count(let inner): return .count(inner.rewritten(f))
        default: return self
        }
    }
}

extension SetRef {
    func qualified(_ f: (String) -> String) -> SetRef {
        if case .table(let name) = self { return .table(f(name)) }
        return self
    }
}

extension Comparison {
    /// The comparison with every table name rewritten (the compiler qualifies names with their pack).
    func qualifyingTables(_ f: (String) -> String) -> Comparison {
        switch self {
        case .inSet(let set): return .inSet(set.qualified(f))
        case .notInSet(let set): return .notInSet(set.qualified(f))
        case .includesAny(let set): return .includesAny(set.qualified(f))
        case .includesNone(let set): return .includesNone(set.qualified(f))
        case .includesOutside(let set): return .includesOutside(set.qualified(f))
        case .count(let inner): return .count(inner.qualifyingTables(f))
        default: return self
        }
    }
}

extension Template {
    func rewritten(_ f: (FieldRef) -> FieldRef) -> Template {
        Template(parts: parts.map { part in
            if case .field(let field) = part { return .field(f(field)) }
            return part
        })
    }
}
