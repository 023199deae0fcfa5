// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

extension Broker {
    /// Declares `queues` the way a Celery worker does at start (kombu's `queue_bind`): each gets
    /// its member in the `celery` exchange's binding sets, so Celery clients routing by exchange
    /// and `GET /queues` know it before a message was ever sent to it. Idempotent.
    public func declare(queues: [String]) async throws {
        guard !queues.isEmpty else { return }
        let members = queues.map(RedisKeys.bindingMember)
        _ = try await redis.commands([
            ["SADD", RedisKeys.bindingSet] + members, ["SADD", RedisKeys.permanentBindingSet] + members,
        ])
    }
}
