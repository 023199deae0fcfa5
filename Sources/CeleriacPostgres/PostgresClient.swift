// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation

/// A small pool of libpq connections, each on its own thread. Queries go to the slot with the
/// fewest waiting calls; a broken connection is replaced on the slot's next query.
public final class PostgresClient: Sendable {
    private let slots: [Slot]
    private let conninfo: String

    /// - Parameters:
    ///   - url: `postgresql://user[:password]@host:port/db` (libpq URI) or conninfo text.
    ///   - size: connections in the pool.
    public init(url: String, size: Int = 2, name: String = "pg") {
        conninfo = Self.withTimeouts(url)
        slots = (0..<max(1, size)).map { Slot(thread: BlockingThread(name: "\(name)-\($0)")) }
    }

    /// Runs several statements in one go (no parameters), for migrations only.
    public func executeScript(_ sql: String) async throws {
        let slot = slots[0]
        let conninfo = self.conninfo
        _ = try await slot.thread.run { try slot.executeScript(conninfo: conninfo, sql) }
    }

    /// Runs one parameterised statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) async throws -> PGRows {
        try await onFreestSlot { connection in try connection.execute(sql, params) }
    }

    /// Runs a statement that is prepared on each connection the first time it runs there.
    @discardableResult
    public func query(_ statement: PGStatement, _ params: [String?] = []) async throws -> PGRows {
        try await onFreestSlot { connection in try connection.execute(statement, params) }
    }

    private func onFreestSlot(_ body: @escaping @Sendable (PGConnection) throws -> PGRows) async throws -> PGRows {
        let slot = slots.min { $0.waiting.current < $1.waiting.current }!
        slot.waiting.withLock { $0 += 1 }
        defer { slot.waiting.withLock { $0 -= 1 } }
        let conninfo = self.conninfo
        return try await slot.thread.run { try slot.execute(conninfo: conninfo, body) }
    }

    /// Adds a 5 s `connect_timeout` unless the URL sets one: every network call has a bound.
    /// (Statements get a 30 s `statement_timeout` when each connection opens.)
    static func withTimeouts(_ url: String) -> String {
        guard !url.contains("connect_timeout") else { return url }
        if url.contains("://") { return url + (url.contains("?") ? "&" : "?") + "connect_timeout=5" }
        return url + " connect_timeout=5"
    }
}

/// One pooled connection and the thread that owns it.
private final class Slot: @unchecked Sendable {
    // Safe to share: `connection` is only touched on `thread` (inside `execute`).
    let thread: BlockingThread
    let waiting = Locked(0)
    private var connection: PGConnection?

    init(thread: BlockingThread) { self.thread = thread }

    func executeScript(conninfo: String, _ sql: String) throws {
        try connect(conninfo)
        try connection!.executeScript(sql)
    }

    private func connect(_ conninfo: String) throws {
        if connection?.isHealthy != true {
            connection = nil
            let fresh = try PGConnection(conninfo: conninfo)
            _ = try fresh.execute("SET statement_timeout = 30000", [])
            connection = fresh
        }
    }

    func execute(conninfo: String, _ body: (PGConnection) throws -> PGRows) throws -> PGRows {
        try connect(conninfo)
        do {
            return try body(connection!)
        } catch {
            if case PostgresError.connectionLost? = error as? PostgresError { connection = nil }
            throw error
        }
    }
}
