// Celeriac — a Celery-compatible job service in Swift.

/// One connection inside a transaction (``PostgresClient/withTransaction(statementTimeout:_:)``):
/// every statement runs on it, in order, on the pool thread that owns it. Valid only inside
/// the body it is handed to.
public struct PGTransaction {
    let connection: PGConnection

    /// Runs one parameterised statement (`$1`, `$2`, ...; values never spliced into SQL).
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) throws -> PGRows {
        try connection.execute(sql, params)
    }

    /// Runs a prepared statement (prepared on this connection the first time).
    @discardableResult
    public func query(_ statement: PGStatement, _ params: [String?] = []) throws -> PGRows {
        try connection.execute(statement, params)
    }

    /// Runs several statements of our own SQL (no parameters), for migrations.
    public func executeScript(_ sql: String) throws {
        try connection.executeScript(sql)
    }
}
