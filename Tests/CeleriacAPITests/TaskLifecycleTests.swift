// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// What a task can do between enqueue and result, with a real API, worker, Redis and
/// PostgreSQL: retries, time limits, progress, long-polls.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(13))
struct TaskLifecycleTests {
    @Test func aFailingTaskIsRetriedWithBackoffThenFails() async throws {
        try await LiveStack.run { stack in
            let enqueued = Date()
            let id = try await stack.enqueue(#"""
                {"task": "celeriac.fail", "args": ["flaky"], "queue": "\#(stack.queue)",
                 "retry": {"max_retries": 2, "backoff": 0.3, "jitter": false}}
                """#)
            // Between attempts: RETRY, with the next attempt's time.
            let retrying = try await stack.waitFor(id) { $0["state"]?.stringValue == "RETRY" }
            #expect(retrying["state"]?.stringValue == "RETRY")
            #expect(retrying["error"]?["type"]?.stringValue == "RuntimeError")
            let retryAt = try #require(retrying["retry_at"]?.stringValue.flatMap(CeleryTime.parse))
            #expect(retryAt > enqueued.addingTimeInterval(0.25))
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "FAILURE")
            #expect(task["retries"] == 2)
            #expect(task["retry_at"] == .null)
            // 0.3 s, then 0.6 s: the last attempt cannot have started before 0.9 s.
            let started = try #require(task["started_at"]?.stringValue.flatMap(CeleryTime.parse))
            #expect(started.timeIntervalSince(enqueued) >= 0.9)
            // Celery's meta says FAILURE too (a Celery client's AsyncResult.get() raises).
            let meta = try await stack.redis.command("GET", RedisKeys.resultMeta(id)).string ?? ""
            #expect(meta.contains(#""status": "FAILURE""#))
        }
    }

    @Test func aJobMayAskForARetryUntilItsRetriesRunOut() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(
                #"{"task": "celeriac.fail", "args": ["later"], "kwargs": {"retry_in": 0.05}, "queue": "\#(stack.queue)"}"#)
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "FAILURE")
            #expect(task["retries"] == 3)  // Celery's default max_retries
            #expect(task["error"]?["type"]?.stringValue == "MaxRetriesExceededError")
        }
    }

    @Test func aTaskWithoutARetryPolicyFailsAtOnce() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.fail", "queue": "\#(stack.queue)"}"#)
            let task = try await stack.waitFinal(id)
            #expect(task["state"]?.stringValue == "FAILURE" && task["retries"] == 0)
        }
    }

    @Test func theSoftLimitCancelsTheJob() async throws {
        try await LiveStack.run { stack in
            let start = ContinuousClock.now
            let stopped = try await stack.enqueue(
                #"{"task": "celeriac.sleep", "args": [5], "queue": "\#(stack.queue)", "soft_time_limit": 0.3}"#)
            let cleanedUp = try await stack.enqueue(#"""
                {"task": "celeriac.sleep", "args": [5], "kwargs": {"on_cancel": "finish"}, "queue": "\#(stack.queue)",
                 "soft_time_limit": 0.3}
                """#)
            let failed = try await stack.waitFinal(stopped)
            #expect(failed["state"]?.stringValue == "FAILURE")
            #expect(failed["error"]?["type"]?.stringValue == "SoftTimeLimitExceeded")
            // A job that handles the cancellation returns what it has.
            let finished = try await stack.waitFinal(cleanedUp)
            #expect(finished["state"]?.stringValue == "SUCCESS")
            #expect((finished["result"]?.doubleValue ?? 5) < 5)
            #expect(ContinuousClock.now - start < .seconds(4))
        }
    }

    @Test func theHardLimitAbandonsAJobThatIgnoresCancellationAndTheWorkerGoesOn() async throws {
        try await LiveStack.run { stack in
            let start = ContinuousClock.now
            let stuck = try await stack.enqueue(#"""
                {"task": "celeriac.sleep", "args": [20], "kwargs": {"on_cancel": "ignore"}, "queue": "\#(stack.queue)",
                 "soft_time_limit": 0.2, "time_limit": 0.5}
                """#)
            let task = try await stack.waitFinal(stuck)
            #expect(task["state"]?.stringValue == "FAILURE")
            #expect(task["error"]?["type"]?.stringValue == "TimeLimitExceeded")
            // Long before the job would have ended by itself (20 s).
            #expect(ContinuousClock.now - start < .seconds(10))
            let next = try await stack.enqueue(#"{"task": "celeriac.echo", "args": [7], "queue": "\#(stack.queue)"}"#)
            #expect(try await stack.waitFinal(next)["result"] == 7)
        }
    }

    @Test func progressIsVisibleWhileTheJobRuns() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(
                #"{"task": "celeriac.sleep", "args": [1.2], "kwargs": {"steps": 4}, "queue": "\#(stack.queue)"}"#)
            let running = try await stack.waitFor(id) { $0["state"]?.stringValue == "PROGRESS" }
            #expect(running["state"]?.stringValue == "PROGRESS")
            #expect(running["progress"]?["total"] == 4)
            #expect((running["progress"]?["current"]?.doubleValue ?? 0) >= 1)
            // Celery's custom state: AsyncResult.state is PROGRESS, .info the meta.
            let meta = try JSONValue.parse(try #require(try await stack.redis.command("GET", RedisKeys.resultMeta(id)).bytes))
            #expect(["PROGRESS", "SUCCESS"].contains(meta["status"]?.stringValue ?? ""))
            let done = try await stack.waitFinal(id)
            #expect(done["state"]?.stringValue == "SUCCESS")
            #expect(done["progress"]?["current"] == 4)
        }
    }

    @Test func aLongPollAnswersWhenTheTaskFinishes() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.sleep", "args": [0.5], "queue": "\#(stack.queue)"}"#)
            let start = ContinuousClock.now
            let response = try await stack.request("GET", "/tasks/\(id)?wait=20")
            let waited = ContinuousClock.now - start
            #expect(try stack.json(response)["state"]?.stringValue == "SUCCESS")
            #expect(waited >= .milliseconds(300) && waited < .seconds(5))
        }
    }

    @Test func aLongPollAnswersAfterItsWaitWithTheStateThen() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#)
            let start = ContinuousClock.now
            let response = try await stack.request("GET", "/tasks/\(id)?wait=0.5")
            let waited = ContinuousClock.now - start
            #expect(response.status == 200)
            #expect(try stack.json(response)["state"]?.stringValue == "PENDING")
            #expect(waited >= .milliseconds(450) && waited < .seconds(3))
            // Bad waits name the parameter; an unknown task is a 404 without waiting.
            for bad in ["-1", "61", "soon"] {
                let refused = try await stack.request("GET", "/tasks/\(id)?wait=\(bad)")
                #expect(refused.status == 422, "wait=\(bad)")
                #expect(try stack.json(refused)["errors"]?.arrayValue?.first?["parameter"]?.stringValue == "wait")
            }
            let quick = ContinuousClock.now
            #expect(try await stack.request("GET", "/tasks/unknown-task?wait=30").status == 404)
            #expect(ContinuousClock.now - quick < .seconds(1))
        }
    }

    @Test func manyLongPollsShareOneSubscription() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.sleep", "args": [3], "queue": "\#(stack.queue)"}"#)
            let http = HTTPClient(concurrency: 64, name: "test-waiters")
            let states = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        let response = try await http.send(HTTPClientRequest(
                            method: "GET", url: stack.baseURL + "/tasks/\(id)?wait=20",
                            headers: [("Authorization", "Bearer \(stack.adminToken)")], body: nil))
                        return try JSONValue.parse(response.body)["state"]?.stringValue ?? ""
                    }
                }
                // The task's channel has one subscriber for all of them: the API's pub/sub connection.
                var counts: Set<Int64> = []
                for _ in 0..<100 {
                    let subscribers = try await stack.redis.command("PUBSUB", "NUMSUB", RedisKeys.resultMeta(id)).array ?? []
                    counts.insert(subscribers.last?.integer ?? -1)
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(counts.contains(1) && counts.allSatisfy { $0 <= 1 }, "\(counts)")
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(states == Array(repeating: "SUCCESS", count: 64))
        }
    }
}
