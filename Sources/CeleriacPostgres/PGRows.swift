// Celeriac — a Celery-compatible job service in Swift.

/// A query's rows as text, copied out of libpq.
public struct PGRows: Sendable, Equatable {
    public let columns: [String]
    public let values: [[String?]]
    /// Rows inserted, updated or deleted (`PQcmdTuples`).
    public let affected: Int

    public init(columns: [String], values: [[String?]], affected: Int = 0) {
        self.columns = columns
        self.values = values
        self.affected = affected
    }

    /// The rows, for typed reading (``PGRow/decode(_:as:)``).
    public var rows: [PGRow] { values.map { PGRow(columns: columns, values: $0) } }
}

/// One row: its values read as Swift types.
public struct PGRow: Sendable {
    let columns: [String]
    let values: [String?]

    /// The value of column `index` as `T`.
    /// - Throws: ``PostgresError/decode(column:message:)`` for NULL or text `T` cannot read.
    public func decode<T: PGDecodable>(_ index: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let value = try decodeIfPresent(index, as: type) else {
            throw .decode(column: name(index), message: "NULL where \(T.self) was expected")
        }
        return value
    }

    /// The value of column `index` as `T`, or nil for SQL NULL.
    public func decodeIfPresent<T: PGDecodable>(_ index: Int, as type: T.Type = T.self) throws(PostgresError) -> T? {
        guard values.indices.contains(index) else {
            throw .decode(column: "#\(index)", message: "no such column (the row has \(values.count))")
        }
        guard let text = values[index] else { return nil }
        guard let value = T(postgresText: text) else {
            throw .decode(column: name(index), message: "cannot read \(text.prefix(64)) as \(T.self)")
        }
        return value
    }

    private func name(_ index: Int) -> String { columns.indices.contains(index) ? columns[index] : "#\(index)" }
}
