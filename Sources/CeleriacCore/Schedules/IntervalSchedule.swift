// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Every N days, hours, minutes, seconds or microseconds, as Celery's `schedule(timedelta)`:
/// due one interval after the last run, at once when never run or overdue.
public struct IntervalSchedule: Sendable, Equatable {
    public let every: Int
    public let period: IntervalPeriod

    /// `every` must be at least 1 (django-celery-beat's `MinValueValidator(1)`).
    public init(every: Int, period: IntervalPeriod) throws(ScheduleError) {
        guard every >= 1 else { throw ScheduleError(field: "every", "Ensure this value is greater than or equal to 1.") }
        self.every = every
        self.period = period
    }

    public init(_ value: IntervalValue) throws(ScheduleError) {
        try self.init(every: value.every, period: value.period)
    }

    /// The interval in seconds (Python's `timedelta(**{period: every}).total_seconds()`).
    public var seconds: Double {
        let unit: Double =
            switch period {
            case .days: 86_400
            case .hours: 3_600
            case .minutes: 60
            case .seconds: 1
            case .microseconds: 0.000_001
            }
        return Double(every) * unit
    }

    /// When the task is next due: one interval after `lastRunAt`, or `now` if it never ran or
    /// that time has passed (Celery's `is_due` answers "due now" in both cases).
    public func nextFire(lastRunAt: Date?, now: Date) -> Date {
        guard let lastRunAt else { return now }
        let due = lastRunAt.addingTimeInterval(seconds)
        return due > now ? due : now
    }

    /// The fire after one at `instant`: an interval later.
    public func nextFire(after instant: Date) -> Date {
        instant.addingTimeInterval(seconds)
    }

    /// `every 10 seconds`, `every hour` (django-celery-beat's `IntervalSchedule.__str__`).
    public var description: String {
        every == 1 ? "every \(period.rawValue.dropLast())" : "every \(every) \(period.rawValue)"
    }
}
