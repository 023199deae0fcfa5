// Celeriac — a Celery-compatible job service in Swift.

internal import CLibPQ
import CeleriacCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The only owner of one `PGconn*`. Not thread-safe: used only on the ``BlockingThread`` of
/// the pool slot that created it.
final class PGConnection {
    private let pq: PQLibrary
    private var handle: OpaquePointer?
    /// Names of the statements prepared on this connection (they live as long as it does).
    private var prepared: Set<String> = []

    /// Connects with libpq (`postgresql://` URI or `key=value` conninfo).
    init(conninfo: String) throws(PostgresError) {
        pq = try PQLibrary.shared.get()
        handle = pq.connectdb(conninfo)
        guard pq.status(handle) == CONNECTION_OK else {
            let message = Self.message(pq, handle)
            pq.finish(handle)
            handle = nil
            throw .connect(message)
        }
    }

    deinit { close() }

    func close() {
        if let handle { pq.finish(handle) }
        handle = nil
    }

    var isHealthy: Bool { handle != nil && pq.status(handle) == CONNECTION_OK }

    /// Runs one statement with text parameters (`$1`, `$2`, ...); values are never spliced
    /// into SQL text.
    func execute(_ sql: String, _ params: [String?]) throws(PostgresError) -> PGRows {
        try run(params) { [pq] handle, values in pq.execParams(handle, sql, Int32(params.count), nil, values, nil, nil, 0) }
    }

    /// Runs `statement`, preparing it on this connection the first time: PostgreSQL then
    /// plans it once instead of on every call (planning a lookup on the history table, with
    /// its nine indexes, cost more than running it).
    func execute(_ statement: PGStatement, _ params: [String?]) throws(PostgresError) -> PGRows {
        guard let handle else { throw .closed }
        if !prepared.contains(statement.name) {
            let result = PGResult(pq, pq.prepare(handle, statement.name, statement.sql, Int32(params.count), nil))
            try check(result)
            prepared.insert(statement.name)
        }
        do {
            return try run(params) { [pq] handle, values in
                pq.execPrepared(handle, statement.name, Int32(params.count), values, nil, nil, 0)
            }
        } catch .query(sqlState: "26000", _) {
            // The server no longer knows it (`DEALLOCATE ALL`, or a pooler such as PgBouncer
            // handing us another server connection): run it unprepared; prepare again next time.
            prepared.remove(statement.name)
            return try execute(statement.sql, params)
        }
    }

    private func run(
        _ params: [String?], _ call: (OpaquePointer, UnsafePointer<UnsafePointer<CChar>?>?) -> OpaquePointer?
    ) throws(PostgresError) -> PGRows {
        guard let handle else { throw .closed }
        let cParams: [UnsafeMutablePointer<CChar>?] = params.map { $0.flatMap { strdup($0) } }
        defer { cParams.forEach { free($0) } }
        let raw: OpaquePointer? = cParams.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(1, params.count)) {
                call(handle, params.isEmpty ? nil : $0)
            }
        }
        let result = PGResult(pq, raw)
        try check(result)
        return result.rows()
    }

    private func check(_ result: PGResult) throws(PostgresError) {
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return
        default:
            if pq.status(handle) != CONNECTION_OK {
                throw .connectionLost(Self.message(pq, handle))
            }
            throw .query(
                sqlState: result.sqlState, message: result.errorMessage.isEmpty ? Self.message(pq, handle) : result.errorMessage)
        }
    }

    /// Runs a multi-statement script with `PQexec` (no parameters: our own SQL only).
    func executeScript(_ sql: String) throws(PostgresError) {
        guard let handle else { throw .closed }
        try check(PGResult(pq, pq.exec(handle, sql)))
    }

    /// Runs `body` in a transaction: `BEGIN`, the body's statements, `COMMIT`; `ROLLBACK` when
    /// the body throws. A `ROLLBACK` that fails leaves the session in an unknown state, so
    /// the connection is closed (the pool opens a new one) rather than reused.
    /// - Parameter statementTimeout: this transaction's `statement_timeout` (`SET LOCAL`);
    ///   nil keeps the connection's.
    func transaction<T>(statementTimeout: Duration?, _ body: (PGTransaction) throws -> T) throws -> T {
        _ = try execute("BEGIN", [])
        do {
            if let statementTimeout {
                _ = try execute("SET LOCAL statement_timeout = \(max(0, statementTimeout.wholeMilliseconds))", [])
            }
            let value = try body(PGTransaction(connection: self))
            _ = try execute("COMMIT", [])
            return value
        } catch {
            do {
                _ = try execute("ROLLBACK", [])
            } catch {
                close()
            }
            throw error
        }
    }

    private static func message(_ pq: PQLibrary, _ handle: OpaquePointer?) -> String {
        guard let handle, let text = pq.errorMessage(handle) else { return "out of memory" }
        return String(cString: text).trimmingTrailingNewlines
    }
}

/// A statement prepared once per connection, under a name unique in the process.
public struct PGStatement: Sendable {
    public let name: String
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// The only owner of one `PGresult*`; cleared in `deinit`.
final class PGResult {
    private let pq: PQLibrary
    private let handle: OpaquePointer?

    init(_ pq: PQLibrary, _ handle: OpaquePointer?) {
        self.pq = pq
        self.handle = handle
    }
    deinit { pq.clear(handle) }

    var status: ExecStatusType { handle.map(pq.resultStatus) ?? PGRES_FATAL_ERROR }

    var sqlState: String {
        guard let handle, let field = pq.resultErrorField(handle, Int32(UInt8(ascii: "C"))) else { return "" }
        return String(cString: field)
    }

    var errorMessage: String {
        guard let handle, let text = pq.resultErrorMessage(handle) else { return "" }
        return String(cString: text).trimmingTrailingNewlines
    }

    /// Copies every value out as text (nil for SQL NULL).
    func rows() -> PGRows {
        guard let handle else { return PGRows(columns: [], values: []) }
        let columnCount = Int(pq.nfields(handle))
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        let columns = (0..<columnCount).map { text(pq.fname(handle, Int32($0))) }
        let values: [[String?]] = (0..<Int(pq.ntuples(handle))).map { row in
            (0..<columnCount).map { column in
                pq.getisnull(handle, Int32(row), Int32(column)) == 1 ? nil : text(pq.getvalue(handle, Int32(row), Int32(column)))
            }
        }
        return PGRows(columns: columns, values: values, affected: Int(text(pq.cmdTuples(handle))) ?? 0)
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
