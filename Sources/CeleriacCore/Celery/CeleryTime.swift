// Celeriac — a Celery-compatible job service in Swift.

public import Foundation

/// Celery's timestamp text: UTC, microseconds, `+00:00` (`2026-11-24T01:08:45.792897+00:00`),
/// which is what Python's `datetime.isoformat()` gives and what Celery peers parse.
public enum CeleryTime {
    /// Formats an instant in UTC with microsecond precision.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var micros = Int(((seconds - Double(whole)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        }
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
            Int(parts.tm_sec), micros)
    }

    /// Parses RFC 3339 / ISO 8601 with or without fractional seconds; nil when unreadable.
    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? withFraction.parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
