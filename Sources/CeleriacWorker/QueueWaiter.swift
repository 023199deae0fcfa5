// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis

/// Sleeps until one of the queue lists has a message, without taking it.
///
/// Each list gets its own Redis connection blocked in `BLMOVE key key RIGHT RIGHT` (a no-op
/// move that waits), so a message on any list wakes the worker at once, and the message
/// itself stays in Redis until the atomic claim script takes it. A wait is only issued while
/// the worker is idle, so a busy worker never spins on non-empty lists.
final class QueueWaiter: Sendable {
    private let waiters: [(key: String, client: RedisClient)]
    private let inFlight = Locked<Set<Int>>([])
    private let signal = WakeSignal()
    /// Longest single wait; also how quickly shutdown is noticed while idle.
    static let blockSeconds = 1.0

    init(keys: [String], redisURL: RedisURL) {
        waiters = keys.enumerated().map { index, key in
            (key, RedisClient(url: redisURL, name: "redis-wait-\(index)", timeout: .seconds(Self.blockSeconds + 5)))
        }
    }

    /// Returns when any list holds a message or after about ``blockSeconds``.
    func wait() async {
        for (index, waiter) in waiters.enumerated() {
            let start = inFlight.withLock { $0.insert(index).inserted }
            guard start else { continue }  // that list's previous wait is still blocked
            let signal = self.signal
            Task {
                do {
                    _ = try await Broker.waitForMessage(on: waiter.client, key: waiter.key, seconds: Self.blockSeconds)
                } catch {
                    try? await Task.sleep(for: .milliseconds(200))  // Redis down: do not spin
                }
                // Clear the flag before waking the worker, and wake it even on a timeout: a
                // worker that skipped this list because its wait was still in flight must not
                // sleep on with no wait issued (a lost wake-up costs up to blockSeconds).
                self.inFlight.withLock { _ = $0.remove(index) }
                signal.notify()
            }
        }
        await signal.wait(timeout: .seconds(Self.blockSeconds))
    }
}
