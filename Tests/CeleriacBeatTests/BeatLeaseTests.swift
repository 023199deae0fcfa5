// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import CeleriacSystem
import Foundation
import TestSupport
import Testing

/// The leader lease and fenced sends on the test Redis: one holder at a time, a new term
/// after expiry, and a deposed leader's sends refused whole.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(22), .serialized)
struct BeatLeaseTests {
    func request(_ queue: String, id: String) -> TaskPublisher.Request {
        TaskPublisher.Request(task: "celeriac.echo", args: ["tick"], options: TaskOptions(queue: queue), id: id)
    }

    @Test func oneHolderAtATimeAndANewTermAfterExpiry() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        // Leases long enough for a loaded host (CI once took over 600 ms between two calls);
        // a's last renewal is a short one, so it lapses when a stops renewing.
        let a = BeatLeaderLease(redis: redis, name: "a", lease: .seconds(30))
        let b = BeatLeaderLease(redis: redis, name: "b", lease: .seconds(30))
        let first = try #require(try await a.acquire())
        #expect(try await b.acquire() == nil)
        #expect(try await a.renew(first))
        #expect(try await !b.renew(first.replacing(":a:", with: ":b:")))
        #expect(try await BeatLeaderLease(redis: redis, name: "a", lease: .milliseconds(300)).renew(first))
        // a stops renewing: the lease lapses and b's term has a higher fence.
        try await Task.sleep(for: .milliseconds(800))
        let second = try #require(try await b.acquire())
        #expect(Int(second.prefix { $0 != ":" })! > Int(first.prefix { $0 != ":" })!)
        #expect(try await !a.renew(first))
        try await a.release(first)  // not a's any more: nothing happens
        #expect(try await b.renew(second))
        try await b.release(second)
        let third = try #require(try await a.acquire())
        try await a.release(third)
    }

    @Test func sendsAreFencedByTheTokenAndDedupedPerTick() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let publisher = TaskPublisher(broker: Broker(redis: redis, recordTTLSeconds: 600))
        let lease = BeatLeaderLease(redis: redis, name: "fence", lease: .seconds(5))
        let token = try #require(try await lease.acquire())
        defer { Task { try? await lease.release(token) } }
        let queue = TestServices.uniqueName("beat-fence")
        let id = TaskID.derived(from: "celeriac-beat/1/1000")
        let fenced = [TaskPublisher.FencedRequest(request: request(queue, id: id), dedupKey: "celeriac:beat:fired:1:1000")]
        // A deposed leader's token: nothing sent, not even a dedup key.
        #expect(try await publisher.publish(fenced, fence: .init(token: "0:old:x"), dedupTTLMilliseconds: 60_000) == nil)
        #expect(try await redis.command("EXISTS", "celeriac:beat:fired:1:1000").integer == 0)
        #expect(try await publisher.publish(fenced, fence: .init(token: token), dedupTTLMilliseconds: 60_000) == [true])
        #expect(try await publisher.publish(fenced, fence: .init(token: token), dedupTTLMilliseconds: 60_000) == [false])
        #expect(try await redis.command("LLEN", queue).integer == 1)
        let message = try #require(try await redis.command("LINDEX", queue, "0").string)
        let envelope = try JSONValue.parse(Array(message.utf8))
        #expect(envelope["headers"]?["id"]?.stringValue == id)
        #expect(try await redis.command("HGET", RedisKeys.task(id), "state").string == "PENDING")
        let ttl = try #require(try await redis.command("PTTL", "celeriac:beat:fired:1:1000").integer)
        #expect(ttl > 50_000 && ttl <= 60_000)
        _ = try await redis.command("DEL", queue, RedisKeys.task(id))
    }
}
