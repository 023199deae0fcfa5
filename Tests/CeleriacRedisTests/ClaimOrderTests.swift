// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// One claim of several messages from several queues takes them in the order a kombu
/// consumer would fetch them one by one: by priority step, queues taking turns within a step.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"))
struct ClaimOrderTests {
    @Test func aBatchClaimTakesTurnsBetweenQueuesWithinEachStep() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let broker = Broker(redis: redis, recordTTLSeconds: 600)
        let (a, b) = (TestServices.uniqueName("a"), TestServices.uniqueName("b"))
        func push(_ queue: String, _ priority: Int, _ ids: String...) async throws {
            for id in ids {
                _ = try await TaskPublisher(broker: broker).publish(
                    .init(task: "celeriac.echo", options: TaskOptions(queue: queue, priority: priority), id: id))
            }
        }
        try await push(a, 0, "a0", "a1", "a2")
        try await push(b, 0, "b0")
        try await push(a, 3, "a3")
        try await push(b, 3, "b3", "b4")
        try await push(b, 9, "b9")
        var cycle = QueueCycle([a, b])
        let leases = try await broker.claim(
            worker: TestServices.uniqueName("w"), queueKeys: cycle.pollOrder, queueCount: 2, limit: 7,
            leaseMilliseconds: 30_000)
        let ids = try leases.map { try TaskMessage.decode($0.raw).id }
        // a2 leaves a last in the cycle, so b leads step 3 (kombu: rotate after each message).
        #expect(ids == ["a0", "b0", "a1", "a2", "b3", "a3", "b4"])
        for lease in leases { cycle.rotate(afterKey: lease.queueKey) }
        #expect(cycle.order == [a, b])  // b took the last message: a is preferred next
        _ = try await broker.release(tokens: leases.map(\.token))
    }
}
