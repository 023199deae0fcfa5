// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
import Foundation
import TestSupport
import Testing

@testable import CeleriacRedis

/// `GET /queues`'s numbers, read in one script from what publishing, parking, claiming and
/// a plain Celery client leave in Redis.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(17), .serialized)
struct QueueStatsTests {
    let redis: RedisClient
    let broker: Broker
    let clock = ManualClock()

    init() throws {
        redis = RedisClient(url: try TestServices.redisURL)
        broker = Broker(redis: redis, recordTTLSeconds: 600)
    }

    func publish(_ queue: String, priority: Int = 0, countdown: Double? = nil) async throws {
        var options = TaskOptions(queue: queue, priority: priority)
        options.eta = countdown.map { clock.now.addingTimeInterval($0) }
        _ = try await TaskPublisher(broker: broker, origin: "test@host", clock: clock)
            .publish(TaskPublisher.Request(task: "celeriac.echo", options: options))
    }

    @Test func depthsAgesLeasesAndParkedTasksPerQueue() async throws {
        _ = try await redis.command("FLUSHDB")
        let start = clock.now
        try await publish("alpha", priority: 9)  // the oldest of alpha
        clock.advance(by: 10)
        try await publish("alpha", priority: 0)
        try await publish("alpha", priority: 0)
        try await publish("alpha", priority: 4)  // step 3
        try await publish("beta", countdown: 60)  // parked
        try await publish("beta", priority: 6, countdown: 60)
        // A plain Celery client's message: a binding, no record, so no known age.
        _ = try await redis.command("SADD", RedisKeys.bindingSet, RedisKeys.bindingMember("gamma"))
        _ = try await redis.command("LPUSH", "gamma", #"{"body": "", "headers": {"id": "celery-1", "task": "x"}}"#)
        // One alpha task runs (leased): its message leaves the list.
        let leases = try await broker.claim(worker: "w1", queueKeys: RedisKeys.pollOrder(["alpha"]), limit: 1, leaseMilliseconds: 30_000)
        #expect(leases.count == 1 && leases[0].queueKey == "alpha")

        let stats = try await broker.queueStats(including: ["celery"])
        #expect(stats.queues.map(\.name) == ["alpha", "beta", "celery", "gamma"])
        #expect(stats.parkedTotal == 2 && stats.leasedTotal == 1 && stats.complete)
        let alpha = stats.queues[0]
        #expect(alpha.depthByStep == [0: 1, 3: 1, 6: 0, 9: 1] && alpha.depth == 3)
        #expect(alpha.leased == 1 && alpha.parked == 0)
        // The oldest waiting message is the priority-9 one, enqueued 10 s before the rest.
        let oldest = try #require(alpha.oldestReadyAt)
        #expect(abs(oldest.timeIntervalSince(start)) < 0.001)
        let beta = stats.queues[1]
        #expect(beta.depth == 0 && beta.parked == 2 && beta.oldestReadyAt == nil)
        #expect(stats.queues[2].depth == 0 && stats.queues[2].parked == 0)
        let gamma = stats.queues[3]
        #expect(gamma.depthByStep[0] == 1 && gamma.oldestReadyAt == nil)
    }

    @Test func aMessageDueLaterIsReadyAtItsETA() {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let due = "2027-01-15T08:01:00.000000+00:00"
        #expect(Broker.readyAt(eta: due, createdAt: "1800000000") == created.addingTimeInterval(60))
        #expect(Broker.readyAt(eta: "", createdAt: "1800000000") == created)
        #expect(Broker.readyAt(eta: due, createdAt: "") == created.addingTimeInterval(60))
        #expect(Broker.readyAt(eta: "garbage", createdAt: "") == nil)
    }
}
