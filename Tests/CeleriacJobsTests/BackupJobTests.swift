// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacJobs
import CeleriacPostgres
import CeleriacSystem
import Foundation
import Logging
import TestSupport
import Testing

/// `backup.postgres` against the test PostgreSQL with the real `pg_dump`: the file restores
/// into a new database with the same rows, its checksum verifies, retention keeps the newest,
/// a failed dump leaves nothing behind, and the directory cannot leave the backup folder.
@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct BackupJobTests {
    static func invocation(_ kwargs: [String: JSONValue], secrets: [String: String]) -> JobInvocation {
        JobInvocation(
            taskID: "b1", task: "backup.postgres", args: [], kwargs: kwargs, retries: 0, logger: Logger(label: "test"),
            secrets: Secrets(file: secrets))
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "celeriac-backup-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs an argv, feeding `input`; returns its stdout and whether it succeeded.
    static func run(_ executable: String, _ arguments: [String], input: [UInt8] = [], in directory: String? = nil) async throws
        -> (ok: Bool, out: [UInt8])
    {
        let out = Locked<[UInt8]>([])
        let ended = try await ChildProcess(
            executable: executable, arguments: arguments, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: directory
        ).run(input: input, stdout: { chunk in out.withLock { $0 += chunk } }, stderr: { _ in })
        return (ended.succeeded, out.current)
    }

    @Test func aBackupRestoresWithTheSameRowsVerifiesAndOldOnesAreRemoved() async throws {
        let source = try await TestDatabase.create()
        let db = PostgresClient(url: source, size: 1)
        try await db.query("CREATE TABLE orders (id integer PRIMARY KEY, note text)")
        try await db.query("INSERT INTO orders SELECT i, 'order ' || i FROM generate_series(1, 5000) AS i")
        try await db.query("CREATE TABLE users (name text)")
        try await db.query("INSERT INTO users VALUES ('ann'), ('bo')")
        let base = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let job = BackupJob(directory: base)
        var results: [JSONValue] = []
        for _ in 0..<3 {
            results.append(try await job.run(Self.invocation(["database": "APP_DB", "directory": "nightly", "keep": 2], secrets: ["APP_DB": source])))
        }
        let last = try #require(results.last)
        let path = try #require(last["path"]?.stringValue)
        #expect(path.hasPrefix(base) && path.contains("/nightly/") && path.hasSuffix(".sql.gz"))
        #expect((last["bytes"]?.intValue ?? 0) > 1000 && last["sha256"]?.stringValue?.count == 64)
        #expect(last["removed"]?.arrayValue?.count == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(base)/nightly").sorted()
        #expect(files.count == 4 && files.filter { $0.hasSuffix(".sql.gz") }.count == 2, "\(files)")
        #expect(!files.contains { $0.hasSuffix(".partial") })
        // The sidecar is what sha256sum -c reads.
        let name = String(path.split(separator: "/").last!)
        #expect(try await Self.run("sha256sum", ["-c", name + ".sha256"], in: "\(base)/nightly").ok)
        // Restored into a new database: the same rows.
        let unpacked = try await Self.run("gzip", ["-dc", path])
        #expect(unpacked.ok && String(decoding: unpacked.out, as: UTF8.self).contains("CREATE TABLE public.orders"))
        let target = try await TestDatabase.create()
        let restore = try await Self.run("psql", ["-q", "-v", "ON_ERROR_STOP=1", "-d", target], input: unpacked.out)
        #expect(restore.ok)
        let restored = PostgresClient(url: target, size: 1)
        #expect(try await restored.query("SELECT count(*), sum(id) FROM orders").values == [["5000", "12502500"]])
        #expect(try await restored.query("SELECT string_agg(name, ',' ORDER BY name) FROM users").values == [["ann,bo"]])
    }

    @Test func aFailedDumpLeavesNothingAndPathsStayInsideTheBackupFolder() async throws {
        let base = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let job = BackupJob(directory: base)
        let missing = TestDatabase.replacingDatabase(in: try TestServices.postgresURL, with: "celeriac_no_such_db")
        await #expect(throws: JobFailure.self) {
            _ = try await job.run(Self.invocation(["database": "GONE"], secrets: ["GONE": missing]))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: base).isEmpty)
        // `..` is refused by the schema (a 422 at enqueue); a link out of the folder at run time.
        #expect(throws: DomainError.self) { _ = try job.spec.schema.check(args: [], kwargs: ["directory": "../etc"], operation: "t") }
        try FileManager.default.createSymbolicLink(atPath: "\(base)/out", withDestinationPath: NSTemporaryDirectory())
        do {
            _ = try await job.run(Self.invocation(["database": "GONE", "directory": "out"], secrets: ["GONE": missing]))
            Issue.record("a link out of the backup folder must be refused")
        } catch let failure as JobFailure {
            #expect(failure.type == "PermissionError")
        }
    }

    @Test func aURLsPasswordIsSplitOffForTheEnvironment() throws {
        let url = try #require(PostgresURL("postgresql://app:p%40ss@db.internal:5432/shop?sslmode=require"))
        #expect(url.password == "p@ss" && url.database == "shop")
        #expect(url.withoutPassword == "postgresql://app@db.internal:5432/shop?sslmode=require")
        #expect(PostgresURL("postgres://localhost")?.database == "postgres")
        #expect(PostgresURL("mysql://x") == nil)
    }
}
