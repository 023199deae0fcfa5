// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Long-polls (`GET /tasks/{id}?wait=`) share one Redis subscription: each waiter subscribes
/// its task's result channel (`celery-task-meta-<id>`, where both our reports and Celery
/// workers publish every state change) on the API's one pub/sub connection, and re-reads the
/// task when something is published there. No waiter polls.
final class ResultWaiters: Sendable {
    private let waiters = Locked<[String: [Int: WakeSignal]]>([:])
    private let nextKey = Locked(0)
    private let subscriber: RedisSubscriber
    private let clock: any WallClock
    /// Longest wait a request may ask for, seconds.
    static let maxWait = 60.0

    init(redisURL: RedisURL, clock: any WallClock) {
        self.clock = clock
        subscriber = RedisSubscriber(url: redisURL, name: "redis-waiters")
    }

    func start() {
        subscriber.start { [weak self] event in
            switch event {
            case .subscribed(let channel), .message(let channel, _): self?.wake(channel)
            }
        }
    }

    func stop() { subscriber.stop() }

    /// Tasks being waited for.
    var count: Int { waiters.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// Reads the task with `read` until it is final or `deadline` passes, re-reading each time
    /// its channel carries a change (or is subscribed again after a reconnect, when a change
    /// may have been missed). Returns the last read.
    func wait<Record: Sendable>(
        for id: String, until deadline: Date, read: () async throws -> Record?, isFinal: (Record) -> Bool
    ) async throws -> Record? {
        let channel = RedisKeys.resultMeta(id)
        let signal = WakeSignal()
        let key = nextKey.withLock { $0 += 1; return $0 }
        waiters.withLock { $0[channel, default: [:]][key] = signal }
        subscriber.subscribe(channel)
        defer {
            waiters.withLock { waiters in
                waiters[channel]?[key] = nil
                if waiters[channel]?.isEmpty == true { waiters[channel] = nil }
            }
            subscriber.unsubscribe(channel)
        }
        var record = try await read()
        while !(record.map(isFinal) ?? false) && !Task.isCancelled {
            let left = deadline.timeIntervalSince(clock.now)
            guard left > 0 else { break }
            await signal.wait(timeout: .milliseconds(Int64((left * 1000).rounded(.up))), clock: clock)
            record = try await read()
        }
        return record
    }

    private func wake(_ channel: String) {
        for signal in waiters.withLock({ Array(($0[channel] ?? [:]).values) }) { signal.notify() }
    }
}
