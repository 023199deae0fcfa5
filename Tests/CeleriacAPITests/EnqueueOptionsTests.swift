// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// `POST /tasks` options end to end: each lands in the message where a Celery client puts it,
/// and our worker honours the ones it runs by (countdown, expires).
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(11))
struct EnqueueOptionsTests {
    @Test func optionsLandInTheMessageAsCeleryWritesThem() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let before = Date()
            let id = try await stack.enqueue(#"""
                {"task": "celeriac.echo", "queue": "\#(stack.queue)", "priority": 9, "countdown": 30, "expires": 3600,
                 "time_limit": 600, "soft_time_limit": 540.5, "headers": {"tenant": "acme"}}
                """#)
            let after = Date()
            // Due in 30 s: parked in celeriac:scheduled, bound for the priority 9 list.
            #expect(try await stack.redis.command("LLEN", RedisKeys.queue(stack.queue, priority: 9)).integer == 0)
            let prefix = Array(RedisKeys.queue(stack.queue, priority: 9).utf8) + [0x0A]
            let members = try await stack.redis.command("ZRANGE", RedisKeys.scheduled, "0", "-1").array ?? []
            let parked = try #require(members.compactMap(\.bytes).first { $0.starts(with: prefix) })
            let message = try TaskMessage.decode(parked[prefix.count...])
            #expect(message.id == id && message.priority == 9)
            let eta = try #require(message.eta.flatMap(CeleryTime.parse))
            #expect(eta >= before.addingTimeInterval(29.999) && eta <= after.addingTimeInterval(30.001))
            let expires = try #require(message.expires.flatMap(CeleryTime.parse))
            #expect(expires.timeIntervalSince(eta) > 3569 && expires.timeIntervalSince(eta) < 3571)
            #expect(message.headers["timelimit"] == [600, .double(540.5)])
            #expect(message.headers["tenant"] == "acme")
            // The record outlives the countdown: the usual TTL (a day) counts from when it is due.
            let ttl = try #require(try await stack.redis.command("TTL", RedisKeys.task(id)).integer)
            #expect(ttl > 86_400 && ttl <= 86_400 + 31)
            // kombu's `expiration`: the milliseconds left when it was sent.
            let expiration = try #require(message.properties["expiration"]?.stringValue.flatMap(Int.init))
            #expect((3_599_000...3_600_000).contains(expiration))
        }
    }

    @Test func aCountdownTaskStartsNoEarlierThanItsCountdown() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)", "countdown": 1}"#)
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "SUCCESS")
            let created = try #require(task["created_at"]?.stringValue.flatMap(CeleryTime.parse))
            let started = try #require(task["started_at"]?.stringValue.flatMap(CeleryTime.parse))
            #expect(started.timeIntervalSince(created) >= 1)
        }
    }

    @Test func aTaskPastItsExpiryNeverRuns() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(
                #"{"task": "celeriac.echo", "queue": "\#(stack.queue)", "countdown": 1, "expires": 0.2}"#)
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "REVOKED")
            #expect(task["error"]?["message"]?.stringValue == "expired")
            #expect(task["started_at"] == .null)
        }
    }

    @Test func badOptionsAreRefusedNamingTheField() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let response = try await stack.request(
                "POST", "/tasks", body: #"{"task": "celeriac.echo", "eta": "2026-12-04T09:00:00", "headers": {"id": "x"}}"#)
            #expect(response.status == 422)
            let problem = try stack.json(response)
            #expect(problem["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } == ["/eta", "/headers/id"])
            #expect(problem["detail"]?.stringValue?.contains("no UTC offset") == true)
        }
    }
}
