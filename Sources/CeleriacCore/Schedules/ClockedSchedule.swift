// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Once, at an instant (django-celery-beat's `clocked`): due from then on until it has run.
public struct ClockedSchedule: Sendable, Equatable {
    public let clockedTime: Date

    public init(clockedTime: Date) { self.clockedTime = clockedTime }
    public init(_ value: ClockedValue) { self.init(clockedTime: value.clockedTime) }

    /// `clockedTime` if not yet run (`now` once it has passed: a late beat fires it on
    /// catch-up); nil after it ran.
    public func nextFire(lastRunAt: Date?, now: Date) -> Date? {
        guard lastRunAt == nil else { return nil }
        return clockedTime > now ? clockedTime : now
    }

    /// `clockedTime` if it is after `instant`.
    public func nextFire(after instant: Date) -> Date? {
        clockedTime > instant ? clockedTime : nil
    }

    /// `once at 2030-01-02T03:04:05.000000+00:00`.
    public var description: String { "once at \(CeleryTime.format(clockedTime))" }
}
