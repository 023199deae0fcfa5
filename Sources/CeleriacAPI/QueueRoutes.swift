// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacRedis
import CeleriacSystem
import Foundation
import Hummingbird

/// `GET /queues`: each known queue's depth per priority step, oldest message age, leased and
/// parked tasks (``QueueStats``), read in one Redis script.
struct QueueRoutes: Sendable {
    let api: APIContext
    /// A connection of its own: the script reads every queue, and must not sit in front of
    /// enqueues or reports.
    let broker: Broker

    init(api: APIContext) {
        self.api = api
        broker = Broker(redis: RedisClient(url: api.settings.redisURL, name: "redis-queues"))
    }

    func register(on routes: RouteTable) {
        routes.add(.get, "/queues", access: .scope(.read)) { _, _ in
            .json(Self.json(try await broker.queueStats(including: api.settings.queues), now: api.clock.now))
        }
    }

    static let order = JSONKeyOrder([
        "queues", "name", "depth", "depth_by_priority", "oldest_age_seconds", "oldest_ready_at", "leased", "parked",
        "complete", "0", "3", "6", "9",
    ])

    static func json(_ stats: QueueStats, now: Date) -> String {
        let queues: [JSONValue] = stats.queues.map { queue in
            var steps: [String: JSONValue] = [:]
            for (step, depth) in queue.depthByStep { steps[String(step)] = .int(Int64(depth)) }
            // Milliseconds are what a queue's age is worth; never negative (an ETA a clock ahead).
            let age = queue.oldestReadyAt.map { JSONValue.double((max(0, now.timeIntervalSince($0)) * 1000).rounded() / 1000) }
            return .object([
                "name": .string(queue.name), "depth": .int(Int64(queue.depth)), "depth_by_priority": .object(steps),
                "oldest_age_seconds": age ?? .null,
                "oldest_ready_at": queue.oldestReadyAt.map { .string(CeleryTime.format($0)) } ?? .null,
                "leased": .int(Int64(queue.leased)), "parked": .int(Int64(queue.parked)),
            ])
        }
        var writer = JSONWriter(order: order)
        writer.write(.object([
            "queues": .array(queues), "leased": .int(Int64(stats.leasedTotal)), "parked": .int(Int64(stats.parkedTotal)),
            "complete": .bool(stats.complete),
        ]))
        return writer.output
    }
}
