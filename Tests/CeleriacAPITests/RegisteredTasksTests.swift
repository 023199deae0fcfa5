// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacJobs
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// `GET /registered-tasks` and the check `POST /tasks` makes against it (DESIGN §6), on a
/// Redis database of the suite's own (the registry is one per Redis).
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(24), .serialized)
struct RegisteredTasksTests {
    @Test func unknownNamesAreRefusedOnceAWorkerAnnouncedAndArgumentsAreChecked() async throws {
        try await LiveStack.run(startWorker: false, environment: ["CELERIAC_TASKS_ALLOWED": "reports.*, myapp.add"]) { stack in
            _ = try await stack.redis.command("DEL", RedisKeys.registry, RedisKeys.registrySeen)
            // Names configuration allows are accepted, listed, and the registry is enforced.
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "reports.daily"}"#).status == 201)
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "myapp.add", "args": [1, 2]}"#).status == 201)
            let refused = try await stack.request("POST", "/tasks", body: #"{"task": "myapp.ad"}"#)
            #expect(refused.status == 422)
            let problem = try stack.json(refused)
            #expect(problem["errors"]?.arrayValue?.first?["pointer"] == "/task")
            #expect(problem["errors"]?.arrayValue?.first?["detail"]?.stringValue?.contains("did you mean 'myapp.add'?") == true)

            // A worker announces the built-in jobs: they are listed with their schemas.
            try await TaskRegistry(redis: stack.redis).announce(JobRegistry.builtIn.specs, at: Date())
            try await Task.sleep(for: .milliseconds(300))  // past the API's re-read interval on a miss
            let typo = try stack.json(try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.slep", "args": [1]}"#))
            #expect(typo["status"] == 422)
            #expect(typo["errors"]?.arrayValue?.first?["detail"]?.stringValue?.contains("'celeriac.sleep'") == true)
            let listed = try stack.json(try await stack.request("GET", "/registered-tasks"))
            #expect(listed["enforced"] == true && listed["allowed_prefixes"] == ["reports.*"])
            let items = listed["items"]?.arrayValue ?? []
            let sleep = try #require(items.first { $0["name"] == "celeriac.sleep" })
            #expect(sleep["source"] == "worker" && sleep["last_seen"]?.stringValue != nil)
            let seconds = sleep["schema"]?["fields"]?.arrayValue?.first
            #expect(seconds?["name"] == "seconds" && seconds?["type"] == "number" && seconds?["required"] == true)
            #expect(items.contains { $0["name"] == "myapp.add" && $0["source"] == "configuration" })

            // Arguments are checked against the job's schema, each fault named by its pointer.
            let bad = try stack.json(try await stack.request(
                "POST", "/tasks", body: #"{"task": "celeriac.sleep", "args": ["long"], "kwargs": {"steps": -1, "speed": 2}}"#))
            let pointers = (bad["errors"]?.arrayValue ?? []).compactMap { $0["pointer"]?.stringValue }
            #expect(bad["status"] == 422 && Set(pointers) == ["/args/0", "/kwargs/steps", "/kwargs/speed"], "\(bad)")
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.sleep", "kwargs": {}}"#).status == 422)
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.sleep", "args": [0.01]}"#).status == 201)
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.echo", "args": [1, 2, 3]}"#).status == 201)
        }
    }

    @Test func anEmptyRegistryAcceptsEveryName() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            _ = try await stack.redis.command("DEL", RedisKeys.registry, RedisKeys.registrySeen)
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "anything.at.all"}"#).status == 201)
            let listed = try stack.json(try await stack.request("GET", "/registered-tasks"))
            #expect(listed["enforced"] == false && listed["items"] == [])
        }
    }

    @Test func aWorkerAnnouncesItsJobsAndFailsACeleryClientsBadArguments() async throws {
        try await LiveStack.run { stack in
            // A Celery client's message skips the API's check: the worker makes it.
            let publisher = TaskPublisher(broker: Broker(redis: stack.redis))
            let sent = try await publisher.publish(TaskPublisher.Request(
                task: "celeriac.sleep", args: ["soon"], options: TaskOptions(queue: stack.queue)))
            let task = try await stack.waitFinal(sent.id)
            #expect(task["state"] == "FAILURE" && task["error"]?["type"] == "TypeError")
            #expect(task["error"]?["message"] == "celeriac.sleep: /args/0: expected number, got string")
            let listed = try stack.json(try await stack.request("GET", "/registered-tasks"))
            let names = Set((listed["items"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            #expect(names.isSuperset(of: ["celeriac.echo", "celeriac.sleep", "celeriac.fail", "notify.slack"]))
        }
    }
}
