// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Header values for mail (RFC 5322, RFC 2047): encoded words for text beyond ASCII, and
/// dates. Values that could add headers are refused before they get here (``HeaderText``).
public enum MailHeader {
    /// Unstructured text (`Subject`): as is when it is printable ASCII, else RFC 2047
    /// `=?UTF-8?B?…?=` words of at most 75 characters each, split between characters,
    /// folded onto continuation lines.
    public static func text(_ value: String) -> String {
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && !value.contains("=?") { return value }
        return encodedWords(value)
    }

    /// A display name: an atom sequence as is, specials quoted, anything beyond ASCII encoded.
    static func phrase(_ value: String) -> String {
        guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !value.contains("=?") else { return encodedWords(value) }
        let specials = Set("()<>[]:;@\\,.\"".utf8)
        guard value.utf8.contains(where: specials.contains) else { return value }
        return "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    /// RFC 2047 B-encoded words: `=?UTF-8?B?` + base64 + `?=` is at most 75 characters, so
    /// each word carries at most 45 bytes of UTF-8, never splitting a character.
    static func encodedWords(_ value: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// RFC 5322 §3.3 date-time in UTC: `Sat, 05 Dec 2026 23:00:00 +0000`.
    public static func date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let civil = CivilDate(dayNumber: days)
        let (year, month, day) = (civil.year, civil.month, civil.day)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let weekday = weekdays[CivilDate.weekday(dayNumber: days)]
        return "\(weekday), \(two(day)) \(months[month - 1]) \(year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }
}
