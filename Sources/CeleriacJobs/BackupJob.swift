// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `backup.postgres(database="CELERIAC_DATABASE_URL", directory="", keep=7, keep_days=None,
/// verify=False, notify=None, webhook="SLACK_WEBHOOK_URL")`: `pg_dump` (an argv; the password
/// in `PGPASSWORD`, never on its command line) streamed through the worker, which counts each
/// table's rows, gzips (zlib) and hashes it on the way into `<db>-<UTC time>.sql.gz` under
/// `CELERIAC_BACKUP_DIR`: written under a temporary name, `fsync`ed and renamed when complete
/// (a failed or killed run leaves no partial file), its SHA-256 in a `.sha256` sidecar
/// (`sha256sum -c` reads it). Then, optionally, a restore into a scratch database whose row
/// counts must match; then older backups removed by count and age (after a success only);
/// then a Slack message (`notify.slack`), and one on final failure. `database` names the
/// secret holding the libpq URL, so no URL travels in the task.
public struct BackupJob: Job {
    public let name = "backup.postgres"
    /// `CELERIAC_BACKUP_DIR`: where backups go; nil refuses every run.
    public var directory: String?
    /// The `pg_dump` and `psql` to run (paths, or names looked up on `PATH`).
    public var pgDump: String
    public var psql: String
    /// `PATH` for the children.
    public var path: String

    public init(
        directory: String?, pgDump: String = "pg_dump", psql: String = "psql", path: String = "/usr/local/bin:/usr/bin:/bin"
    ) {
        self.directory = directory
        self.pgDump = pgDump
        self.psql = psql
        self.path = path
    }

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Backs a PostgreSQL database up with pg_dump into a gzip file with its SHA-256.",
            schema: JobSchema([
                .init("database", .secret, default: "CELERIAC_DATABASE_URL", summary: "the secret holding the database's URL"),
                .init("directory", .relativePath, default: "", maxLength: 255, summary: "under CELERIAC_BACKUP_DIR"),
                .init("keep", .integer, default: 7, minimum: 1, maximum: 10_000, summary: "backups of this database kept"),
                .init("keep_days", .number, minimum: 0, maximum: 36_500, summary: "older backups are removed"),
                .init("verify", .boolean, default: false, summary: "restore into a scratch database and compare row counts"),
                .init("notify", .boolean, summary: "Slack on success and final failure (default: when the webhook is configured)"),
                .init("webhook", .secret, default: "SLACK_WEBHOOK_URL", summary: "the secret holding the Slack webhook URL"),
            ]),
            timeLimit: 600, retry: RetryPolicy(maxRetries: 3, backoff: 300, backoffMax: 300, jitter: false))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let started = ContinuousClock.now
        let arguments = try invocation.arguments(spec.schema)
        guard let base = directory else {
            throw JobFailure(type: "RuntimeError", message: "CELERIAC_BACKUP_DIR is not set on this worker", retryable: false)
        }
        let url = try Self.databaseURL(arguments, invocation.secrets)
        let folder = try Self.folder(base: base, relative: arguments["directory"]?.stringValue ?? "")
        let fileName = "\(Self.safe(url.database))-\(Self.stamp(Date())).sql.gz"
        let final = "\(folder)/\(fileName)"
        let dump = try await self.dump(url, into: final, invocation: invocation)
        try FileOutput.writeWhole("\(dump.sha256)  \(fileName)\n", to: "\(final).sha256")
        if arguments["verify"]?.boolValue == true {
            invocation.progress(current: Double(dump.bytes), message: "verifying: restoring into a scratch database")
            let verifier = BackupVerifier(url: url, psql: psql, environment: environment(for: url))
            let differences = try await verifier.verify(file: final, expected: dump.tables.tables, taskID: invocation.taskID)
            guard differences.isEmpty else {
                throw JobFailure(
                    type: "RuntimeError",
                    message: "verify: restored row counts differ (\(differences.prefix(5).joined(separator: "; "))); \(final) kept",
                    retryable: false)
            }
        }
        let removed = Self.prune(
            folder: folder, prefix: "\(Self.safe(url.database))-", keep: Int(arguments["keep"]?.intValue ?? 7),
            olderThan: arguments["keep_days"]?.doubleValue.map { Date().addingTimeInterval(-$0 * 86_400) })
        let seconds = ((ContinuousClock.now - started).timeInterval * 1000).rounded() / 1000
        var result: [String: JSONValue] = [
            "path": .string(final), "bytes": .int(Int64(dump.bytes)), "sha256": .string(dump.sha256),
            "duration_s": .double(seconds), "tables": dump.tables.json, "removed": .array(removed.map(JSONValue.string)),
        ]
        if arguments["verify"]?.boolValue == true { result["verified"] = .bool(true) }
        if let webhook = Self.notifyWebhook(arguments, invocation.secrets) {
            result["notified"] = .string(try await invocation.enqueue("notify.slack", kwargs: [
                "level": "good", "webhook": .string(webhook), "title": .string("Backup of \(url.database) done"),
                "text": .string(fileName),
                "fields": .object([
                    "size": .string(Self.size(dump.bytes)), "duration": .string("\(seconds) s"), "sha256": .string(dump.sha256),
                    "tables": .string("\(dump.tables.tables.count)"),
                ]),
            ], key: "notify-success"))
        }
        return .object(result)
    }

    /// On final failure, the Slack message (when asked for or the webhook is configured).
    public func failed(_ invocation: JobInvocation, error: TaskError) async {
        guard let arguments = try? invocation.arguments(spec.schema),
            let webhook = Self.notifyWebhook(arguments, invocation.secrets)
        else { return }
        let database = (try? Self.databaseURL(arguments, invocation.secrets))?.database ?? "?"
        do {
            try await invocation.enqueue("notify.slack", kwargs: [
                "level": "danger", "webhook": .string(webhook), "title": .string("Backup of \(database) failed"),
                "text": .string("\(error.type): \(error.message)".prefix(2000).description),
                "fields": .object(["task": .string(invocation.taskID), "attempts": .string("\(invocation.retries + 1)")]),
            ], key: "notify-failure")
        } catch {
            invocation.logger.error("the backup's failure message could not be enqueued", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `pg_dump` into `final` through a ``DumpSink``.
    private func dump(_ url: PostgresURL, into final: String, invocation: JobInvocation) async throws
        -> (bytes: Int, sha256: String, tables: DumpRowCounter)
    {
        let slash = final.lastIndex(of: "/") ?? final.startIndex
        let partial = final[..<slash] + "/." + final[final.index(after: slash)...] + ".partial"
        let sink = try DumpSink(output: try FileOutput(path: String(partial)))
        let child = ChildProcess(
            executable: pgDump, arguments: ["--no-password", "--dbname=\(url.withoutPassword)"], environment: environment(for: url))
        let stderr = Locked<[UInt8]>([])
        let termination: ChildProcess.Termination
        do {
            termination = try await child.run(
                stdout: { chunk in
                    let total = try sink.take(chunk)
                    if total >> 24 != (total - chunk.count) >> 24 {
                        invocation.progress(current: Double(total), message: "\(total >> 20) MiB of SQL dumped")
                    }
                },
                stderr: { chunk in stderr.withLock { $0 = Array(($0 + chunk).suffix(4096)) } })
        } catch {
            sink.abandon()
            if let failure = error as? ChildProcess.Failure {
                throw JobFailure(type: "RuntimeError", message: "pg_dump: \(failure.description)", retryable: false)
            }
            throw error
        }
        guard termination.succeeded else {
            sink.abandon()
            // pg_dump's stderr names the database and its errors, never the password.
            let tail = String(String(decoding: stderr.current, as: UTF8.self).reversed().drop { $0.isWhitespace }.reversed())
            throw JobFailure(type: "RuntimeError", message: "pg_dump ended \(termination): \(tail.suffix(1000))")
        }
        do { return try sink.finish(renamingTo: final) } catch {
            sink.abandon()
            throw error
        }
    }

    /// The children's environment: `PATH`, a connect timeout, and the password apart from the URL.
    private func environment(for url: PostgresURL) -> [String: String] {
        var environment = ["PATH": path, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "celeriac-backup"]
        if let password = url.password { environment["PGPASSWORD"] = password }
        return environment
    }

    private static func databaseURL(_ arguments: [String: JSONValue], _ secrets: Secrets) throws -> PostgresURL {
        let secretName = arguments["database"]?.stringValue ?? "CELERIAC_DATABASE_URL"
        guard let url = PostgresURL(try secrets.value(secretName)) else {
            throw JobFailure(type: "ValueError", message: "secret \(secretName) is not a postgresql:// URL", retryable: false)
        }
        return url
    }

    /// The webhook's secret name when a message is due: `notify` true, or unset and the secret configured.
    private static func notifyWebhook(_ arguments: [String: JSONValue], _ secrets: Secrets) -> String? {
        let webhook = arguments["webhook"]?.stringValue ?? "SLACK_WEBHOOK_URL"
        switch arguments["notify"]?.boolValue {
        case true?: return webhook
        case false?: return nil
        case nil: return (try? secrets.value(webhook)) == nil ? nil : webhook
        }
    }

    /// `1.4 MiB`.
    static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
