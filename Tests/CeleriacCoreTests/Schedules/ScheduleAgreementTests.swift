// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import Testing

/// Our fire times against Celery's own, for the random cases in
/// `Fixtures/schedule_agreement.json`, which `Tests/interop/schedule_agreement.py` generates with
/// the interop venv's celery and ephem (and `make test` re-checks against them).
@Suite struct ScheduleAgreementTests {
    struct Fixture: Decodable {
        struct Crontab: Decodable {
            let minute, hour, day_of_week, day_of_month, month_of_year, timezone: String
            let after, next: Double
            let dst_edge: Bool
        }
        struct Interval: Decodable {
            let every: Int
            let period: String
            let last_run_at, now, next: Double
        }
        struct Solar: Decodable {
            let event: String
            let latitude, longitude, after: Double
            let next: Double?
        }
        let crontab: [Crontab]
        let interval: [Interval]
        let solar: [Solar]
    }

    static let fixture: Fixture = {
        let url = FixtureFiles.directory.appendingPathComponent("schedule_agreement.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    @Test func crontabNextFireEqualsCelerys() throws {
        var edges = 0
        for row in Self.fixture.crontab {
            let schedule = try CrontabSchedule(
                minute: row.minute, hour: row.hour, dayOfWeek: row.day_of_week, dayOfMonth: row.day_of_month,
                monthOfYear: row.month_of_year, timeZone: row.timezone)
            let after = Date(timeIntervalSince1970: row.after)
            let ours = schedule.nextFire(after: after)
            if row.dst_edge {
                // Celery lands on a skipped or repeated wall time by the instant's fold; we
                // follow DESIGN §8 there, which the minute-by-minute reference states.
                edges += 1
                let horizonMinutes = 3 * 1440
                let expected = CrontabReference(schedule).nextFire(after: after, horizonMinutes: horizonMinutes)
                #expect(ours == expected ?? ours.flatMap { $0 > after.addingTimeInterval(Double(horizonMinutes) * 60) ? $0 : nil })
            } else {
                #expect(ours?.timeIntervalSince1970 == row.next, "\(row)")
            }
        }
        #expect(Self.fixture.crontab.count >= 300)
        #expect(edges < Self.fixture.crontab.count / 20)
    }

    @Test func intervalDueTimeEqualsCelerys() throws {
        for row in Self.fixture.interval {
            let schedule = try IntervalSchedule(every: row.every, period: try #require(IntervalPeriod(rawValue: row.period)))
            let due = schedule.nextFire(
                lastRunAt: Date(timeIntervalSince1970: row.last_run_at), now: Date(timeIntervalSince1970: row.now))
            #expect(abs(due.timeIntervalSince1970 - row.next) < 0.000_01, "\(row)")
        }
    }

    /// Celery asks PyEphem; we compute Meeus's Sun: within a minute, in fact a few seconds.
    @Test func solarEventsWithinSecondsOfCelerys() throws {
        var largest = 0.0
        for row in Self.fixture.solar {
            let schedule = try SolarSchedule(
                event: try #require(SolarEvent(rawValue: row.event)), latitude: row.latitude, longitude: row.longitude)
            let ours = schedule.nextFire(after: Date(timeIntervalSince1970: row.after))
            guard let expected = row.next, let ours else {
                #expect(row.next == nil && ours == nil, "\(row): ours \(String(describing: ours))")
                continue
            }
            let difference = abs(ours.timeIntervalSince1970 - expected)
            largest = max(largest, difference)
            #expect(difference < 60, "\(row): ours \(ours.timeIntervalSince1970), off by \(difference) s")
        }
        print("solar: largest difference from Celery \(largest) s over \(Self.fixture.solar.count) cases")
        #expect(largest < 20, "largest difference \(largest) s")
    }
}
