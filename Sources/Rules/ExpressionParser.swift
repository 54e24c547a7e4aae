import ClaimModel

/// An expression as written, before its names are resolved to fields.
indirect enum RawExpression: Equatable {
    case number(Double)
    case date(CalendarDate)
    case name(String)
    case binary(Expression.Operator, RawExpression, RawExpression)
}

/// Parses `mue.mue-units * 2`, `a.date + 90`, `(x + 1) / 2`. Names may contain letters, digits, `.`, `-`
/// and `_`, so a minus sign needs spaces around it (`units - 1`).
struct ExpressionParser {
    struct Failure: Error { var message: String; var offset: Int }

    private let bytes: [UInt8]
    private var position = 0

    init(source: String) { bytes = Array(source.utf8) }

    mutating func parse() -> Result<RawExpression, Failure> {
        do {
            let expression = try sum()
            skipSpaces()
            if position < bytes.count {
                throw Failure(message: "unexpected '\(String(decoding: bytes[position...], as: UTF8.self))'", offset: position)
            }
            return .success(expression)
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(message: "cannot parse", offset: position))
        }
    }

    private mutating func skipSpaces() {
        while position < bytes.count && bytes[position] == 0x20 { position += 1 }
    }

    private mutating func sum() throws -> RawExpression {
        var left = try product()
        while true {
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") else {
                return left
            }
            let op: Expression.Operator = bytes[position] == UInt8(ascii: "+") ? .add : .subtract
            position += 1
            left = .binary(op, left, try product())
        }
    }

    private mutating func product() throws -> RawExpression {
        var left = try factor()
        while true {
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "*") || bytes[position] == UInt8(ascii: "/") else {
                return left
            }
            let op: Expression.Operator = bytes[position] == UInt8(ascii: "*") ? .multiply : .divide
            position += 1
            left = .binary(op, left, try factor())
        }
    }

    private mutating func factor() throws -> RawExpression {
        skipSpaces()
        guard position < bytes.count else { throw Failure(message: "a value is missing at the end", offset: position) }
        let start = position
        let byte = bytes[position]
        if byte == UInt8(ascii: "(") {
            position += 1
            let inner = try sum()
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ")") else {
                throw Failure(message: "a ')' is missing", offset: position)
            }
            position += 1
            return inner
        }
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 46 || b == 45 || b == 95
        }
        while position < bytes.count && isNameByte(bytes[position]) { position += 1 }
        guard position > start else {
            throw Failure(message: "unexpected '\(String(UnicodeScalar(byte)))'", offset: start)
        }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        if let first = token.utf8.first, first >= 48 && first <= 57 || first == 46 {
            if token.count == 10, let date = CalendarDate(token) { return .date(date) }
            guard let value = Double(token) else { throw Failure(message: "'\(token)' is not a number or a date", offset: start) }
            return .number(value)
        }
        return .name(token)
    }
}
