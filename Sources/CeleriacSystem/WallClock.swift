// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import CeleriacCore

/// Where time comes from: the wall clock (ETAs, expiry, timestamps in reports and records)
/// and sleeping against it (ETA waits, upkeep intervals, backoff). Injected wherever time is
/// read, so tests move a ``ManualClock`` instead of sleeping (asynq's `timeutil.Clock`).
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// Returns at `deadline` (at once if it has passed).
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: Date) async throws
}

extension WallClock {
    /// Sleeps `duration` from now; throws `CancellationError` when cancelled.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now.addingTimeInterval(duration.timeInterval))
    }
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: WallClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .nanoseconds(Int64((seconds * 1e9).rounded(.up))))
    }
}
