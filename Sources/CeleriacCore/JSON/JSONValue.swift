// Celeriac — a Celery-compatible job service in Swift.


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

extension JSONValue {
    /// Parses UTF-8 JSON text (RFC 8259, strict) within `limits` (the default suits trusted
    /// input: messages, reports). Throws ``JSONParseError`` with the reason.
    public static func parse(_ bytes: some Collection<UInt8>, limits: JSONLimits = .lenient) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(bytes), limits: limits)
    }

    /// Parses JSON text held in a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The input is not JSON.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { "invalid JSON: \(reason)" }
}
