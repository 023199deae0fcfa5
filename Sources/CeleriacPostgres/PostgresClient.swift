// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A small pool of libpq connections, each on its own thread (``ThreadSlots``). Queries go to
/// the slot with the fewest waiting calls; a broken connection is replaced on the slot's next
/// query. Every statement has a bound: `statement_timeout` (30 s unless configured, or set
/// per transaction) and a 5 s `connect_timeout`.
public final class PostgresClient: Sendable {
    private let slots: ThreadSlots<PGConnection>
    private let conninfo: String
    private let statementTimeout: Duration?

    /// - Parameters:
    ///   - url: `postgresql://user[:password]@host:port/db` (libpq URI) or conninfo text.
    ///   - size: connections in the pool.
    ///   - statementTimeout: the sessions' `statement_timeout`; nil for PostgreSQL's (none).
    ///     A long statement (a data load's batch) can take more inside
    ///     ``withTransaction(statementTimeout:_:)``.
    public init(url: String, size: Int = 2, name: String = "pg", statementTimeout: Duration? = .seconds(30)) {
        conninfo = Self.withTimeouts(url)
        slots = ThreadSlots(count: size, name: name)
        self.statementTimeout = statementTimeout
    }

    /// Runs one parameterised statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) async throws -> PGRows {
        try await withConnection { connection in try connection.execute(sql, params) }
    }

    /// Runs a statement that is prepared on each connection the first time it runs there.
    @discardableResult
    public func query(_ statement: PGStatement, _ params: [String?] = []) async throws -> PGRows {
        try await withConnection { connection in try connection.execute(statement, params) }
    }

    /// Runs `body`'s statements in one transaction on one pooled connection: committed when it
    /// returns, rolled back when it throws. `body` runs on the connection's own thread, so it
    /// is synchronous: keep it to SQL and the logic between statements.
    /// - Parameter statementTimeout: for this transaction's statements (`SET LOCAL`); nil keeps
    ///   the client's.
    public func withTransaction<T: Sendable>(
        statementTimeout: Duration? = nil, _ body: @escaping @Sendable (PGTransaction) throws -> T
    ) async throws -> T {
        try await withConnection { connection in try connection.transaction(statementTimeout: statementTimeout, body) }
    }

    private func withConnection<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        let conninfo = self.conninfo
        let statementTimeout = self.statementTimeout
        return try await slots.withLeastBusy { connection in
            if connection?.isHealthy != true {
                connection = nil
                let fresh = try PGConnection(conninfo: conninfo)
                let timeout = statementTimeout.map { String(max(0, $0.wholeMilliseconds)) } ?? "0"
                _ = try fresh.execute("SET statement_timeout = \(timeout)", [])
                // `IF NOT EXISTS` notices (every start's migrations) are not worth a line on stderr.
                _ = try fresh.execute("SET client_min_messages = warning", [])
                connection = fresh
            }
            do {
                return try body(connection!)
            } catch {
                if case PostgresError.connectionLost? = error as? PostgresError { connection = nil }
                if connection?.isHealthy == false { connection = nil }
                throw error
            }
        }
    }

    /// Adds a 5 s `connect_timeout` unless the URL sets one: every network call has a bound.
    static func withTimeouts(_ url: String) -> String {
        guard !url.contains("connect_timeout") else { return url }
        if url.contains("://") { return url + (url.contains("?") ? "&" : "?") + "connect_timeout=5" }
        return url + " connect_timeout=5"
    }
}
