// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacRedis
import Foundation
import TestSupport
import Testing

/// `POST /tasks/{id}/revoke` and Celery's revoke broadcast, with a real API, workers, Redis
/// and PostgreSQL.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(18))
struct RevokeTests {
    @Test func aQueuedTaskRevokedBeforeAnyWorkerStartsNeverRuns() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "args": [1], "queue": "\#(stack.queue)"}"#)
            let response = try await stack.request("POST", "/tasks/\(id)/revoke", body: "")
            #expect(response.status == 202, "\(response.text)")
            #expect(try stack.json(response)["state"]?.stringValue == "REVOKED")
            try await stack.withWorker {
                // A task queued behind it runs: the revoked one was taken off the queue first.
                let marker = try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#)
                #expect(try await stack.waitFinal(marker)["state"]?.stringValue == "SUCCESS")
            }
            let task = try stack.json(try await stack.request("GET", "/tasks/\(id)"))
            #expect(task["state"]?.stringValue == "REVOKED")
            #expect(task["error"]?["message"]?.stringValue == "revoked")
            #expect(task["started_at"] == .null)
            #expect(try await stack.redis.command("LLEN", stack.queue).integer == 0)
        }
    }

    @Test func aParkedTaskRevokedBeforeItsETANeverRuns() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(
                #"{"task": "celeriac.echo", "queue": "\#(stack.queue)", "countdown": 0.5}"#)
            #expect(try await stack.request("POST", "/tasks/\(id)/revoke", body: #"{"terminate": false}"#).status == 202)
            try await Task.sleep(for: .milliseconds(1200))
            let task = try stack.json(try await stack.request("GET", "/tasks/\(id)"))
            #expect(task["state"]?.stringValue == "REVOKED" && task["started_at"] == .null, "\(task)")
            #expect(try await stack.redis.command("ZCARD", RedisKeys.scheduled).integer == 0)
        }
    }

    @Test func terminateCancelsARunningTaskWithinASecond() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.sleep", "args": [30], "queue": "\#(stack.queue)"}"#)
            _ = try await stack.waitFor(id) { $0["state"]?.stringValue == "STARTED" }
            let start = ContinuousClock.now
            let response = try await stack.request("POST", "/tasks/\(id)/revoke", body: #"{"terminate": true}"#)
            #expect(response.status == 202)
            #expect(try stack.json(response)["state"]?.stringValue == "STARTED")
            let task = try await stack.waitFinal(id, timeout: .seconds(5))
            #expect(task["state"]?.stringValue == "REVOKED")
            #expect(task["error"]?["message"]?.stringValue == "terminated")
            #expect(ContinuousClock.now - start < .seconds(1))
        }
    }

    @Test func celerysRevokeBroadcastTerminatesARunningTask() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(
                #"{"task": "celeriac.sleep", "args": [30], "kwargs": {"on_cancel": "ignore"}, "queue": "\#(stack.queue)"}"#)
            _ = try await stack.waitFor(id) { $0["state"]?.stringValue == "STARTED" }
            // What `AsyncResult(id).revoke(terminate=True)` publishes (captured from Celery 5.7).
            let body = #"{"method": "revoke", "arguments": {"task_id": "\#(id)", "terminate": true, "signal": "SIGTERM"}, "destination": null, "pattern": null, "matcher": null}"#
            let envelope = #"{"body": "\#(Data(body.utf8).base64EncodedString())", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"clock": 1, "expires": 1795482533.0773313}, "properties": {"delivery_mode": 2, "delivery_info": {"exchange": "celery.pidbox", "routing_key": ""}, "priority": 0, "body_encoding": "base64", "delivery_tag": "e84c3a43-4fc6-4c23-a528-28d658776985"}}"#
            let channel = RedisKeys.celeryPidbox(database: stack.settings.redisURL.database)
            // Every worker of the suite listens (pub/sub channels are not per database).
            #expect((try await stack.redis.command("PUBLISH", channel, envelope).integer ?? 0) >= 1)
            // The job ignores cancellation: abandoned after the grace second, still REVOKED.
            let task = try await stack.waitFinal(id, timeout: .seconds(5))
            #expect(task["state"]?.stringValue == "REVOKED")
            #expect(task["error"]?["message"]?.stringValue == "terminated")
            // Recorded in the shared set, for workers that start later.
            #expect(try await stack.redis.command("ZSCORE", RedisKeys.revoked, id).string != nil)
        }
    }

    @Test func revokingAFinishedUnknownOrBadRequestIsRefused() async throws {
        try await LiveStack.run { stack in
            let id = try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#)
            _ = try await stack.waitFinal(id)
            let finished = try await stack.request("POST", "/tasks/\(id)/revoke", body: "")
            #expect(finished.status == 409)
            #expect(finished.headers.first { $0.0.lowercased() == "content-type" }?.1 == "application/problem+json")
            #expect(try await stack.request("POST", "/tasks/nope/revoke", body: "").status == 404)
            let other = try await stack.enqueue(#"{"task": "celeriac.echo", "queue": "nobody-\#(stack.queue)"}"#)
            let bad = try await stack.request("POST", "/tasks/\(other)/revoke", body: #"{"terminate": "yes", "now": 1}"#)
            #expect(bad.status == 422)
            #expect(try stack.json(bad)["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } == ["/now", "/terminate"])
            #expect(try await stack.request("POST", "/tasks/\(other)/revoke", body: "{").status == 400)
        }
    }
}
