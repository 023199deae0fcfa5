// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `backup.postgres(database="CELERIAC_DATABASE_URL", directory="", keep=7, keep_days=None)`:
/// `pg_dump` (an argv; the password in `PGPASSWORD`, never on its command line) with its own
/// gzip compression streamed into `<db>-<UTC time>.sql.gz` under `CELERIAC_BACKUP_DIR`,
/// written under a temporary name, `fsync`ed and renamed when complete (a failed or killed
/// run leaves no partial file), its SHA-256 in a `.sha256` sidecar (`sha256sum -c` reads it),
/// then older backups removed by count and age (after a success only). `database` names
/// the secret holding the libpq URL, so no URL travels in the task.
public struct BackupJob: Job {
    public let name = "backup.postgres"
    /// `CELERIAC_BACKUP_DIR`: where backups go; nil refuses every run.
    public var directory: String?
    /// The `pg_dump` to run (a path, or a name looked up on `PATH`).
    public var pgDump: String
    /// `PATH` for the children.
    public var path: String

    public init(directory: String?, pgDump: String = "pg_dump", path: String = "/usr/local/bin:/usr/bin:/bin") {
        self.directory = directory
        self.pgDump = pgDump
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
            ]),
            timeLimit: 600, retry: RetryPolicy(maxRetries: 3, backoff: 300, backoffMax: 300, jitter: false))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let started = ContinuousClock.now
        let arguments = try invocation.arguments(spec.schema)
        guard let base = directory else {
            throw JobFailure(type: "RuntimeError", message: "CELERIAC_BACKUP_DIR is not set on this worker", retryable: false)
        }
        let secretName = arguments["database"]?.stringValue ?? "CELERIAC_DATABASE_URL"
        guard let url = PostgresURL(try invocation.secrets.value(secretName)) else {
            throw JobFailure(type: "ValueError", message: "secret \(secretName) is not a postgresql:// URL", retryable: false)
        }
        let folder = try Self.folder(base: base, relative: arguments["directory"]?.stringValue ?? "")
        let stamp = Self.stamp(Date())
        let fileName = "\(Self.safe(url.database))-\(stamp).sql.gz"
        let final = "\(folder)/\(fileName)"
        let partial = "\(folder)/.\(fileName).partial"
        let output = try FileOutput(path: partial)
        var environment = ["PATH": path, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "celeriac-backup"]
        if let password = url.password { environment["PGPASSWORD"] = password }
        let dump = ChildProcess(
            executable: pgDump, arguments: ["--no-password", "--compress=6", "--dbname=\(url.withoutPassword)"],
            environment: environment)
        let stderr = Locked<[UInt8]>([])
        let termination: ChildProcess.Termination
        do {
            termination = try await dump.run(
                stdout: { chunk in
                    let total = try output.write(chunk)
                    if total / (1 << 20) != (total - chunk.count) / (1 << 20) {
                        invocation.progress(current: Double(total), message: "\(total) bytes written")
                    }
                },
                stderr: { chunk in stderr.withLock { $0 = Array(($0 + chunk).suffix(4096)) } })
        } catch {
            output.abandon()
            if let failure = error as? ChildProcess.Failure {
                throw JobFailure(type: "RuntimeError", message: "pg_dump: \(failure.description)", retryable: false)
            }
            throw error
        }
        guard termination.succeeded else {
            output.abandon()
            // pg_dump's stderr names the database and its errors, never the password.
            let tail = String(String(decoding: stderr.current, as: UTF8.self).reversed().drop { $0.isWhitespace }.reversed())
            throw JobFailure(type: "RuntimeError", message: "pg_dump ended \(termination): \(tail.suffix(1000))")
        }
        let bytes = try output.finish(renamingTo: final)
        let checksum = try await Self.sha256(of: final, path: path)
        try FileOutput.writeWhole("\(checksum)  \(fileName)\n", to: "\(final).sha256")
        let removed = Self.prune(
            folder: folder, prefix: "\(Self.safe(url.database))-", keep: Int(arguments["keep"]?.intValue ?? 7),
            olderThan: arguments["keep_days"]?.doubleValue.map { Date().addingTimeInterval(-$0 * 86_400) })
        return .object([
            "path": .string(final), "bytes": .int(Int64(bytes)), "sha256": .string(checksum),
            "duration_s": .double(((ContinuousClock.now - started).timeInterval * 1000).rounded() / 1000),
            "removed": .array(removed.map(JSONValue.string)),
        ])
    }

    /// `base/relative`, created if missing, and still under `base` once symbolic links are
    /// followed.
    static func folder(base: String, relative: String) throws -> String {
        let folder = relative.isEmpty ? base : "\(base)/\(relative)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard let realBase = realpath(base, nil), let realFolder = realpath(folder, nil) else {
            throw JobFailure(type: "FileNotFoundError", message: "backup directory \(relative) cannot be made", retryable: false)
        }
        defer {
            free(realBase)
            free(realFolder)
        }
        let baseText = String(cString: realBase), folderText = String(cString: realFolder)
        guard folderText == baseText || folderText.hasPrefix(baseText + "/") else {
            throw JobFailure(type: "PermissionError", message: "backup directory \(relative) leads outside CELERIAC_BACKUP_DIR", retryable: false)
        }
        return folderText
    }

    /// `20261205T030000.123Z`: sorts as time does.
    static func stamp(_ date: Date) -> String {
        let text = CeleryTime.format(date)  // 2026-12-05T03:00:00.123456+00:00
        return text.prefix(10).replacing("-", with: "") + "T" + text.dropFirst(11).prefix(12).replacing(":", with: "") + "Z"
    }

    /// A database name as a file name: letters, digits, `_`, `-`, `.`; others become `_`.
    static func safe(_ name: String) -> String {
        String(name.unicodeScalars.prefix(63).map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
    }

    static func sha256(of file: String, path: String) async throws -> String {
        let output = Locked<[UInt8]>([])
        let ended = try await ChildProcess(executable: "sha256sum", arguments: ["--", file], environment: ["PATH": path]).run(
            stdout: { chunk in output.withLock { $0 += chunk } }, stderr: { _ in })
        let text = String(decoding: output.current, as: UTF8.self)
        guard ended.succeeded, let digest = text.split(separator: " ").first, digest.count == 64 else {
            throw JobFailure(type: "RuntimeError", message: "sha256sum failed on the backup (\(ended))")
        }
        return String(digest)
    }

    /// Removes this database's backups beyond the newest `keep` and those older than
    /// `olderThan`, with their sidecars. Returns the names removed.
    static func prune(folder: String, prefix: String, keep: Int, olderThan: Date?) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".sql.gz") }.sorted(by: >)
        var removed: [String] = []
        for (index, name) in names.enumerated() {
            var tooOld = false
            if let olderThan, let made = try? FileManager.default.attributesOfItem(atPath: "\(folder)/\(name)")[.modificationDate] as? Date {
                tooOld = made < olderThan
            }
            guard index >= keep || (tooOld && index > 0) else { continue }
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name)")
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name).sha256")
            removed.append(name)
        }
        return removed
    }
}
