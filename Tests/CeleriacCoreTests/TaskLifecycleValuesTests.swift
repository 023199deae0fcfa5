// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import Testing

/// The values behind retries, revokes and progress: policies, the retry re-send, Celery's
/// revoke broadcast, state ranks.
struct TaskLifecycleValuesTests {
    @Test func backoffDoublesUpToItsCapAndFullJitterStaysWithinIt() {
        let policy = RetryPolicy(maxRetries: 10, backoff: 2, backoffMax: 30, jitter: false)
        #expect((0..<6).map { policy.delay(afterRetries: $0, unit: 0.5) } == [2, 4, 8, 16, 30, 30])
        #expect(policy.delay(afterRetries: 1_000, unit: 0.5) == 30)
        var jittered = policy
        jittered.jitter = true
        #expect(jittered.delay(afterRetries: 3, unit: 0) == 0)
        #expect(jittered.delay(afterRetries: 3, unit: 0.25) == 4)
        #expect(jittered.delay(afterRetries: 3, unit: 0.999) < 16)
    }

    @Test func aRetryObjectTakesCeleryDefaultsAndNamesEachBadField() throws {
        var errors: [DomainError.FieldError] = []
        #expect(RetryPolicy.parse(.object([:]), at: "/retry", errors: &errors) == RetryPolicy(maxRetries: 3))
        #expect(errors.isEmpty)
        let bad: JSONValue = ["max_retries": 101, "backoff": 0, "backoff_max": "x", "jitter": 1, "on": true]
        #expect(RetryPolicy.parse(bad, at: "/retry", errors: &errors) == nil)
        #expect(errors.map(\.pointer) == ["/retry/on", "/retry/max_retries", "/retry/backoff", "/retry/backoff_max", "/retry/jitter"])
    }

    @Test func enqueueRequestCarriesTheRetryPolicyAsAHeaderAndReservesItsName() throws {
        let request = try EnqueueRequest(json: ["task": "t", "retry": ["max_retries": 2, "backoff": 5, "jitter": false]])
        let options = request.options(now: Date())
        let header = try #require(options.headers[RetryPolicy.header])
        var errors: [DomainError.FieldError] = []
        #expect(RetryPolicy.parse(header, at: "", errors: &errors) == RetryPolicy(maxRetries: 2, backoff: 5, jitter: false))
        #expect(request.canonicalJSON.contains("\"retry\""))
        #expect(throws: DomainError.self) { try EnqueueRequest(json: ["task": "t", "headers": ["celeriac_retry": 1]]) }
        #expect(throws: DomainError.self) { try EnqueueRequest(json: ["task": "t", "retry": 3]) }
    }

    @Test func aRetriedMessageIsCelerysReSend() throws {
        let message = try TaskMessage.decode(try FixtureFiles.bytes("plain.json"))
        let eta = Date(timeIntervalSince1970: 1_800_000_000.25)
        let next = message.retried(at: eta, deliveryTag: "tag-2")
        #expect(next.retries == message.retries + 1 && next.id == message.id)
        #expect(next.eta.flatMap(CeleryTime.parse) == eta)
        #expect(next.headers["parent_id"]?.stringValue == message.id)
        #expect(next.deliveryTag == "tag-2")
        // What the worker parks decodes back to the same next attempt.
        #expect(try TaskMessage.decode(Array(next.encoded().utf8)) == next)
        #expect(next.retried(at: eta, deliveryTag: "tag-3").retries == message.retries + 2)
    }

    @Test func timeLimitsAreReadFromTheCeleryHeader() throws {
        let message = try TaskMessage.decode(try FixtureFiles.bytes("shadow_retries_timelimit.json"))
        let limits = message.timeLimits
        #expect(limits.hard == 60 && limits.soft == 50)
        let plain = try TaskMessage.decode(try FixtureFiles.bytes("plain.json")).timeLimits
        #expect(plain.hard == nil && plain.soft == nil)
    }

    @Test func celerysRevokeBroadcastIsRead() throws {
        let captured = try JSONValue.parse(try FixtureFiles.bytes("events_and_control.json"))
        let terminate = try #require(captured["pidbox:revoke:terminate"]?["raw"]?.stringValue)
        #expect(RevokeCommand.parse(Array(terminate.utf8)) == RevokeCommand(
            taskIDs: ["0f1268ff-1454-4819-ba69-deabf7ad8b52"], terminate: true))
        let plain = try #require(captured["pidbox:revoke"]?["raw"]?.stringValue)
        #expect(RevokeCommand.parse(Array(plain.utf8))?.terminate == false)
        #expect(captured["pidbox:revoke"]?["channel"]?.stringValue == RedisKeys.celeryPidbox(database: 0))
        // Ours is Celery's envelope byte for byte (with its delivery tag and expiry), and
        // round-trips; other methods and junk are not revokes.
        let captured_ = try JSONValue.parse(Array(terminate.utf8))
        let same = RevokeCommand(taskIDs: ["0f1268ff-1454-4819-ba69-deabf7ad8b52"], terminate: true).envelope(
            deliveryTag: "e84c3a43-4fc6-4c23-a528-28d658776985",
            expires: Date(timeIntervalSince1970: try #require(captured_["headers"]?["expires"]?.doubleValue)))
        #expect(String(decoding: same, as: UTF8.self) == terminate)
        let ours = RevokeCommand(taskIDs: ["a", "b"], terminate: true, destination: ["w1"])
        #expect(RevokeCommand.parse(ours.envelope(deliveryTag: "t", expires: Date())) == ours)
        #expect(ours.isFor(worker: "w1") && !ours.isFor(worker: "w2"))
        #expect(RevokeCommand.parse(Array(#"{"method": "ping", "arguments": {}}"#.utf8)) == nil)
        #expect(RevokeCommand.parse(Array("not json".utf8)) == nil)
        #expect(RevokeCommand.parse(Array(#"{"method": "revoke", "arguments": {"task_id": ""}}"#.utf8)) == nil)
    }

    @Test func aRetryOutranksItsOwnAttemptButNotTheNext() {
        #expect(TaskState.rank(.retry, retries: 0) > TaskState.rank(.started, retries: 0))
        #expect(TaskState.rank(.started, retries: 1) > TaskState.rank(.retry, retries: 0))
        #expect(TaskState.rank(.progress, retries: 0) == TaskState.rank(.started, retries: 0))
        #expect(TaskState.retry.isSuperseded(by: .started))
        #expect(!TaskState.success.isSuperseded(by: .started))
    }

    @Test func progressAndRetryTimeLiveInTheirOwnRecordFields() throws {
        var report = TaskReport(
            id: "x", state: .progress, task: "t", queue: nil, args: nil, kwargs: nil, worker: "w", pid: 1, timestamp: 10,
            result: ["current": 1, "total": 4, "message": .null])
        var hash = Dictionary(uniqueKeysWithValues: report.hashFields())
        #expect(hash["progress"] == #"{"current": 1, "message": null, "total": 4}"# && hash["result"] == nil)
        // Celery's meta carries it as the result: AsyncResult.info reads it.
        #expect(report.resultMeta().status == .progress && report.resultMeta().result["total"] == 4)
        report.state = .retry
        report.result = nil
        report.retryAt = 20
        hash = Dictionary(uniqueKeysWithValues: report.hashFields())
        hash["task"] = "t"
        let record = try #require(TaskRecord(id: "x", hash: hash))
        #expect(record.retryAt == Date(timeIntervalSince1970: 20))
        let decoded = try TaskReport(json: try JSONValue.parse(Array({ var w = JSONWriter(); report.write(to: &w); return w.bytes }())), pointer: "")
        #expect(decoded == report)
    }

    @Test func aSuccessAfterARetryClearsTheEarlierAttemptsError() throws {
        var hash = Dictionary(uniqueKeysWithValues: TaskReport(
            id: "x", state: .retry, task: "t", queue: nil, args: nil, kwargs: nil, worker: "w", pid: 1, timestamp: 10,
            error: TaskError(type: "SlackError", module: "celeriac.jobs", message: "503", traceback: "")
        ).hashFields())
        hash["task"] = "t"
        #expect(TaskRecord(id: "x", hash: hash)?.error?.type == "SlackError")
        let success = TaskReport(
            id: "x", state: .success, task: "t", queue: nil, args: nil, kwargs: nil, worker: "w", pid: 1, timestamp: 11, result: 1)
        hash.merge(success.hashFields()) { _, new in new }
        #expect(TaskRecord(id: "x", hash: hash)?.error == nil)
    }
}
