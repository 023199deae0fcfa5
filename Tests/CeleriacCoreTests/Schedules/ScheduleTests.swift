// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import Testing

@Suite struct ScheduleTests {
    static func at(_ text: String) -> Date { try! RFC3339.parse(text) }

    /// The sample row django-celery-beat's reference checked with real Celery.
    @Test func seoulWednesdayLoadFiresAsCeleryComputed() throws {
        let weekly = try CrontabSchedule(minute: "30", hour: "1", dayOfWeek: "3", timeZone: "Asia/Seoul")
        #expect(weekly.nextFire(after: Self.at("2026-01-01T00:00:00Z")) == Self.at("2026-01-07T01:30:00+09:00"))
        #expect(weekly.description == "At 01:30 on Wednesday (Asia/Seoul)")
    }

    @Test func bothDayFieldsMustMatch() throws {
        // Celery: the first Monday of the month, not "every Monday and days 1-7".
        let firstMonday = try CrontabSchedule(minute: "0", hour: "9", dayOfWeek: "mon", dayOfMonth: "1-7")
        let fires = FireSchedule.crontab(firstMonday).upcomingFires(count: 3, now: Self.at("2025-01-01T00:00:00Z"))
        #expect(fires == ["2025-01-06", "2025-02-03", "2025-03-03"].map { Self.at("\($0)T09:00:00Z") })
    }

    @Test func springForwardGapFiresOnceAtTheEndOfTheGap() throws {
        // New York, 2025-03-09: 02:00 EST jumps to 03:00 EDT (07:00Z).
        let daily = try CrontabSchedule(minute: "30", hour: "2", timeZone: "America/New_York")
        #expect(daily.nextFire(after: Self.at("2025-03-08T12:00:00Z")) == Self.at("2025-03-09T03:00:00-04:00"))
        #expect(daily.nextFire(after: Self.at("2025-03-09T03:00:00-04:00")) == Self.at("2025-03-10T02:30:00-04:00"))
        // Several skipped times, and 03:00 itself, fire once.
        let quarterly = try CrontabSchedule(minute: "*/15", hour: "2,3", timeZone: "America/New_York")
        let fires = FireSchedule.crontab(quarterly).upcomingFires(count: 3, now: Self.at("2025-03-09T01:59:00-05:00"))
        #expect(fires == ["03:00", "03:15", "03:30"].map { Self.at("2025-03-09T\($0):00-04:00") })
    }

    @Test func fallBackRepeatFiresOnceAtTheFirstOccurrence() throws {
        // Berlin, 2025-10-26: 03:00 CEST falls back to 02:00 CET, so 02:xx happens twice.
        let nightly = try CrontabSchedule(minute: "30", hour: "2", timeZone: "Europe/Berlin")
        let fires = FireSchedule.crontab(nightly).upcomingFires(count: 2, now: Self.at("2025-10-26T00:00:00+02:00"))
        #expect(fires == [Self.at("2025-10-26T02:30:00+02:00"), Self.at("2025-10-27T02:30:00+01:00")])
        // Asked from inside the second pass, the repeat still does not fire.
        #expect(nightly.nextFire(after: Self.at("2025-10-26T02:10:00+01:00")) == Self.at("2025-10-27T02:30:00+01:00"))
    }

    @Test func intervalIsDueAnIntervalAfterTheLastRunOrAtOnce() throws {
        let every10 = try IntervalSchedule(every: 10, period: .seconds)
        let now = Self.at("2026-01-01T00:00:00Z")
        #expect(every10.description == "every 10 seconds")
        #expect(try IntervalSchedule(every: 1, period: .hours).description == "every hour")
        #expect(every10.nextFire(lastRunAt: nil, now: now) == now)
        #expect(every10.nextFire(lastRunAt: now.addingTimeInterval(-4), now: now) == now.addingTimeInterval(6))
        #expect(every10.nextFire(lastRunAt: now.addingTimeInterval(-60), now: now) == now)
        let upcoming = FireSchedule.interval(every10).upcomingFires(lastRunAt: now.addingTimeInterval(-4), now: now)
        #expect(upcoming == [6, 16, 26, 36, 46].map { now.addingTimeInterval($0) })
        #expect(throws: ScheduleError(field: "every", "Ensure this value is greater than or equal to 1.")) {
            try IntervalSchedule(every: 0, period: .days)
        }
    }

    @Test func clockedFiresOnceThenNever() {
        let time = Self.at("2030-01-02T03:04:05Z")
        let once = FireSchedule.clocked(ClockedSchedule(clockedTime: time))
        #expect(once.upcomingFires(now: Self.at("2026-01-01T00:00:00Z")) == [time])
        #expect(once.nextFire(lastRunAt: nil, now: Self.at("2031-01-01T00:00:00Z")) == Self.at("2031-01-01T00:00:00Z"))
        #expect(once.nextFire(lastRunAt: time, now: Self.at("2031-01-01T00:00:00Z")) == nil)
    }

    @Test func crontabCatchesUpOnceAfterMissedFires() throws {
        let hourly = FireSchedule.crontab(try CrontabSchedule(minute: "0"))
        let now = Self.at("2026-01-01T05:20:00Z")
        #expect(hourly.nextFire(lastRunAt: Self.at("2026-01-01T01:00:00Z"), now: now) == now)
        #expect(hourly.upcomingFires(count: 2, lastRunAt: Self.at("2026-01-01T05:00:00Z"), now: now)
            == [Self.at("2026-01-01T06:00:00Z"), Self.at("2026-01-01T07:00:00Z")])
    }

    @Test func seoulSunriseAndPolarNight() throws {
        // Celery 5.7 + ephem 4.2.1: 2026-06-21 sunrise in Seoul at 05:11:00.556 KST.
        let sunrise = try SolarSchedule(event: .sunrise, latitude: 37.5665, longitude: 126.978)
        let fire = try #require(sunrise.nextFire(after: Self.at("2026-06-20T12:00:00Z")))
        #expect(abs(fire.timeIntervalSince(Self.at("2026-06-20T20:11:00.556Z"))) < 30)
        #expect(sunrise.description == "sunrise at (37.5665, 126.978)")
        // At 80°N the Sun does not rise from late October; Celery: 2027-02-21 11:18:14.311Z.
        let polar = try SolarSchedule(event: .sunrise, latitude: 80, longitude: 0)
        let after = try #require(polar.nextFire(after: Self.at("2026-11-01T00:00:00Z")))
        #expect(abs(after.timeIntervalSince(Self.at("2027-02-21T11:18:14.311Z"))) < 60)
        #expect(throws: ScheduleError(field: "latitude", "Argument latitude 91.0 is invalid, must be between -90 and 90.")) {
            try SolarSchedule(event: .sunset, latitude: 91, longitude: 0)
        }
    }

    @Test(arguments: [
        (CrontabValue(minute: "*/15"), "Every 15 minutes (UTC)"),
        (CrontabValue(minute: "0", hour: "3"), "At 03:00 (UTC)"),
        (CrontabValue(minute: "0,30", hour: "1", dayOfWeek: "wed", timezone: "Asia/Seoul"),
         "At 01:00 and 01:30 on Wednesday (Asia/Seoul)"),
        (CrontabValue(minute: "*/10", hour: "9-17", dayOfWeek: "mon-fri"),
         "Every 10 minutes during hours 9-17 on Monday through Friday (UTC)"),
        (CrontabValue(minute: "5", hour: "*/2"), "At minute 5, every 2 hours (UTC)"),
        (CrontabValue(minute: "0", hour: "0", dayOfWeek: "1", dayOfMonth: "1-7", timezone: "Europe/Berlin"),
         "At 00:00 on days 1-7 of the month, if a Monday (Europe/Berlin)"),
        (CrontabValue(minute: "0", hour: "4", dayOfMonth: "1", monthOfYear: "*/3"),
         "At 04:00 on day 1 of the month in January, April, July and October (UTC)"),
        (CrontabValue(), "Every minute (UTC)"),
    ])
    func crontabDescription(value: CrontabValue, expected: String) throws {
        #expect(try CrontabSchedule(value).description == expected)
    }
}
