// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Proves a backup restores: creates a scratch database on the same server, feeds it the
/// decompressed file through `psql` (one transaction, stop at the first error), counts every
/// dumped table's rows there and compares them with the counts taken from the dump's stream,
/// then drops the scratch database whatever happened. Needs the `CREATEDB` privilege.
struct BackupVerifier: Sendable {
    var url: PostgresURL
    var psql: String
    var environment: [String: String]

    /// The tables whose restored counts differ, as `name: expected → restored`; empty when all match.
    /// - Parameter taskID: named in the scratch database's name, so a leftover one tells whose it was.
    func verify(file: String, expected: [(name: String, rows: Int)], taskID: String) async throws -> [String] {
        let scratch = Self.scratchName(taskID: taskID)
        try await sql("CREATE DATABASE \(scratch)", on: url, what: "creating the scratch database (needs CREATEDB)")
        do {
            let target = url.replacingDatabase(with: scratch)
            try await restore(file, into: target)
            let restored = try await count(expected.map(\.name), on: target)
            try await drop(scratch)
            return zip(expected, restored).compactMap { table, rows in
                table.rows == rows ? nil : "\(table.name): \(table.rows) → \(rows)"
            }
        } catch {
            // Cancelled (a time limit) or failed: the scratch database goes all the same.
            let cleanup = Task.detached { [self] in try? await drop(scratch) }
            if !Task.isCancelled { await cleanup.value }
            throw error
        }
    }

    /// Drops the scratch database, trying three times (a busy server may refuse a moment).
    private func drop(_ scratch: String) async throws {
        for attempt in 1...3 {
            do {
                _ = try await sql("DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)", on: url, what: "dropping the scratch database \(scratch)")
                return
            } catch where attempt < 3 {
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    /// Streams the gzip file, decompressed, into `psql` for `target`.
    private func restore(_ file: String, into target: PostgresURL) async throws {
        let reader = try GzipFileReader(path: file)
        let stderr = Locked<[UInt8]>([])
        let ended = try await child(["--single-transaction", "--dbname=\(target.withoutPassword)"]).run(
            stdin: .stream { try reader.next() }, stdout: { _ in },
            stderr: { chunk in stderr.withLock { $0 = Array(($0 + chunk).suffix(2048)) } })
        guard ended.succeeded else {
            throw JobFailure(
                type: "RuntimeError", message: "verify: the backup did not restore (psql \(ended)): \(Self.tail(stderr.current))",
                retryable: false)
        }
    }

    /// Row counts of `tables` (names as pg_dump wrote them, so already quoted) on `target`.
    private func count(_ tables: [String], on target: PostgresURL) async throws -> [Int] {
        guard !tables.isEmpty else { return [] }
        for name in tables where !Self.isQualifiedIdentifier(name) {
            throw JobFailure(type: "RuntimeError", message: "verify: unexpected table name in the dump: \(name.prefix(200))")
        }
        let values = tables.enumerated().map { "(\($0.offset), (SELECT count(*) FROM ONLY \($0.element)))" }
        let query = "SELECT n, c FROM (VALUES \(values.joined(separator: ", "))) AS t(n, c) ORDER BY n"
        let text = try await sql(query, on: target, what: "counting the restored rows")
        let counts = text.split(separator: "\n").compactMap { $0.split(separator: "|").last.flatMap { Int($0) } }
        guard counts.count == tables.count else {
            throw JobFailure(type: "RuntimeError", message: "verify: psql answered \(counts.count) counts for \(tables.count) tables")
        }
        return counts
    }

    /// Runs one statement with `psql -At`; returns its output.
    @discardableResult
    private func sql(_ statement: String, on target: PostgresURL, what: String) async throws -> String {
        let out = Locked<[UInt8]>([]), err = Locked<[UInt8]>([])
        let ended = try await child(["-At", "--dbname=\(target.withoutPassword)", "--command=\(statement)"]).run(
            stdout: { chunk in out.withLock { $0 += chunk } },
            stderr: { chunk in err.withLock { $0 = Array(($0 + chunk).suffix(2048)) } })
        guard ended.succeeded else {
            throw JobFailure(type: "RuntimeError", message: "verify: \(what) failed: \(Self.tail(err.current))", retryable: false)
        }
        return String(decoding: out.current, as: UTF8.self)
    }

    /// `celeriac_verify_<the task id's first 12 letters and digits>_<8 random hex digits>`.
    static func scratchName(taskID: String) -> String {
        let task = String(taskID.lowercased().unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) }.prefix(12))
        return "celeriac_verify_\(task)_" + TaskID.random().replacing("-", with: "").prefix(8)
    }

    private func child(_ arguments: [String]) -> ChildProcess {
        ChildProcess(executable: psql, arguments: ["-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1"] + arguments, environment: environment)
    }

    private static func tail(_ bytes: [UInt8]) -> String {
        String(String(decoding: bytes, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " / ").prefix(1000))
    }

    /// `schema.table`, each part a bare lowercase identifier or a double-quoted one: what
    /// pg_dump writes, and nothing that could end the statement it is put into.
    static func isQualifiedIdentifier(_ name: String) -> Bool {
        var parts = 0, index = name.startIndex
        while index < name.endIndex {
            if name[index] == "\"" {
                index = name.index(after: index)
                while index < name.endIndex {
                    if name[index] == "\"" {
                        let next = name.index(after: index)
                        guard next < name.endIndex, name[next] == "\"" else { break }
                        index = name.index(after: next)
                    } else {
                        index = name.index(after: index)
                    }
                }
                guard index < name.endIndex else { return false }
                index = name.index(after: index)
            } else {
                let start = index
                while index < name.endIndex, name[index].isASCII, name[index].isLowercase || name[index].isNumber || name[index] == "_" || name[index] == "$" {
                    index = name.index(after: index)
                }
                guard index > start else { return false }
            }
            parts += 1
            if index < name.endIndex {
                guard name[index] == ".", parts < 3 else { return false }
                index = name.index(after: index)
                guard index < name.endIndex else { return false }
            }
        }
        return parts == 2
    }
}

/// A gzip file read back decompressed, a chunk at a time (a restore's stdin).
final class GzipFileReader: Sendable {
    private let state: Locked<(fd: Int32, gzip: Gzip, done: Bool)>

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JobFailure(type: "OSError", message: "cannot open \(path): errno \(errno)") }
        state = Locked((fd, try Gzip(.decompress), false))
    }

    deinit { state.withLock { _ = close($0.fd) } }

    /// The next decompressed bytes, nil at the end.
    func next() throws -> [UInt8]? {
        try state.withLock { state in
            var buffer = [UInt8](repeating: 0, count: 256 << 10)
            while !state.done {
                let count = buffer.withUnsafeMutableBytes { read(state.fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw JobFailure(type: "OSError", message: "reading the backup failed: errno \(errno)")
                }
                if count == 0 {
                    state.done = true
                    guard state.gzip.ended else { throw JobFailure(type: "EOFError", message: "the backup file ends mid-stream") }
                    return nil
                }
                let out = try state.gzip.process(Array(buffer[0..<count]))
                if state.gzip.ended { state.done = true }
                if !out.isEmpty { return out }
            }
            return nil
        }
    }
}
