// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What `GET /queues` shows: every known queue's depth per kombu priority step, its oldest
/// message, its leased (running) and parked (ETA) tasks. Read in one script
/// (``RedisScript/queueStats``), so the numbers are one consistent moment.
public struct QueueStats: Sendable, Equatable {
    public struct Queue: Sendable, Equatable {
        public var name: String
        /// Messages waiting in each priority step's list (steps 0, 3, 6, 9; 0 is served first).
        public var depthByStep: [Int: Int]
        /// When the oldest waiting message became ready to run: its ETA if it had one, else
        /// when our API enqueued it (its record's `created_at`). Nil when the queue is empty
        /// or its oldest message came from a client that keeps no record (plain Celery: its
        /// envelope carries no send time).
        public var oldestReadyAt: Date?
        /// Tasks claimed by workers and not finished.
        public var leased: Int
        /// Tasks waiting in `celeriac:scheduled` for their ETA.
        public var parked: Int

        public var depth: Int { depthByStep.values.reduce(0, +) }
    }

    public var queues: [Queue]
    /// All parked tasks, and all leases, whatever their queue.
    public var parkedTotal: Int
    public var leasedTotal: Int
    /// False when there were more parked tasks or leases than were read, so some per-queue
    /// counts are low, or more queues than were listed.
    public var complete: Bool

    /// Most parked tasks and leases read to count them per queue; most queues listed.
    public static let scanLimit = 10_000
    public static let queueLimit = 1000
}

extension Broker {
    /// Reads ``QueueStats`` for every known queue plus `queues` (shown even when empty).
    public func queueStats(including queues: [String]) async throws -> QueueStats {
        let reply = try await redis.run(
            .queueStats,
            keys: [RedisKeys.bindingSet, RedisKeys.permanentBindingSet, RedisKeys.scheduled, RedisKeys.leases],
            args: [String(QueueStats.scanLimit), String(QueueStats.scanLimit), String(QueueStats.queueLimit)] + queues)
        let items = reply.array ?? []
        func int(_ index: Int) -> Int { index < items.count ? Int(items[index].integer ?? 0) : 0 }
        func text(_ index: Int) -> String { index < items.count ? items[index].string ?? "" : "" }
        let stepCount = RedisKeys.prioritySteps.count
        let perQueue = 3 + 4 * stepCount
        var stats = QueueStats(queues: [], parkedTotal: int(0), leasedTotal: int(1), complete: int(2) == 0)
        var index = 3
        while index + perQueue <= items.count {
            var queue = QueueStats.Queue(
                name: text(index), depthByStep: [:], oldestReadyAt: nil, leased: int(index + 2), parked: int(index + 1))
            for (offset, step) in RedisKeys.prioritySteps.enumerated() {
                let at = index + 3 + 4 * offset
                queue.depthByStep[step] = int(at)
                guard int(at) > 0, let ready = Self.readyAt(eta: text(at + 2), createdAt: text(at + 3)) else { continue }
                queue.oldestReadyAt = min(queue.oldestReadyAt ?? ready, ready)
            }
            stats.queues.append(queue)
            index += perQueue
        }
        let countedParked = stats.queues.reduce(0) { $0 + $1.parked }
        let countedLeased = stats.queues.reduce(0) { $0 + $1.leased }
        stats.complete = stats.complete && countedParked == stats.parkedTotal && countedLeased == stats.leasedTotal
        return stats
    }

    /// When a message became ready: its `eta` header (Celery's ISO time) when later than its
    /// record's creation (Unix seconds), else the creation; nil when neither is known.
    static func readyAt(eta: String, createdAt: String) -> Date? {
        let created = Double(createdAt).map(Date.init(timeIntervalSince1970:))
        let due = eta.isEmpty ? nil : CeleryTime.parse(eta)
        switch (created, due) {
        case (let created?, let due?): return max(created, due)
        case (let created?, nil): return created
        case (nil, let due?): return due
        case (nil, nil): return nil
        }
    }
}
