// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Testing

@testable import CeleriacCore

/// The strict RFC 3339 reader behind `eta` and `expires`, against Foundation's ISO 8601
/// parser on generated times, and on the shapes it must refuse.
@Suite struct RFC3339Tests {
    @Test func generatedTimesReadAsFoundationReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        for _ in 0..<3000 {
            // Foundation switches to the Julian calendar before 1583; Python (every Celery peer)
            // and RFC 3339 stay proleptic Gregorian (see knownInstants).
            let year = Int.random(in: 1583...9999, using: &generator)
            let month = Int.random(in: 1...12, using: &generator)
            let day = Int.random(in: 1...RFC3339.daysIn(month: month, year: year), using: &generator)
            let hour = Int.random(in: 0...23, using: &generator)
            let minute = Int.random(in: 0...59, using: &generator)
            let second = Int.random(in: 0...59, using: &generator)
            let micros = Int.random(in: 0...999_999, using: &generator)
            // Foundation stops at ±18:00 (RFC 3339's grammar goes to ±23:59: see knownInstants).
            let offsetMinutes = Int.random(in: -(18 * 60)...(18 * 60), using: &generator)
            let offset = offsetMinutes == 0 && Bool.random(using: &generator)
                ? "Z" : (offsetMinutes < 0 ? "-" : "+") + two(abs(offsetMinutes) / 60) + ":" + two(abs(offsetMinutes) % 60)
            let yearText = String(repeating: "0", count: 4 - String(year).count) + String(year)
            let fraction = String(micros)
            let text = "\(yearText)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))."
                + String(repeating: "0", count: 6 - fraction.count) + fraction + offset
            let ours = try RFC3339.parse(text)
            let theirs = try foundation.parse(text)
            // Within a Double's resolution at year 9999 (~3e-5 s), where the two round differently.
            #expect(abs(ours.timeIntervalSince1970 - theirs.timeIntervalSince1970) < 1e-4, "\(text)")
        }
    }

    @Test func knownInstants() throws {
        #expect(try RFC3339.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(try RFC3339.parse("2026-12-04T09:00:00+09:00") == Date(timeIntervalSince1970: 1_796_342_400))
        #expect(try RFC3339.parse("2026-12-04t00:00:00.5z") == Date(timeIntervalSince1970: 1_796_342_400.5))
        #expect(try RFC3339.parse("2024-02-29T12:00:00-05:30").timeIntervalSince1970 == 1_709_227_800)
        #expect(try RFC3339.parse("2026-12-04T23:59:00+23:59") == Date(timeIntervalSince1970: 1_796_342_400))
        // Python's `datetime(…, tzinfo=utc).timestamp()` for the same instants.
        #expect(try RFC3339.parse("0001-01-01T00:00:00Z").timeIntervalSince1970 == -62_135_596_800)
        #expect(try RFC3339.parse("1000-03-01T00:00:00Z").timeIntervalSince1970 == -30_605_126_400)
        // Digits past nanoseconds change nothing.
        #expect(try RFC3339.parse("2000-01-01T00:00:00.1234567891234Z") == (try RFC3339.parse("2000-01-01T00:00:00.123456789Z")))
    }

    @Test(arguments: [
        ("2026-12-04T09:00:00", RFC3339.Failure.missingOffset),
        ("2026-12-04T09:00:00.25", .missingOffset),
        ("2026-12-04", .malformed),
        ("2026-12-04 09:00:00Z", .malformed),
        ("2026-12-04T09:00Z", .malformed),
        ("2026-12-04T09:00:00.Z", .malformed),
        ("2026-12-04T09:00:00+0900", .malformed),
        ("2026-12-04T09:00:00+09", .malformed),
        ("2026-12-04T09:00:00Z ", .malformed),
        ("+2026-12-04T09:00:00Z", .malformed),
        ("２０２６-12-04T09:00:00Z", .malformed),
        ("2026-13-04T09:00:00Z", .outOfRange),
        ("2026-02-29T09:00:00Z", .outOfRange),
        ("2100-02-29T09:00:00Z", .outOfRange),
        ("2026-04-31T09:00:00Z", .outOfRange),
        ("2026-12-00T09:00:00Z", .outOfRange),
        ("2026-12-04T24:00:00Z", .outOfRange),
        ("2026-12-04T23:60:00Z", .outOfRange),
        ("2026-12-31T23:59:60Z", .outOfRange),
        ("2026-12-04T09:00:00+24:00", .outOfRange),
        ("0000-01-01T00:00:00Z", .outOfRange),
    ])
    func refuses(_ text: String, _ failure: RFC3339.Failure) {
        #expect(throws: failure) { try RFC3339.parse(text) }
    }
}
