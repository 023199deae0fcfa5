// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
public import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging

/// Queues parked tasks when their ETA comes (``Broker/moveDue(now:limit:)``). The API and
/// every worker run one: moving is idempotent, so more movers only mean less lateness when
/// one is down. Each sleeps until the next task is due, but never longer than
/// ``longestSleep``, so a task parked meanwhile with an earlier ETA is seen in time.
public struct ScheduledMover: Sendable {
    public let broker: Broker
    public let clock: any WallClock
    public let logger: Logger
    /// Most members moved per call; a full batch is followed by another at once.
    public static let batch = 1000
    /// The longest wait between looks: the bound on lateness when a task is parked between
    /// two looks (BENCHMARKS.md measures what it gives).
    public static let longestSleep: Duration = .milliseconds(20)

    public init(broker: Broker, clock: any WallClock, logger: Logger) {
        self.broker = broker
        self.clock = clock
        self.logger = logger
    }

    /// Moves due tasks until cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let (moved, next) = try await broker.moveDue(now: clock.now, limit: Self.batch)
                failures = 0
                if moved >= Self.batch { continue }
                var wait = Self.longestSleep
                if let next {
                    let untilDue = next.timeIntervalSince(clock.now)
                    wait = min(wait, .milliseconds(max(1, Int64((untilDue * 1000).rounded(.up)))))
                }
                try await clock.sleep(for: wait)
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                if failures == 1 { logger.warning("cannot move due tasks; retrying", metadata: ["error": "\(error)"]) }
                try? await clock.sleep(for: Backoff.redisStep.delay(afterFailures: failures))
            }
        }
    }
}
