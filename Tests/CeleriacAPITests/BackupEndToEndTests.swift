// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacJobs
import CeleriacPostgres
import CeleriacSystem
import Foundation
import Synchronization
import TestSupport
import Testing

/// `backup.postgres` through the whole service: enqueued with curl's JSON, run by a worker
/// with a real `pg_dump`, its Slack messages sent by `notify.slack` follow-ups to a local
/// hook, a failing database retried and then reported, a hard time limit killing the dump.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"))
struct BackupEndToEndTests {
    static func backupFolder() throws -> String {
        let path = NSTemporaryDirectory() + "celeriac-e2e-backup-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aBackupTellsSlackItsChecksumAndAFinalFailureTellsTheError() async throws {
        let source = try await TestDatabase.create()
        let db = PostgresClient(url: source, size: 1)
        try await db.query("CREATE TABLE orders AS SELECT generate_series(1, 300) AS id")
        let missing = TestDatabase.replacingDatabase(in: try TestServices.postgresURL, with: "celeriac_no_such_db")
        let base = try Self.backupFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try await HookSink.run { hook, sink in
            let secrets = Secrets(file: ["APP_DB": source, "GONE_DB": missing, "SLACK_WEBHOOK_URL": hook])
            try await LiveStack.run(registry: .builtIn(backupDirectory: base), secrets: secrets) { stack in
                let id = try await stack.enqueue(
                    #"{"task": "backup.postgres", "queue": "\#(stack.queue)", "kwargs": {"database": "APP_DB", "verify": true}}"#)
                let done = try await stack.waitFinal(id, timeout: .seconds(60))
                #expect(done["state"] == "SUCCESS", "\(done)")
                let result = try #require(done["result"])
                #expect(result["tables"] == ["public.orders": 300] && result["verified"] == true)
                let success = try #require(try await sink.waitForPosts(1).first)
                let attachment = try JSONValue.parse(Array(success.utf8))["attachments"]?.arrayValue?.first
                #expect(attachment?["color"] == "good" && attachment?["title"]?.stringValue?.contains("done") == true)
                let fields = attachment?["fields"]?.arrayValue ?? []
                #expect(fields.contains { $0["title"] == "sha256" && $0["value"] == result["sha256"] }, "\(fields)")
                // The follow-up is a task of its own, the backup its parent.
                let notified = try #require(result["notified"]?.stringValue)
                #expect(try await stack.waitFinal(notified)["state"] == "SUCCESS")

                // A database that does not exist: retried as asked, then FAILURE and a red message.
                let failing = try await stack.enqueue("""
                    {"task": "backup.postgres", "queue": "\(stack.queue)", "kwargs": {"database": "GONE_DB"},
                     "retry": {"max_retries": 2, "backoff": 0.1, "backoff_max": 0.1, "jitter": false}}
                    """)
                let failed = try await stack.waitFinal(failing, timeout: .seconds(60))
                #expect(failed["state"] == "FAILURE" && failed["retries"] == 2, "\(failed)")
                let posts = try await sink.waitForPosts(2)
                let alarm = try JSONValue.parse(Array(try #require(posts.last).utf8))["attachments"]?.arrayValue?.first
                #expect(alarm?["color"] == "danger")
                #expect(alarm?["text"]?.stringValue?.contains("celeriac_no_such_db") == true, "\(String(describing: alarm))")
                #expect(alarm?["fields"] == [["title": "attempts", "value": "3", "short": true], ["title": "task", "value": .string(failing), "short": true]])
                // One message per outcome: no follow-up repeated.
                try await Task.sleep(for: .milliseconds(300))
                #expect(sink.posted.withLock { $0.count } == 2)

                // A directory that leaves the backup folder never gets queued.
                let escape = try await stack.request(
                    "POST", "/tasks", body: #"{"task": "backup.postgres", "kwargs": {"directory": "../../etc"}}"#)
                #expect(escape.status == 422 && escape.text.contains("/kwargs/directory"), "\(escape.text)")
            }
        }
    }

    @Test func aHardTimeLimitKillsTheDumpAndLeavesNoPartialFile() async throws {
        let source = try await TestDatabase.create()
        let db = PostgresClient(url: source, size: 1)
        try await db.query("CREATE TABLE busy AS SELECT 1 AS id")
        let base = try Self.backupFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        // Another session holds the table: pg_dump waits for its lock until killed.
        let holder = Task {
            _ = try await ChildProcess(
                executable: "psql", arguments: ["-X", "-q", "-d", source, "-c", "BEGIN; LOCK TABLE busy; SELECT pg_sleep(60);"],
                environment: ["PATH": "/usr/bin:/bin"]
            ).run(stdout: { _ in }, stderr: { _ in })
        }
        defer { holder.cancel() }
        for _ in 0..<250 where try await db.query("SELECT count(*) FROM pg_locks WHERE relation = 'busy'::regclass").values != [["1"]] {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await LiveStack.run(registry: .builtIn(backupDirectory: base), secrets: Secrets(file: ["APP_DB": source])) { stack in
            let id = try await stack.enqueue(
                #"{"task": "backup.postgres", "queue": "\#(stack.queue)", "time_limit": 1, "kwargs": {"database": "APP_DB"}}"#)
            let ended = try await stack.waitFinal(id, timeout: .seconds(20))
            #expect(ended["state"] == "FAILURE" && ended["error"]?["type"] == "TimeLimitExceeded", "\(ended)")
            var left = ["?"]
            for _ in 0..<250 {
                left = try FileManager.default.contentsOfDirectory(atPath: base)
                if left.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(left.isEmpty, "a partial file was left behind: \(left)")
            // The dump's process, not its server session: a backend waiting for a lock does not
            // notice that its client is gone until it gets the lock.
            let database = String(source.split(separator: "/").last ?? "")
            var running = [String]()
            for _ in 0..<250 {
                running = Self.processes(containing: ["pg_dump", database])
                if running.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(running.isEmpty, "pg_dump still runs: \(running)")
        }
    }

    /// Command lines of this machine's processes holding every one of `words`.
    static func processes(containing words: [String]) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid -> String? in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return words.allSatisfy { line.contains($0) } ? line : nil
        }
    }
}
