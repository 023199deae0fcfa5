// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
@testable import CeleriacJobs
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
    static func invocation(_ kwargs: [String: JSONValue], secrets: [String: String], taskID: String = "b1") -> JobInvocation {
        JobInvocation(
            taskID: taskID, task: "backup.postgres", args: [], kwargs: kwargs, retries: 0, logger: Logger(label: "test"),
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
        for round in 0..<3 {
            let kwargs: [String: JSONValue] = ["database": "APP_DB", "directory": "nightly", "keep": 2, "verify": .bool(round == 2)]
            results.append(try await job.run(Self.invocation(kwargs, secrets: ["APP_DB": source], taskID: "restores\(round)")))
        }
        let last = try #require(results.last)
        // Counted from the dump's own stream, then proved by a restore into a scratch database.
        #expect(last["tables"] == ["public.orders": 5000, "public.users": 2])
        #expect(last["verified"] == true && results[0]["verified"] == nil)
        #expect(try await db.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'celeriac_verify_restores2_%'").values == [["0"]])
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

    @Test func verifyReportsATableWhoseRestoredRowsDiffer() async throws {
        let source = try await TestDatabase.create()
        let db = PostgresClient(url: source, size: 1)
        try await db.query("CREATE TABLE items (id integer)")
        try await db.query("INSERT INTO items SELECT generate_series(1, 10)")
        let base = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let result = try await BackupJob(directory: base).run(Self.invocation(["database": "APP_DB"], secrets: ["APP_DB": source]))
        let verifier = BackupVerifier(url: try #require(PostgresURL(source)), psql: "psql", environment: ["PATH": "/usr/bin:/bin"])
        let file = try #require(result["path"]?.stringValue)
        #expect(try await verifier.verify(file: file, expected: [("public.items", 10)], taskID: "differ").isEmpty)
        #expect(try await verifier.verify(file: file, expected: [("public.items", 11)], taskID: "differ") == ["public.items: 11 → 10"])
        // A name that is not an identifier never reaches SQL.
        await #expect(throws: JobFailure.self) {
            _ = try await verifier.verify(file: file, expected: [("public.items; DROP", 1)], taskID: "differ")
        }
        #expect(try await db.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'celeriac_verify_differ_%'").values == [["0"]])
        #expect(BackupVerifier.scratchName(taskID: "3F2A-…-x!").hasPrefix("celeriac_verify_3f2ax_"))
        // A truncated file does not restore.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: file + ".cut"))
        await #expect(throws: JobFailure.self) {
            _ = try await verifier.verify(file: file + ".cut", expected: [("public.items", 10)], taskID: "differ")
        }
    }

    @Test func identifiersAreWhatPgDumpWrites() {
        for good in ["public.t", "public.\"Order Lines\"", "\"a\"\"b\".c_1$"] { #expect(BackupVerifier.isQualifiedIdentifier(good), "\(good)") }
        for bad in ["t", "public.t;", "public.T", "a.b.c.d", "public.\"x", "public.", ".t", "public.t --"] {
            #expect(!BackupVerifier.isQualifiedIdentifier(bad), "\(bad)")
        }
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
        let scratch = url.replacingDatabase(with: "celeriac_verify_1")
        #expect(scratch.withoutPassword == "postgresql://app@db.internal:5432/celeriac_verify_1?sslmode=require")
        #expect(scratch.password == "p@ss" && scratch.database == "celeriac_verify_1")
        #expect(PostgresURL("postgresql://h")?.replacingDatabase(with: "x").withoutPassword == "postgresql://h/x")
        #expect(PostgresURL("mysql://x") == nil)
    }
}
