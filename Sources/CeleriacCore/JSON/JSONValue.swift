// Celeriac — a Celery-compatible job service in Swift.

import Foundation

/// A JSON document as a value: what task arguments, results and Celery headers are made of.
///
/// Integers and floating-point numbers are kept apart so `2` round-trips as `2`, not `2.0`,
/// which Python peers would notice.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The string inside, or nil for any other kind.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The integer inside (also a whole double), or nil.
    public var intValue: Int64? {
        switch self {
        case .int(let i): i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: Int64(d)
        default: nil
        }
    }
    /// Any number as a double, or nil.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    public var isNull: Bool { self == .null }

    /// Member lookup on an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// A short name for the kind, used in validation messages ("expected array, got string").
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONValue {
    /// Parses UTF-8 JSON text (RFC 8259, strict). Throws ``JSONParseError`` with the reason.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(bytes))
    }

    /// Parses JSON text held in a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The input is not JSON.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "invalid JSON: \(reason)" }
}

extension DecodingError {
    /// The human part of a decoding error, without Swift type names.
    var shortDescription: String {
        switch self {
        case .dataCorrupted(let context): Self.underlying(context)
        case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            Self.underlying(context)
        @unknown default: "unreadable JSON"
        }
    }

    private static func underlying(_ context: Context) -> String {
        if let inner = context.underlyingError as NSError?,
            let detail = inner.userInfo[NSDebugDescriptionErrorKey] as? String
        {
            return detail
        }
        return context.debugDescription
    }
}
