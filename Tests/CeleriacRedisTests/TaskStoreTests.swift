// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
import Foundation
import TestSupport
import Testing

@Suite(.enabled(if: TestServices.enabled, "needs the test Redis (make test)"), .redisDatabase(4))
struct TaskStoreTests {
    func report(_ id: String, _ state: TaskState, result: JSONValue? = nil) -> TaskReport {
        TaskReport(
            id: id, state: state, task: "celeriac.echo", queue: "celery", args: ["x"], kwargs: [:], worker: "w@test",
            pid: 42, timestamp: Date().timeIntervalSince1970, result: result)
    }

    @Test func reportsWriteCeleryMetaAndAStaleReportIsIgnored() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let store = TaskStore(redis: redis, ttlSeconds: 600)
        let id = UUID().uuidString.lowercased()
        #expect(try await store.apply(report(id, .started)) == .applied)
        #expect(try await store.apply(report(id, .success, result: "x")) == .applied)
        // A STARTED arriving after SUCCESS (reports from a retry path, reordering) loses.
        #expect(try await store.apply(report(id, .started)) == .stale)
        let record = try #require(try await store.fetch(id: id))
        #expect(record.state == .success && record.result == "x" && record.worker == "w@test")
        let meta = try #require(try await redis.command("GET", RedisKeys.resultMeta(id)).string)
        let parsed = try JSONValue.parse(Array(meta.utf8))
        #expect(parsed["status"]?.stringValue == "SUCCESS" && parsed["result"] == "x")
        #expect(parsed["task_id"]?.stringValue == id)
        _ = try await redis.command("DEL", RedisKeys.task(id), RedisKeys.resultMeta(id))
    }

    @Test func reportsOfASupersededLeaseAreFenced() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let store = TaskStore(redis: redis, ttlSeconds: 600)
        let id = UUID().uuidString.lowercased()
        // Tokens no real lease has (those are fence numbers): a final report ends its lease,
        // and "42" ended another suite's real lease 42 when both ran at once.
        let (old, new) = (TestServices.uniqueName("token"), TestServices.uniqueName("token"))
        _ = try await redis.command("HSET", RedisKeys.task(id), "lease", new)
        var zombie = report(id, .success, result: "old")
        zombie.lease = old
        #expect(try await store.apply(zombie) == .fenced)
        var current = report(id, .success, result: "new")
        current.lease = new
        #expect(try await store.apply(current) == .applied)
        #expect(try await store.fetch(id: id)?.result == "new")
        #expect(try await redis.command("GET", RedisKeys.resultMeta(id)).string?.contains("\"new\"") == true)
        _ = try await redis.command("DEL", RedisKeys.task(id), RedisKeys.resultMeta(id))
    }

    @Test func celeryMetaWithoutARecordIsStillFound() async throws {
        let redis = RedisClient(url: try TestServices.redisURL)
        let store = TaskStore(redis: redis)
        let id = UUID().uuidString.lowercased()
        let meta = ResultMeta(taskID: id, status: .success, result: 7, dateDone: Date())
        _ = try await redis.command("SET", RedisKeys.resultMeta(id), meta.encoded(), "EX", "60")
        let record = try #require(try await store.fetch(id: id))
        #expect(record.state == .success && record.result == 7)
        #expect(try await store.fetch(id: UUID().uuidString.lowercased()) == nil)
    }
}
