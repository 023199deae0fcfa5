// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem
import Logging

/// One background duty of a worker (asynq's heartbeat/recoverer shape): a round of work
/// repeated every interval until stopped.
protocol WorkerDuty: Sendable {
    /// For logs: `heartbeat`, `lease renewal`, `lease reaping`.
    var name: String { get }
    var interval: Duration { get }
    /// One round; a thrown error is logged and the next round tries again.
    func round() async throws
}

/// Runs ``WorkerDuty`` rounds on the worker's clock until ``stop()``.
final class DutyLoop: Sendable {
    private let duty: any WorkerDuty
    private let clock: any WallClock
    private let logger: Logger
    private let wake = WakeSignal()
    private let stopped = Locked(false)

    init(_ duty: any WorkerDuty, clock: any WallClock, logger: Logger) {
        self.duty = duty
        self.clock = clock
        self.logger = logger
    }

    /// Rounds until ``stop()``; returns promptly then.
    func run() async {
        while !stopped.current {
            do {
                try await duty.round()
            } catch {
                logger.warning("\(duty.name) failed; retrying", metadata: ["error": "\(error)"])
            }
            await wake.wait(timeout: duty.interval, clock: clock)
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
        wake.notify()
    }
}
