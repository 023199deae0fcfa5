// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import Testing

/// Next-fire search against ``CrontabReference`` over seeded random expressions and instants,
/// with a third of the instants around the DST changes of Berlin and New York.
@Suite struct CrontabPropertyTests {
    /// Local dates of DST changes, 2025 and 2026 (Seoul has none since 1988).
    static let transitions = [
        "Europe/Berlin": ["2025-03-30", "2025-10-26", "2026-03-29", "2026-10-25"],
        "America/New_York": ["2025-03-09", "2025-11-02", "2026-03-08", "2026-11-01"],
        "Asia/Seoul": [],
    ]

    @Test(arguments: ["Asia/Seoul", "Europe/Berlin", "America/New_York"])
    func nextFireMatchesMinuteByMinuteReference(zone: String) throws {
        var random = SeededGenerator(state: 0xCE1E_21AC ^ UInt64(zone.utf8.count))
        let horizonMinutes = 2 * 1440
        var compared = 0
        var fired = 0
        for _ in 0..<120 {
            let nearTransition = !Self.transitions[zone, default: []].isEmpty && Bool.random(using: &random)
            guard let schedule = try? CrontabSchedule(
                minute: Self.field(0...59, star: 1, using: &random),
                hour: nearTransition ? ["1", "2", "3", "1-3", "*/2", "2,3", "*"].randomElement(using: &random)!
                    : Self.field(0...23, star: 3, using: &random),
                dayOfWeek: Self.field(0...6, star: 5, using: &random),
                dayOfMonth: Self.field(1...31, star: 12, using: &random),
                monthOfYear: Self.field(1...12, star: 16, using: &random),
                timeZone: zone)
            else { continue }
            let after = nearTransition
                ? Self.aroundTransition(Self.transitions[zone]!.randomElement(using: &random)!, zone: zone, using: &random)
                : Date(timeIntervalSince1970: Double.random(in: 1_704_067_200...1_924_905_600, using: &random))
            let expected = CrontabReference(schedule).nextFire(after: after, horizonMinutes: horizonMinutes)
            let actual = schedule.nextFire(after: after)
            let context = "\(schedule.fields) after \(after.timeIntervalSince1970)"
            if let expected {
                #expect(actual == expected, "\(context)")
                fired += 1
            } else {
                // No fire in the window: ours must lie beyond it too.
                let windowEnd = after.addingTimeInterval(Double(horizonMinutes) * 60)
                #expect(actual.map { $0 > windowEnd } ?? true, "\(context): \(String(describing: actual))")
            }
            compared += 1
        }
        #expect(compared > 100)
        #expect(fired > compared / 2)
    }

    /// A Celery-syntax field over `range`; `star` weighs how often it is plain `*`.
    static func field(_ range: ClosedRange<Int>, star: Int, using random: inout SeededGenerator) -> String {
        func value() -> Int { Int.random(in: range, using: &random) }
        switch Int.random(in: 0..<(star + 5), using: &random) {
        case 0: return "*/\(Int.random(in: 1...max(1, range.count / 3), using: &random))"
        case 1: return "\(value())"
        case 2:
            let (a, b) = (value(), value())
            return "\(min(a, b))-\(max(a, b))"
        case 3:
            let (a, b) = (value(), value())
            return "\(min(a, b))-\(max(a, b))/\(Int.random(in: 1...4, using: &random))"
        case 4: return (0..<Int.random(in: 2...4, using: &random)).map { _ in "\(value())" }.joined(separator: ",")
        default: return "*"
        }
    }

    /// Within 36 hours either side of 06:00 UTC on the local date `day`.
    static func aroundTransition(_ day: String, zone: String, using random: inout SeededGenerator) -> Date {
        let parts = day.split(separator: "-").map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let base = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 6))!
        return base.addingTimeInterval(Double.random(in: -129_600...129_600, using: &random).rounded(.down))
    }
}
