// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
import Foundation
import TestSupport
import Testing

@testable import CeleriacRedis

/// `GET /queues`'s numbers, read in one script from what publishing, parking, claiming and
/// a plain Celery client leave in Redis.
///
/// On the shared database 15: every name is the test's own, so only its queues are checked.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"))
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
        let (alpha, beta, gamma, idle) = (
            TestServices.uniqueName("alpha"), TestServices.uniqueName("beta"), TestServices.uniqueName("gamma"),
            TestServices.uniqueName("idle")
        )
        let start = clock.now
        try await publish(alpha, priority: 9)  // the oldest of alpha
        clock.advance(by: 10)
        try await publish(alpha, priority: 0)
        try await publish(alpha, priority: 0)
        try await publish(alpha, priority: 4)  // step 3
        try await publish(beta, countdown: 60)  // parked
        try await publish(beta, priority: 6, countdown: 60)
        // A plain Celery client's message: a binding, no record, so no known age.
        _ = try await redis.command("SADD", RedisKeys.bindingSet, RedisKeys.bindingMember(gamma))
        _ = try await redis.command("LPUSH", gamma, #"{"body": "", "headers": {"id": "celery-1", "task": "x"}}"#)
        // One alpha task runs (leased): its message leaves the list.
        let leases = try await broker.claim(
            worker: TestServices.uniqueName("w"), queueKeys: RedisKeys.pollOrder([alpha]), limit: 1, leaseMilliseconds: 30_000)
        #expect(leases.count == 1 && leases[0].queueKey == alpha)

        let stats = try await broker.queueStats(including: [idle])
        let names = stats.queues.map(\.name)
        #expect(names == names.sorted())
        let found = Dictionary(stats.queues.map { ($0.name, $0) }) { first, _ in first }
        #expect(stats.parkedTotal >= 2 && stats.leasedTotal >= 1)
        let alphaStats = try #require(found[alpha])
        #expect(alphaStats.depthByStep == [0: 1, 3: 1, 6: 0, 9: 1] && alphaStats.depth == 3)
        #expect(alphaStats.leased == 1 && alphaStats.parked == 0)
        // The oldest waiting message is the priority-9 one, enqueued 10 s before the rest.
        let oldest = try #require(alphaStats.oldestReadyAt)
        #expect(abs(oldest.timeIntervalSince(start)) < 0.001)
        let betaStats = try #require(found[beta])
        #expect(betaStats.depth == 0 && betaStats.parked == 2 && betaStats.oldestReadyAt == nil)
        let idleStats = try #require(found[idle])
        #expect(idleStats.depth == 0 && idleStats.parked == 0 && idleStats.leased == 0)
        let gammaStats = try #require(found[gamma])
        #expect(gammaStats.depthByStep[0] == 1 && gammaStats.oldestReadyAt == nil)
        // The shared database keeps no parked task of this test's.
        for member in try await redis.command("ZRANGE", RedisKeys.scheduled, "0", "-1").array ?? [] {
            if let bytes = member.bytes, bytes.starts(with: Array(beta.utf8)) {
                _ = try await redis.command([Array("ZREM".utf8), Array(RedisKeys.scheduled.utf8), bytes])
            }
        }
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
