// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacJobs
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

/// `notify.slack` against a real HTTP sink on a loopback port: the payload Slack gets, a 429
/// retried after its `Retry-After`, a 4xx failing at once, and the webhook URL (a secret)
/// never in what the job reports.
@Suite struct SlackJobTests {
    static func withSink(_ statuses: [Int], _ body: @Sendable (String, HookSink) async throws -> Void) async throws {
        try await HookSink.run(statuses, body)
    }

    func invocation(_ kwargs: [String: JSONValue], secrets: Secrets) -> JobInvocation {
        JobInvocation(
            taskID: "t1", task: "notify.slack", args: [], kwargs: kwargs, retries: 0, logger: Logger(label: "test"),
            secrets: secrets, http: HTTPClient(concurrency: 1, name: "test-slack"))
    }

    @Test func postsAnAttachmentAndRetriesA429AfterItsRetryAfter() async throws {
        try await Self.withSink([429]) { url, sink in
            let secrets = Secrets(environment: ["OPS_SLACK": url])
            let kwargs: [String: JSONValue] = [
                "text": "backup failed", "level": "danger", "title": "nightly backup", "fields": ["db": "main", "size": "1 GB"],
                "webhook": "OPS_SLACK",
            ]
            do {
                _ = try await SlackJob().run(invocation(kwargs, secrets: secrets))
                Issue.record("a 429 must ask for a retry")
            } catch let retry as JobRetry {
                #expect(retry.delay == .seconds(1))
                #expect(!retry.reason.contains(url))
            }
            #expect(try await SlackJob().run(invocation(kwargs, secrets: secrets)) == ["status": 200])
            let posted = sink.posted.withLock { $0 }
            #expect(posted.count == 2)
            let payload = try JSONValue.parse(Array(posted[1].utf8))
            let attachment = payload["attachments"]?.arrayValue?.first
            #expect(attachment?["color"] == "danger" && attachment?["title"] == "nightly backup")
            #expect(attachment?["text"] == "backup failed" && attachment?["fallback"] == "backup failed")
            #expect(attachment?["fields"] == [
                ["title": "db", "value": "main", "short": true], ["title": "size", "value": "1 GB", "short": true],
            ])
        }
    }

    @Test func aRefusalFailsAtOnceAndA5xxIsRetried() async throws {
        try await Self.withSink([404, 503]) { url, _ in
            let secrets = Secrets(environment: ["SLACK_WEBHOOK_URL": url])
            await #expect(throws: JobFailure.self) { _ = try await SlackJob().run(invocation(["text": "hi"], secrets: secrets)) }
            await #expect(throws: JobRetry.self) { _ = try await SlackJob().run(invocation(["text": "hi"], secrets: secrets)) }
        }
    }

    @Test func aMissingSecretIsNamedAndAnUnreachableHookRetriedWithoutItsURL() async throws {
        do {
            _ = try await SlackJob().run(invocation(["text": "hi", "webhook": "NOPE"], secrets: Secrets()))
            Issue.record("a missing secret must fail")
        } catch let failure as JobFailure {
            #expect(failure.type == "KeyError" && failure.message.contains("NOPE"))
        }
        let url = "http://127.0.0.1:1/hook-with-token-abc123"
        do {
            _ = try await SlackJob().run(invocation(["text": "hi"], secrets: Secrets(file: ["SLACK_WEBHOOK_URL": url])))
            Issue.record("an unreachable hook must ask for a retry")
        } catch let retry as JobRetry {
            #expect(!retry.reason.contains("abc123") && retry.reason.contains("SLACK_WEBHOOK_URL"))
        }
    }
}
