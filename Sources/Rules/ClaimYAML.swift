import ClaimModel
import Foundation
import YAML

/// Claims written in YAML inside rule tests: the same keys as the JSON form (docs/claims.md). Values are
/// text, except amounts (cents), units, line numbers and pointers, which are numbers, and `isSubscriber`.
enum ClaimYAML {
    /// Keys whose values are JSON numbers (everything else is text, so `99213` and `00026063512` stay codes).
    static let numericKeys: Set<String> = [
        "totalCharge", "charge", "paidAmount", "amount", "units", "quantity", "number", "diagnosisPointers",
        "segment", "byteOffset", "byteLength",
    ]
    static let booleanKeys: Set<String> = ["isSubscriber"]

    static func claim(_ node: YAMLNode, diagnostics: inout [Diagnostic]) -> Claim? {
        var problem: Diagnostic?
        let json = jsonValue(node, key: nil, problem: &problem)
        if let problem { diagnostics.append(problem); return nil }
        do {
            let data = try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])
            let claims = try ClaimJSON.decode(data)
            guard claims.count == 1, let claim = claims.first else {
                diagnostics.append(Diagnostic(.error, .badTest, "a test claim must be one claim mapping", at: node.location))
                return nil
            }
            return claim
        } catch let error as ClaimJSON.DecodeError {
            let location = locate(error.path, in: node) ?? node.location
            diagnostics.append(Diagnostic(.error, .badTest, "the test claim does not read: \(error.message) (at \(error.path.isEmpty ? "the claim" : error.path))", at: location))
        } catch {
            diagnostics.append(Diagnostic(.error, .badTest, "the test claim does not read: \(error)", at: node.location))
        }
        return nil
    }

    static func jsonValue(_ node: YAMLNode, key: String?, problem: inout Diagnostic?) -> Any {
        switch node.kind {
        case .scalar(let text):
            if node.isNull && node.style == .plain { return NSNull() }
            if let key, booleanKeys.contains(key), node.style == .plain {
                if text == "true" { return true }
                if text == "false" { return false }
            }
            if let key, numericKeys.contains(key), node.style == .plain {
                if let integer = Int64(text) { return NSNumber(value: integer) }
                if let double = Double(text) { return NSNumber(value: double) }
            }
            return text
        case .sequence(let items):
            return items.map { jsonValue($0, key: key, problem: &problem) }
        case .mapping(let pairs):
            var object: [String: Any] = [:]
            for pair in pairs {
                guard let name = pair.key.scalar else {
                    problem = Diagnostic(.error, .badTest, "claim keys must be text", at: pair.key.location)
                    continue
                }
                object[name] = jsonValue(pair.value, key: name, problem: &problem)
            }
            return object
        }
    }

    /// The node a JSON path (`lines[0].charge`) names, for locating decode errors.
    static func locate(_ path: String, in node: YAMLNode) -> SourceLocation? {
        var current = node
        var best = node.location
        for component in path.split(separator: ".") {
            var name = Substring(component)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), let close = name.lastIndex(of: "]"), open < close {
                if let index = Int(name[name.index(after: open)..<close]) { indexes.insert(index, at: 0) }
                name = name[..<open]
            }
            if !name.isEmpty {
                guard let pair = current.mapping?.first(where: { $0.key.scalar == String(name) }) else { return best }
                current = pair.value
                best = pair.key.location
            }
            for index in indexes {
                guard let items = current.sequence, index < items.count else { return best }
                current = items[index]
                best = current.location
            }
        }
        return best
    }
}
