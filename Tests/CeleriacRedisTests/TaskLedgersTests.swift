// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import TestSupport
import Testing

/// Jobs' per-task notes in Redis: set, replace and remove in one step, kept for 7 days.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"))
struct TaskLedgersTests {
    @Test func entriesAreSetReplacedAndRemovedAndExpire() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let ledgers = TaskLedgers(redis: redis)
        let task = TestServices.uniqueName("ledger-task")
        defer { Task { _ = try? await redis.command("DEL", RedisKeys.taskLedger(task)) } }
        #expect(try await ledgers.read(task) == [:])
        try await ledgers.write(task, ["to:a@example.com": "attempt"])
        try await ledgers.write(task, ["to:a@example.com": "sent", "to:b@example.com": "attempt"])
        try await ledgers.write(task, ["to:b@example.com": nil, "cursor": "page=3"])
        #expect(try await ledgers.read(task) == ["to:a@example.com": "sent", "cursor": "page=3"])
        let ttl = try #require(try await redis.command("TTL", RedisKeys.taskLedger(task)).integer)
        #expect(ttl > 7 * 86_400 - 60 && ttl <= 7 * 86_400)
    }
}
