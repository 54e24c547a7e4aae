import Foundation

/// The documented JSON form of claims (docs/claims.md): a document
/// `{"format": "claimscrub.claims", "version": 1, "claims": [ … ]}` with keys in a stable order.
public enum ClaimJSON {
    public static let format = "claimscrub.claims"
    public static let version = 1

    /// A problem in a JSON claims document, with the JSON path where it was found.
    public struct DecodeError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var message: String
        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    struct Document: Codable {
        var format: String
        var version: Int
        var claims: [Claim]
    }

    /// An encoder set up for the stable form: sorted keys, no escaped slashes.
    public static func makeEncoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Encodes a whole document.
    public static func encode(_ claims: [Claim], pretty: Bool = true) throws -> Data {
        try makeEncoder(pretty: pretty).encode(Document(format: format, version: version, claims: claims))
    }

    /// Encodes one claim (used to stream a document claim by claim).
    public static func encode(claim: Claim, pretty: Bool = true) throws -> Data {
        try makeEncoder(pretty: pretty).encode(claim)
    }

    /// Decodes a document, or a bare array of claims, or a single claim object.
    public static func decode(_ data: Data) throws(DecodeError) -> [Claim] {
        let decoder = JSONDecoder()
        do {
            let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            if object is [Any] { return try decoder.decode([Claim].self, from: data) }
            if let dictionary = object as? [String: Any], dictionary["claims"] != nil {
                let document = try decoder.decode(Document.self, from: data)
                guard document.format == format else {
                    throw DecodeError(path: "format", message: "expected \"\(format)\", found \"\(document.format)\"")
                }
                guard document.version == version else {
                    throw DecodeError(path: "version", message: "version \(document.version) is not supported (this build reads \(version))")
                }
                return document.claims
            }
            return [try decoder.decode(Claim.self, from: data)]
        } catch let error as DecodeError {
            throw error
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw DecodeError(path: "", message: "not valid JSON: \(error.localizedDescription)")
        }
    }

    static func describe(_ error: DecodingError) -> DecodeError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                .joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context):
            return DecodeError(path: path(context.codingPath), message: "missing required key \"\(key.stringValue)\"")
        case .typeMismatch(let type, let context):
            return DecodeError(path: path(context.codingPath), message: "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return DecodeError(path: path(context.codingPath), message: "expected \(type), found null")
        case .dataCorrupted(let context):
            return DecodeError(path: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return DecodeError(path: "", message: "\(error)")
        }
    }
}
