// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// curl → API → Redis → worker → report → poll, all real.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(9))
struct EndToEndTests {
    @Test func echoSucceedsWithItsArgument() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "args": ["hi"], "queue": "\#(stack.queue)"}"#)
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "SUCCESS")
            #expect(task["result"] == "hi")
            #expect(task["task"]?.stringValue == "celeriac.echo" && task["args"] == ["hi"])
            #expect(task["queue"]?.stringValue == stack.queue && task["worker"]?.stringValue != nil)
            #expect(task["started_at"]?.stringValue != nil && task["finished_at"]?.stringValue != nil)
            // Celery's own result key, as AsyncResult.get() reads it.
            let meta = try JSONValue.parse(try #require(try await stack.redis.command("GET", RedisKeys.resultMeta(id)).bytes))
            #expect(meta["status"]?.stringValue == "SUCCESS" && meta["result"] == "hi")
            // Applying the final report ended the attempt's lease in the same step.
            let token = try #require(try await stack.redis.command("HGET", RedisKeys.task(id), "lease").string)
            #expect(try await stack.redis.command("ZSCORE", RedisKeys.leases, token) == .null)
            #expect(try await stack.redis.command("EXISTS", RedisKeys.lease(token)).integer == 0)
        }
    }

    @Test func failureCarriesTheExceptionAndUnknownTasksAreNotRegistered() async throws {
        try await LiveStack.run { stack in
            let failing = try await stack.enqueue(#"{"task": "celeriac.fail", "args": ["boom"], "queue": "\#(stack.queue)"}"#)
            // Sent as a Celery client would (the API refuses names no worker announced).
            let unknown = try await TaskPublisher(broker: Broker(redis: stack.redis)).publish(
                TaskPublisher.Request(task: "no.such.task", options: TaskOptions(queue: stack.queue))).id
            let failed = try await stack.waitFinal(failing)
            #expect(failed["state"]?.stringValue == "FAILURE")
            #expect(failed["error"]?["type"]?.stringValue == "RuntimeError")
            #expect(failed["error"]?["message"]?.stringValue == "boom")
            #expect(failed["error"]?["traceback"]?.stringValue?.isEmpty == false)
            let missing = try await stack.waitFinal(unknown)
            #expect(missing["state"]?.stringValue == "FAILURE")
            #expect(missing["error"]?["type"]?.stringValue == "NotRegistered")
        }
    }

    @Test func aMessageFromACeleryClientIsRun() async throws {
        // plain.json: captured from Celery 5.7's send_task; pushed as-is onto our queue.
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/plain.json")
        let raw = Array(try Data(contentsOf: fixture))
        var message = try TaskMessage.decode(raw)
        let id = UUID().uuidString.lowercased()
        message.headers["id"] = .string(id)
        message.headers["root_id"] = .string(id)
        message.properties["correlation_id"] = .string(id)
        let encoded = message.encoded()
        let taskName = message.task
        try await LiveStack.run { stack in
            _ = try await stack.redis.command([Array("LPUSH".utf8), Array(stack.queue.utf8), Array(encoded.utf8)])
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "FAILURE")  // plain.json calls tasks.add, not registered here
            #expect(task["error"]?["type"]?.stringValue == "NotRegistered")
            #expect(task["task"]?.stringValue == taskName)
        }
    }

    @Test func aMalformedMessageIsDeadLetteredAndTheWorkerGoesOn() async throws {
        try await LiveStack.run { stack in
            let marker = TestServices.uniqueName("garbage")
            _ = try await stack.redis.command("LPUSH", stack.queue, "{\"\(marker)\": ")
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "args": ["after"], "queue": "\#(stack.queue)"}"#)
            #expect(try await stack.waitFinal(id)["result"] == "after")
            let dead = try await stack.redis.command("LRANGE", RedisKeys.deadLetters, "0", "100").array ?? []
            #expect(dead.contains { $0.string?.contains(marker) == true })
        }
    }

    @Test func aTaskThatCrashedItsWorkerThreeTimesFailsWithoutRunning() async throws {
        try await LiveStack.run { stack in
            // Enqueued where no worker listens, marked as having crashed 3 workers, then moved
            // onto the stack's queue: the worker must fail it rather than run it a 4th time.
            let parking = TestServices.uniqueName("parking")
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "args": ["x"], "queue": "\#(parking)"}"#)
            _ = try await stack.redis.command("HSET", RedisKeys.task(id), "crashes", "3")
            _ = try await stack.redis.command("LMOVE", parking, stack.queue, "RIGHT", "LEFT")
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "FAILURE")
            #expect(task["error"]?["type"]?.stringValue == "WorkerCrashed")
            #expect(task["crashes"]?.intValue == 3 && task["started_at"] == .null)
        }
    }

    @Test func anIdleWorkerStartsTasksOnEveryPriorityListAtOnce() async throws {
        try await LiveStack.run { stack in
            // The idle worker waits on its default list with the claim behind the wait; a
            // message on a priority list must cut that wait short (not sit out its second,
            // ~0.85 s of which would be left here; a loaded CI host took up to 0.52 s to start
            // one that was cut short, with the wait entered 300 ms earlier).
            // First a task that waits for the worker to have started (a start on a loaded
            // host took 1.5 s once), so only the waits are timed.
            _ = try await stack.waitFinal(try await stack.enqueue(#"{"task": "celeriac.echo", "args": [0], "queue": "\#(stack.queue)"}"#))
            for priority in [9, 0, 3, 6, 9] {
                try await Task.sleep(for: .milliseconds(150))  // idle again: blocked in its wait
                let id = try await stack.enqueue(
                    #"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)", "priority": \#(priority)}"#)
                let task = try await stack.waitFinal(id)
                let created = try #require(task["created_at"]?.stringValue.flatMap(CeleryTime.parse))
                let started = try #require(task["started_at"]?.stringValue.flatMap(CeleryTime.parse), "\(task)")
                #expect(started.timeIntervalSince(created) < 0.65, "priority \(priority)")
            }
        }
    }

    @Test func sleepRunsConcurrently() async throws {
        try await LiveStack.run { stack in
            var ids: [String] = []
            for _ in 0..<4 {
                ids.append(try await stack.enqueue(#"{"task": "celeriac.sleep", "args": [1], "queue": "\#(stack.queue)"}"#))
            }
            var starts: [Date] = []
            var finishes: [Date] = []
            for id in ids {
                let task = try await stack.waitFinal(id)
                #expect(task["state"]?.stringValue == "SUCCESS")
                starts.append(try #require(task["started_at"]?.stringValue.flatMap(CeleryTime.parse)))
                finishes.append(try #require(task["finished_at"]?.stringValue.flatMap(CeleryTime.parse)))
            }
            // All four were running at one moment: the last start precedes the first finish.
            #expect(starts.max()! < finishes.min()!)
        }
    }
}
