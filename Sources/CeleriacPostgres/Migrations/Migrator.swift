// Celeriac — a Celery-compatible job service in Swift.

/// Applies ``Migration/all`` in order and records each in `celeriac_schema_migrations`, in
/// one transaction holding an advisory lock: processes that start together (several APIs,
/// beats, `celeriac migrate`) apply each migration once, and the others wait and find it done.
public struct Migrator: Sendable {
    public let client: PostgresClient
    public let migrations: [Migration]
    /// Arbitrary constant shared by every Celeriac process (`pg_advisory_xact_lock`).
    static let lockKey = 0x6365_6c65

    public init(client: PostgresClient, migrations: [Migration] = Migration.all) {
        self.client = client
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies what is missing.
    /// - Returns: the versions applied by this call.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let migrations = self.migrations
        // Migrations may create many indexes on a large table: no 30 s statement bound here.
        return try await client.withTransaction(statementTimeout: .zero) { transaction in
            try transaction.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try transaction.executeScript("""
                CREATE TABLE IF NOT EXISTS celeriac_schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamp with time zone NOT NULL DEFAULT now()
                )
                """)
            let done = Set(try Self.versions(in: try transaction.query(Self.versionsSQL)))
            var applied: [Int] = []
            for migration in migrations where !done.contains(migration.version) {
                try transaction.executeScript(migration.sql)
                try transaction.query(
                    "INSERT INTO celeriac_schema_migrations (version, name) VALUES ($1, $2)",
                    [String(migration.version), migration.name])
                applied.append(migration.version)
            }
            return applied
        }
    }

    /// Versions recorded as applied.
    public func appliedVersions() async throws -> [Int] {
        try Self.versions(in: try await client.query(Self.versionsSQL))
    }

    private static let versionsSQL = "SELECT version FROM celeriac_schema_migrations ORDER BY version"

    private static func versions(in rows: PGRows) throws -> [Int] {
        try rows.rows.map { try $0.decode(0, as: Int.self) }
    }
}
