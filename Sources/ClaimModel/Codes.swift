/// Small code types. Each keeps the text exactly as written and answers whether it is well formed;
/// a malformed code is never dropped or rewritten (the rules report it as an edit).

/// A National Provider Identifier: ten digits whose last is a Luhn check digit computed over the
/// prefix 80840 and the first nine digits (CMS, "Requirements for NPI check digit").
public struct NPI: Hashable, Sendable, Codable, CustomStringConvertible {
    public var text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }

    /// True when the text is ten digits and the check digit matches.
    public var isValid: Bool { NPI.checkDigitIsValid(text) }

    /// The Luhn check with the 80840 health-industry prefix (its contribution is the constant 24).
    public static func checkDigitIsValid(_ text: String) -> Bool {
        // Over the contiguous UTF-8 (`String.utf8`'s iterator cost about 40 instructions a byte).
        var text = text
        return text.withUTF8(checkDigitIsValid)
    }

    private static func checkDigitIsValid(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var sum = 24
        var count = 0
        var check = 0
        for byte in utf8 {
            let digit = Int(byte) - 48
            guard (0...9).contains(digit), count < 10 else { return false }
            if count == 9 {
                check = digit
            } else if count % 2 == 0 {
                // Walking the first nine digits from the right, the first, third, … (here the even positions) are doubled.
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
            count += 1
        }
        return count == 10 && (10 - sum % 10) % 10 == check
    }

    public init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// The code system of a diagnosis, taken from the HI qualifier (ABK/ABF… are ICD-10-CM, BK/BF… ICD-9-CM).
public enum DiagnosisCodeSystem: String, Sendable, Codable, Hashable {
    case icd10cm = "ICD-10-CM"
    case icd9cm = "ICD-9-CM"
}

/// An ICD-10-CM code as written in X12 (no decimal point), e.g. `E119`, `S72001A`.
public struct ICD10CMCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public var text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }

    /// True when the code has ICD-10-CM's shape: a letter, a digit, an alphanumeric, then up to four
    /// alphanumerics (3 to 7 characters). Whether it exists and is billable is a rule-pack question.
    public var isWellFormed: Bool {
        let bytes = Array(text.utf8)
        guard (3...7).contains(bytes.count) else { return false }
        guard bytes[0].isASCIIUpperLetter, bytes[1].isASCIIDigit else { return false }
        return bytes[2...].allSatisfy { $0.isASCIIDigit || $0.isASCIIUpperLetter }
    }

    /// The code with its decimal point, as printed in the tabular list (`E11.9`).
    public var dotted: String {
        guard text.count > 3 else { return text }
        return String(text.prefix(3)) + "." + String(text.dropFirst(3))
    }

    public init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// A CPT or HCPCS Level II procedure code (SV101-2, SV202-2), or any other code as written.
public struct ProcedureCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What the code's shape says it is.
    public enum Kind: String, Sendable, Codable {
        case cptCategoryI, cptCategoryII, cptCategoryIII, cptPLA, hcpcsLevelII, unknown
    }
    public var text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }

    /// CPT Category I is five digits; II, III and PLA are four digits and F, T or U;
    /// HCPCS Level II is a letter A–V and four digits.
    public var kind: Kind {
        let bytes = Array(text.utf8)
        guard bytes.count == 5 else { return .unknown }
        if bytes.allSatisfy(\.isASCIIDigit) { return .cptCategoryI }
        if bytes[0..<4].allSatisfy(\.isASCIIDigit) {
            switch bytes[4] {
            case UInt8(ascii: "F"): return .cptCategoryII
            case UInt8(ascii: "T"): return .cptCategoryIII
            case UInt8(ascii: "U"): return .cptPLA
            default: return .unknown
            }
        }
        if (UInt8(ascii: "A")...UInt8(ascii: "V")).contains(bytes[0]), bytes[1...].allSatisfy(\.isASCIIDigit) {
            return .hcpcsLevelII
        }
        return .unknown
    }

    public var isWellFormed: Bool { kind != .unknown }

    public init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// A procedure modifier (two alphanumeric characters, e.g. `25`, `59`, `XS`, `RT`).
public struct Modifier: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var text: String
    public init(_ text: String) { self.text = text }
    public init(stringLiteral value: String) { self.text = value }
    public var description: String { text }

    public var isWellFormed: Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 2 && bytes.allSatisfy { $0.isASCIIDigit || $0.isASCIIUpperLetter }
    }

    public init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// A National Drug Code in the 11-digit 5-4-2 form X12 carries in LIN03 (qualifier N4).
public struct NDC: Hashable, Sendable, Codable, CustomStringConvertible {
    public var text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }
    public var isWellFormed: Bool { text.utf8.count == 11 && text.utf8.allSatisfy(\.isASCIIDigit) }

    public init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension UInt8 {
    @inlinable var isASCIIDigit: Bool { self >= 48 && self <= 57 }
    @inlinable var isASCIIUpperLetter: Bool { self >= 65 && self <= 90 }
}
