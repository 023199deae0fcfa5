// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// RFC 3339 `date-time` (§5.6), strictly: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T` and
/// `Z` in either case. What openapi.yaml's `format: date-time` promises, and nothing more: a
/// time without an offset, a day its month lacks, second 60 (Python's `datetime`, which every
/// Celery peer parses with, has none) and year 0 are refused.
public enum RFC3339 {
    public enum Failure: Error, Sendable, Equatable {
        /// Not the grammar's shape.
        case malformed
        /// A date and time without `Z` or `±HH:MM`.
        case missingOffset
        /// The shape is right but a field is not a real value (month 13, February 30, 24:00).
        case outOfRange
    }

    /// The instant `text` names.
    public static func parse(_ text: String) throws(Failure) -> Date {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { throw .malformed }
        func number(_ start: Int, _ count: Int) throws(Failure) -> Int {
            guard start + count <= bytes.count else { throw .malformed }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard (0x30...0x39).contains(byte) else { throw .malformed }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func expect(_ index: Int, _ allowed: String) throws(Failure) {
            guard index < bytes.count, allowed.utf8.contains(bytes[index]) else { throw .malformed }
        }
        let year = try number(0, 4)
        try expect(4, "-")
        let month = try number(5, 2)
        try expect(7, "-")
        let day = try number(8, 2)
        try expect(10, "Tt")
        let hour = try number(11, 2)
        try expect(13, ":")
        let minute = try number(14, 2)
        try expect(16, ":")
        let second = try number(17, 2)
        var index = 19
        var fraction = 0.0
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count && (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > start else { throw .malformed }
            // Nanoseconds are what a Date carries; further digits cannot change it.
            let used = min(index - start, 9)
            fraction = Double(try number(start, used)) / pow10(used)
        }
        guard index < bytes.count else { throw .missingOffset }
        var offset = 0
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            index += 1
        } else {
            try expect(index, "+-")
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            let offsetHour = try number(index + 1, 2)
            try expect(index + 3, ":")
            let offsetMinute = try number(index + 4, 2)
            guard offsetHour <= 23 && offsetMinute <= 59 else { throw .outOfRange }
            offset = sign * (offsetHour * 3600 + offsetMinute * 60)
            index += 6
        }
        guard index == bytes.count else { throw .malformed }
        guard year >= 1, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour <= 23,
            minute <= 59, second <= 59
        else { throw .outOfRange }
        let seconds = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func pow10(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
