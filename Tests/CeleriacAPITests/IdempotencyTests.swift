// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import Foundation
import TestSupport
import Testing

@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(8))
struct IdempotencyTests {
    @Test func sameKeySameBodyGivesTheOriginalTaskAndQueuesNothing() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let key = [("Idempotency-Key", TestServices.uniqueName("order-42"))]
            let body = #"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)"}"#
            let first = try await stack.request("POST", "/tasks", body: body, headers: key)
            #expect(first.status == 201)
            // Same meaning, other spelling (key order, defaults written out): same request.
            let respelled = #"{"queue": "\#(stack.queue)", "args": [1], "kwargs": {}, "task": "celeriac.echo", "priority": 0}"#
            let second = try await stack.request("POST", "/tasks", body: respelled, headers: key)
            #expect(second.status == 200)
            #expect(try stack.json(second)["id"] == stack.json(first)["id"])
            #expect(try await stack.redis.command("LLEN", stack.queue).integer == 1)

            let other = try await stack.request("POST", "/tasks", body: body.replacingOccurrences(of: "[1]", with: "[2]"), headers: key)
            #expect(other.status == 409)
            #expect(try stack.json(other)["type"]?.stringValue == "/problems/idempotency-conflict")
            #expect(try await stack.redis.command("LLEN", stack.queue).integer == 1)

            // Without the key, or with another key, the same body is a new task.
            let fresh = try await stack.request("POST", "/tasks", body: body)
            let freshID = try stack.json(fresh)["id"]
            let firstID = try stack.json(first)["id"]
            #expect(fresh.status == 201 && freshID != firstID)
        }
    }

    @Test func aBadKeyIsRejected() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let body = #"{"task": "celeriac.echo"}"#
            let long = try await stack.request("POST", "/tasks", body: body, headers: [("Idempotency-Key", String(repeating: "k", count: 256))])
            #expect(long.status == 400)
            let spaced = try await stack.request("POST", "/tasks", body: body, headers: [("Idempotency-Key", "two words")])
            #expect(spaced.status == 400)
        }
    }

    @Test func concurrentRetriesWithOneKeyMakeOneTask() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let key = [("Idempotency-Key", TestServices.uniqueName("burst"))]
            let body = #"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await stack.request("POST", "/tasks", body: body, headers: key).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 200 }.count == 19)
            #expect(try await stack.redis.command("LLEN", stack.queue).integer == 1)
        }
    }
}
