// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A type a column's text form (libpq's text result format) can be read as.
public protocol PGDecodable {
    /// Nil when `text` is not a value of this type.
    init?(postgresText text: String)
}

extension String: PGDecodable {
    public init?(postgresText text: String) { self = text }
}

extension Int: PGDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int64: PGDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Double: PGDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Bool: PGDecodable {
    /// PostgreSQL writes booleans as `t` and `f`.
    public init?(postgresText text: String) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension JSONValue: PGDecodable {
    /// `json`/`jsonb` columns, or text holding JSON.
    public init?(postgresText text: String) {
        guard let value = try? JSONValue.parse(text) else { return nil }
        self = value
    }
}

extension Date: PGDecodable {
    /// A `timestamptz` as PostgreSQL writes it (`2026-12-04 14:42:14.123+00`, with the
    /// session's `DateStyle` ISO default), or Unix seconds (`extract(epoch FROM ...)`).
    public init?(postgresText text: String) {
        if let seconds = Double(text) {
            self.init(timeIntervalSince1970: seconds)
            return
        }
        var iso = text.replacing(" ", with: "T")
        // `+00` or `+05:30`: RFC 3339 wants the minutes.
        if let sign = iso.lastIndex(where: { $0 == "+" || $0 == "-" }), iso.distance(from: sign, to: iso.endIndex) == 3 {
            iso += ":00"
        }
        guard let date = CeleryTime.parse(iso) else { return nil }
        self = date
    }
}
