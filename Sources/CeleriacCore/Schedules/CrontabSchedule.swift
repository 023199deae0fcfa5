// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A crontab field, named as django-celery-beat's column.
public typealias CrontabField = CrontabFieldCheck.Field

/// A Celery crontab read in its IANA zone: the fields expanded as Celery's `crontab` does, and
/// the next fire time after any instant.
///
/// A minute fires when every field matches it, day of week and day of month included (Celery
/// requires both, unlike Vixie cron's either-or). Local times a DST change skips fire once at
/// the end of the gap; local times it repeats fire once, at their first occurrence.
///
/// ```swift
/// let weekly = try CrontabSchedule(minute: "30", hour: "1", dayOfWeek: "wed", timeZone: "Asia/Seoul")
/// weekly.nextFire(after: now)   // the coming Wednesday 01:30 in Seoul
/// ```
public struct CrontabSchedule: Sendable, Equatable {
    /// The fields as written, and the zone's name.
    public let fields: CrontabValue
    public let timeZone: TimeZone
    public let minutes: CronValues
    public let hours: CronValues
    /// 0 = Sunday ... 6 = Saturday.
    public let daysOfWeek: CronValues
    public let daysOfMonth: CronValues
    public let monthsOfYear: CronValues

    /// Parses a django-celery-beat row's fields; the error names the first field at fault.
    public init(_ fields: CrontabValue) throws(ScheduleError) {
        self.fields = fields
        guard let zone = ZoneOffsets.zone(named: fields.timezone) else {
            throw ScheduleError(field: "timezone", "Invalid timezone '\(fields.timezone)'")
        }
        timeZone = zone
        minutes = try CrontabParser(field: .minute).parse(fields.minute)
        hours = try CrontabParser(field: .hour).parse(fields.hour)
        daysOfWeek = try CrontabParser(field: .dayOfWeek).parse(fields.dayOfWeek)
        daysOfMonth = try CrontabParser(field: .dayOfMonth).parse(fields.dayOfMonth)
        monthsOfYear = try CrontabParser(field: .monthOfYear).parse(fields.monthOfYear)
        // Celery's check (against the longest February): some day must exist in some month.
        let longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard monthsOfYear.contains(where: { month in daysOfMonth.contains { $0 <= longest[month] } }) else {
            throw ScheduleError(
                field: "day_of_month",
                "Invalid crontab: day_of_month '\(fields.dayOfMonth)' never occurs in month_of_year '\(fields.monthOfYear)'.")
        }
    }

    /// Parses crontab fields in Celery's syntax, read in the IANA zone `timeZone`.
    public init(
        minute: String = "*", hour: String = "*", dayOfWeek: String = "*", dayOfMonth: String = "*",
        monthOfYear: String = "*", timeZone: String = "UTC"
    ) throws(ScheduleError) {
        try self.init(
            CrontabValue(
                minute: minute, hour: hour, dayOfWeek: dayOfWeek, dayOfMonth: dayOfMonth,
                monthOfYear: monthOfYear, timezone: timeZone))
    }

    /// The first fire time strictly after `instant`, or nil past year 9999.
    public func nextFire(after instant: Date) -> Date? {
        let after = instant.timeIntervalSince1970
        guard after >= CeleryTime.earliest, after < CeleryTime.latest else { return nil }
        let offsets = ZoneOffsets(zone: timeZone)
        var wall = Self.floorToMinute(offsets.local(at: Int64(after.rounded(.down))))
        // A wall time can resolve to or before `instant` (the repeated hour's second pass,
        // the end of a gap already fired); such matches are skipped, never many in a row.
        for _ in 0..<10_000 {
            guard let match = nextMatchingMinute(atOrAfter: wall), match < Int64(CeleryTime.latest) else { return nil }
            let fire = offsets.instant(forLocal: match)
            if Double(fire) > after { return Date(timeIntervalSince1970: Double(fire)) }
            wall = match + 60
        }
        return nil
    }

    private static func floorToMinute(_ seconds: Int64) -> Int64 {
        seconds - ((seconds % 60) + 60) % 60
    }
}
