// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Celery's timestamp text: UTC, microseconds, `+00:00` (`2026-11-24T01:08:45.792897+00:00`),
/// which is what Python's `datetime.isoformat()` gives and what Celery peers parse.
public enum CeleryTime {
    /// Python's `datetime` range in Unix seconds (0001-01-01 to 9999-12-31T23:59:59Z): what
    /// Celery peers can read, and what a time we take in or write must stay within.
    public static let earliest: Double = -62_135_596_800
    public static let latest: Double = 253_402_300_799

    /// Formats an instant in UTC with microsecond precision; instants outside Python's years
    /// 1...9999 are clamped to them (never a trap converting to `time_t`).
    public static func format(_ date: Date) -> String { format(date, offsetSeconds: 0) }

    /// The instant as local time `offsetSeconds` east of UTC, with that offset
    /// (`2026-12-09T01:30:00.000000+09:00`): how a schedule's fire times read in its zone.
    public static func format(_ date: Date, offsetSeconds: Int) -> String {
        let raw = date.timeIntervalSince1970 + Double(offsetSeconds)
        let seconds = raw.isNaN ? 0 : min(max(raw, earliest), latest)
        var whole = time_t(seconds.rounded(.down))
        var micros = Int(((seconds - Double(whole)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        }
        var parts = tm()
        gmtime_r(&whole, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        let fields: [(Int, Int, UInt8)] = [
            (Int(parts.tm_year) + 1900, 4, UInt8(ascii: "-")), (Int(parts.tm_mon) + 1, 2, UInt8(ascii: "-")),
            (Int(parts.tm_mday), 2, UInt8(ascii: "T")), (Int(parts.tm_hour), 2, UInt8(ascii: ":")),
            (Int(parts.tm_min), 2, UInt8(ascii: ":")), (Int(parts.tm_sec), 2, UInt8(ascii: ".")),
        ]
        for (value, width, separator) in fields {
            ASCIIDigits.append(value, width: width, to: &out)
            out.append(separator)
        }
        ASCIIDigits.append(micros, width: 6, to: &out)
        let offset = abs(offsetSeconds) / 60
        out.append(offsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        ASCIIDigits.append(offset / 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        ASCIIDigits.append(offset % 60, width: 2, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses RFC 3339 / ISO 8601 with or without fractional seconds; nil when unreadable.
    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? withFraction.parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
