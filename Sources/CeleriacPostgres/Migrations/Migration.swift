// Celeriac — a Celery-compatible job service in Swift.

/// One schema change. Its SQL must be idempotent (`IF NOT EXISTS`): it runs against
/// databases where Django may already have created the same tables.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Every migration, in order.
    public static let all: [Migration] = [.taskResults, .taskList, .djangoCeleryBeat, .beatRuns, .apiTokens]
}
