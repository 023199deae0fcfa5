// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A schedule of any kind, ready to compute fire times; built from a row's values.
///
/// ```swift
/// let schedule = try FireSchedule(row.value)
/// schedule.upcomingFires(count: 5, lastRunAt: task.lastRunAt, now: clock.now)
/// ```
public enum FireSchedule: Sendable, Equatable {
    case crontab(CrontabSchedule)
    case interval(IntervalSchedule)
    case clocked(ClockedSchedule)
    case solar(SolarSchedule)

    /// Checks and expands the values; the error names the field at fault.
    public init(_ value: ScheduleValue) throws(ScheduleError) {
        switch value {
        case .crontab(let fields): self = .crontab(try CrontabSchedule(fields))
        case .interval(let interval): self = .interval(try IntervalSchedule(interval))
        case .clocked(let clocked): self = .clocked(ClockedSchedule(clocked))
        case .solar(let solar): self = .solar(try SolarSchedule(solar))
        }
    }

    /// The first fire strictly after `instant`, as if the task had just run then; nil when
    /// there is none (a clocked time already past, a solar event that stopped happening).
    public func nextFire(after instant: Date) -> Date? {
        switch self {
        case .crontab(let crontab): crontab.nextFire(after: instant)
        case .interval(let interval): interval.nextFire(after: instant)
        case .clocked(let clocked): clocked.nextFire(after: instant)
        case .solar(let solar): solar.nextFire(after: instant)
        }
    }

    /// The first fire at or after `instant` (a `start_time`): an interval starts then.
    public func firstFire(atOrAfter instant: Date) -> Date? {
        switch self {
        case .interval: instant
        case .clocked(let clocked): clocked.clockedTime >= instant ? clocked.clockedTime : nil
        case .crontab, .solar: nextFire(after: instant.addingTimeInterval(-0.000_001))
        }
    }

    /// When a task last run at `lastRunAt` (nil: never) is next due, as Celery's `is_due`
    /// decides: the first fire after the last run, or `now` when that has passed (one
    /// catch-up fire however many were missed). A task that never ran waits for the first
    /// fire after `now`, except an interval (due at once) and a clocked time (due at it).
    public func nextFire(lastRunAt: Date?, now: Date) -> Date? {
        switch self {
        case .interval(let interval): return interval.nextFire(lastRunAt: lastRunAt, now: now)
        case .clocked(let clocked): return clocked.nextFire(lastRunAt: lastRunAt, now: now)
        case .crontab, .solar:
            guard let lastRunAt else { return nextFire(after: now) }
            return nextFire(after: lastRunAt).map { $0 > now ? $0 : now }
        }
    }

    /// The next `count` fire times: when it is next due, then each fire after the one before
    /// (fewer when the schedule ends, as a clocked one does after one).
    public func upcomingFires(count: Int = 5, lastRunAt: Date? = nil, now: Date) -> [Date] {
        var fires: [Date] = []
        var next = nextFire(lastRunAt: lastRunAt, now: now)
        while let fire = next, fires.count < count {
            fires.append(fire)
            next = nextFire(after: fire)
        }
        return fires
    }

    /// In words: `At 01:30 on Wednesday (Asia/Seoul)`, `every 10 seconds`, `sunrise at (37.5665, 126.978)`.
    public var description: String {
        switch self {
        case .crontab(let crontab): crontab.description
        case .interval(let interval): interval.description
        case .clocked(let clocked): clocked.description
        case .solar(let solar): solar.description
        }
    }
}
