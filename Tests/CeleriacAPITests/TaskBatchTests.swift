// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// `POST /tasks/batch`: entries answered in order, valid ones enqueued beside invalid ones,
/// the limits, idempotency keys inside a batch, and all-or-nothing on Redis.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(27))
struct TaskBatchTests {
    static let environment = ["CELERIAC_MAX_BATCH": "50", "CELERIAC_MAX_BATCH_BYTES": "65536"]

    func batch(_ entries: [String]) -> String { #"{"tasks": ["# + entries.joined(separator: ", ") + "]}" }

    @Test func validEntriesAreEnqueuedInOrderBesideInvalidOnes() async throws {
        try await LiveStack.run(startWorker: false, environment: Self.environment) { stack in
            let q = stack.queue
            let response = try await stack.request("POST", "/tasks/batch", body: batch([
                #"{"task": "celeriac.echo", "args": [0], "queue": "\#(q)"}"#,
                #"{"task": "celeriac.echo", "args": [1], "queue": "\#(q)", "priority": 42}"#,
                #"{"args": [2], "queue": "\#(q)"}"#,
                #"{"task": "celeriac.echo", "args": [3], "queue": "\#(q)", "countdown": 3600}"#,
                #"{"task": "celeriac.echo", "args": [4], "queue": "\#(q)"}"#,
            ]))
            #expect(response.status == 201, "\(response.text)")
            let body = try stack.json(response)
            #expect(body["enqueued"] == 3 && body["failed"] == 2)
            let items = try #require(body["tasks"]?.arrayValue)
            #expect(items.count == 5)
            #expect(items[1]["status"] == 422 && items[1]["errors"]?.arrayValue?.first?["pointer"] == "/tasks/1/priority")
            #expect(items[2]["errors"]?.arrayValue?.first?["pointer"] == "/tasks/2/task")
            let ids = [items[0], items[3], items[4]].compactMap { $0["id"]?.stringValue }
            #expect(ids.count == 3 && Set(ids).count == 3)
            #expect([items[0], items[3], items[4]].allSatisfy { $0["status"] == 201 && $0["state"] == "PENDING" })
            // Queued in the batch's order (consumed from the right); the countdown one waits apart.
            let queued = try await stack.redis.command("LRANGE", q, "0", "-1").array?.compactMap(\.string) ?? []
            #expect(queued.count == 2)
            let queuedIDs = queued.map { (try? JSONValue.parse(Array($0.utf8)))?["headers"]?["id"]?.stringValue }
            #expect(queuedIDs == [ids[2], ids[0]])
            #expect(try await stack.redis.command("ZCARD", RedisKeys.scheduled).integer ?? 0 >= 1)
            for id in ids {
                #expect(try await stack.redis.command("EXISTS", RedisKeys.task(id)).integer == 1)
            }
            _ = try await stack.redis.command("DEL", RedisKeys.scheduled)
        }
    }

    @Test func aBatchWithNoValidEntryIsA422NamingEachOne() async throws {
        try await LiveStack.run(startWorker: false, environment: Self.environment) { stack in
            let response = try await stack.request("POST", "/tasks/batch", body: batch([#"{"args": []}"#, #"{"task": 5}"#, "7"]))
            #expect(response.status == 422, "\(response.text)")
            let pointers = try stack.json(response)["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? []
            #expect(pointers == ["/tasks/0/task", "/tasks/1/task", "/tasks/2"])
            #expect(try await stack.redis.command("LLEN", stack.queue).integer == 0)
            for body in [#"{"tasks": []}"#, #"{"tasks": {}}"#, #"{"jobs": []}"#] {
                #expect(try await stack.request("POST", "/tasks/batch", body: body).status == 422, "\(body)")
            }
        }
    }

    @Test func overTheCountOrTheBodyLimitIsA413NamingTheLimit() async throws {
        try await LiveStack.run(startWorker: false, environment: Self.environment) { stack in
            let entry = #"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#
            let tooMany = try await stack.request("POST", "/tasks/batch", body: batch(Array(repeating: entry, count: 51)))
            #expect(tooMany.status == 413)
            #expect(try stack.json(tooMany)["type"] == "/problems/batch-too-large")
            #expect(try stack.json(tooMany)["detail"]?.stringValue?.contains("at most 50") == true)
            let big = #"{"task": "celeriac.echo", "args": [""# + String(repeating: "x", count: 70_000) + #""]}"#
            let tooLarge = try await stack.request("POST", "/tasks/batch", body: batch([big]))
            #expect(tooLarge.status == 413)
            #expect(try stack.json(tooLarge)["detail"]?.stringValue?.contains("65536") == true)
            #expect(try await stack.redis.command("LLEN", stack.queue).integer == 0)
        }
    }

    @Test func idempotencyKeysInsideABatchGiveTheSameTask() async throws {
        try await LiveStack.run(startWorker: false, environment: Self.environment) { stack in
            let key = TestServices.uniqueName("nightly")
            let entry = #"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)", "idempotency_key": "\#(key)"}"#
            let other = #"{"task": "celeriac.echo", "args": [2], "queue": "\#(stack.queue)", "idempotency_key": "\#(key)"}"#
            let first = try stack.json(try await stack.request("POST", "/tasks/batch", body: batch([entry, entry, other])))
            let items = try #require(first["tasks"]?.arrayValue)
            #expect(items[0]["status"] == 201 && items[1]["status"] == 200 && items[1]["id"] == items[0]["id"])
            #expect(items[2]["status"] == 409 && items[2]["type"] == "/problems/idempotency-conflict")
            #expect(items[2]["errors"]?.arrayValue?.first?["pointer"] == "/tasks/2/idempotency_key")
            // Again in a later batch, and as POST /tasks's header: the same task.
            let again = try stack.json(try await stack.request("POST", "/tasks/batch", body: batch([entry])))
            #expect(again["tasks"]?.arrayValue?.first?["id"] == items[0]["id"] && again["tasks"]?.arrayValue?.first?["status"] == 200)
            let single = try await stack.request(
                "POST", "/tasks", body: #"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)"}"#,
                headers: [("Idempotency-Key", key)])
            let singleID = try stack.json(single)["id"]
            #expect(single.status == 200 && singleID == items[0]["id"])
            #expect(try await stack.redis.command("LLEN", stack.queue).integer == 1)
            let bad = try stack.json(try await stack.request("POST", "/tasks/batch", body: batch([
                #"{"task": "celeriac.echo", "queue": "\#(stack.queue)", "idempotency_key": "has space"}"#, entry,
            ])))
            #expect(bad["tasks"]?.arrayValue?.first?["errors"]?.arrayValue?.first?["pointer"] == "/tasks/0/idempotency_key")
        }
    }

    @Test func aWorkerRunsTasksFromABatch() async throws {
        try await LiveStack.run(environment: Self.environment) { stack in
            let entries = (0..<20).map { #"{"task": "celeriac.echo", "args": [\#($0)], "queue": "\#(stack.queue)"}"# }
            let body = try stack.json(try await stack.request("POST", "/tasks/batch", body: batch(entries)))
            let ids = try #require(body["tasks"]?.arrayValue?.compactMap { $0["id"]?.stringValue })
            #expect(ids.count == 20)
            for (index, id) in ids.enumerated() {
                let task = try await stack.waitFor(id) { $0["state"] == "SUCCESS" }
                #expect(task["result"] == .int(Int64(index)))
            }
        }
    }
}
