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

    /// Each row as a column name → value map.
    public var dictionaries: [[String: String?]] {
        values.map { row in Dictionary(uniqueKeysWithValues: zip(columns, row)) }
    }
}
