// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import Foundation
import TestSupport
import Testing

@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"))
struct BrokerTests {
    let redis: RedisClient
    let broker: Broker
    let queue = TestServices.uniqueName("q")
    let worker = TestServices.uniqueName("w")

    init() throws {
        redis = RedisClient(url: try TestServices.redisURL)
        broker = Broker(redis: redis, recordTTLSeconds: 600)
    }

    func message(_ id: String = UUID().uuidString.lowercased(), priority: Int = 0) -> (TaskMessage, TaskRecord) {
        let message = TaskMessage.make(
            id: id, task: "celeriac.echo", args: ["hi"], kwargs: [:], queue: queue, priority: priority,
            origin: "test@host", replyTo: UUID().uuidString.lowercased(), deliveryTag: UUID().uuidString.lowercased())
        return (message, TaskRecord(id: id, task: "celeriac.echo", state: .pending, args: ["hi"], queue: queue))
    }

    @Test func publishPushesAKombuMessageAndARecord() async throws {
        let (message, record) = message()
        #expect(try await broker.publish(message, record: record) == 1)
        let raw = try #require(try await redis.command("LINDEX", queue, "0").bytes)
        let decoded = try TaskMessage.decode(raw)
        #expect(decoded.id == message.id && decoded.task == "celeriac.echo")
        #expect(try await redis.command("HGET", RedisKeys.task(record.id), "state").string == "PENDING")
        let ttl = try #require(try await redis.command("TTL", RedisKeys.task(record.id)).integer)
        #expect(ttl > 0 && ttl <= 600)
        // kombu's binding table, so a Celery worker's fanout/route lookups see the queue.
        #expect(try await redis.command("SISMEMBER", RedisKeys.bindingSet, RedisKeys.bindingMember(queue)).integer == 1)
        _ = try await redis.command("DEL", queue, RedisKeys.task(record.id))
    }

    @Test func claimMovesOldestFirstIntoTheClaimListAndAckRemovesIt() async throws {
        var ids: [String] = []
        for _ in 0..<3 {
            let (m, r) = message()
            ids.append(m.id)
            try await broker.publish(m, record: r)
        }
        let first = try await broker.claim(worker: worker, queueKeys: [queue], limit: 2)
        #expect(try first.map { try TaskMessage.decode($0.raw).id } == Array(ids.prefix(2)))
        #expect(try await redis.command("LLEN", queue).integer == 1)
        #expect(try await broker.claimed(worker: worker).count == 2)
        for claimed in first { try await broker.acknowledge(worker: worker, raw: claimed.raw) }
        #expect(try await broker.claimed(worker: worker).isEmpty)
        let rest = try await broker.claim(worker: worker, queueKeys: [queue], limit: 10)
        #expect(try rest.map { try TaskMessage.decode($0.raw).id } == [ids[2]])
        try await broker.acknowledge(worker: worker, raw: rest[0].raw)
        #expect(try await broker.claim(worker: worker, queueKeys: [queue], limit: 10).isEmpty)
        for id in ids { _ = try await redis.command("DEL", RedisKeys.task(id)) }
    }

    @Test func higherPriorityListsAreServedFirst() async throws {
        let (low, lowRecord) = message(priority: 9)
        let (high, highRecord) = message(priority: 0)
        try await broker.publish(low, record: lowRecord)
        try await broker.publish(high, record: highRecord)
        let claimed = try await broker.claim(worker: worker, queueKeys: RedisKeys.pollOrder([queue]), limit: 2)
        #expect(try claimed.map { try TaskMessage.decode($0.raw).id } == [high.id, low.id])
        #expect(claimed.map(\.queueKey) == [queue, RedisKeys.queue(queue, priority: 9)])
        for c in claimed { try await broker.acknowledge(worker: worker, raw: c.raw) }
    }

    @Test func requeueReturnsAClaimToTheConsumingEnd() async throws {
        let (a, ar) = message()
        let (b, br) = message()
        try await broker.publish(a, record: ar)
        try await broker.publish(b, record: br)
        let claimed = try await broker.claim(worker: worker, queueKeys: [queue], limit: 1)
        try await broker.requeue(worker: worker, raw: claimed[0].raw, queueKey: claimed[0].queueKey)
        #expect(try await broker.claimed(worker: worker).isEmpty)
        // a was taken and given back: it is again the next one out, ahead of b.
        let again = try await broker.claim(worker: worker, queueKeys: [queue], limit: 2)
        #expect(try again.map { try TaskMessage.decode($0.raw).id } == [a.id, b.id])
        for c in again { try await broker.acknowledge(worker: worker, raw: c.raw) }
    }

    @Test func deadLetterKeepsTheMessageAndTheReason() async throws {
        let garbage = Array("{not json".utf8)
        _ = try await redis.command([Array("LPUSH".utf8), Array(queue.utf8), garbage])
        let claimed = try await broker.claim(worker: worker, queueKeys: [queue], limit: 1)
        try await broker.deadLetter(worker: worker, raw: claimed[0].raw, reason: "test: malformed", at: Date())
        #expect(try await broker.claimed(worker: worker).isEmpty)
        let entries = try await redis.command("LRANGE", RedisKeys.deadLetters, "0", "50").array ?? []
        let mine = entries.compactMap { $0.bytes.flatMap { try? JSONValue.parse($0) } }
            .first { $0["worker"]?.stringValue == worker }
        #expect(mine?["reason"]?.stringValue == "test: malformed")
        #expect(mine?["message"]?.stringValue == "{not json")
    }
}
