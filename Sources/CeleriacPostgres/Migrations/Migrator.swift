// Celeriac — a Celery-compatible job service in Swift.

/// Applies ``Migration/all`` in order and records each in `celeriac_schema_migrations`.
///
/// Each migration runs in one transaction holding an advisory lock, so API instances that
/// start together apply it once.
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
        // Under the same lock as the migrations: concurrent CREATE TABLE IF NOT EXISTS races.
        try await client.executeScript("""
            BEGIN;
            SELECT pg_advisory_xact_lock(\(Self.lockKey));
            CREATE TABLE IF NOT EXISTS celeriac_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamp with time zone NOT NULL DEFAULT now()
            );
            COMMIT;
            """)
        let done = Set(try await appliedVersions())
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            try await client.executeScript("""
                BEGIN;
                SELECT pg_advisory_xact_lock(\(Self.lockKey));
                \(migration.sql);
                INSERT INTO celeriac_schema_migrations (version, name)
                    VALUES (\(migration.version), '\(migration.name)') ON CONFLICT (version) DO NOTHING;
                COMMIT;
                """)
            applied.append(migration.version)
        }
        return applied
    }

    /// Versions recorded as applied.
    public func appliedVersions() async throws -> [Int] {
        try await client.query("SELECT version FROM celeriac_schema_migrations ORDER BY version")
            .values.compactMap { row in row.first.flatMap { $0 }.flatMap { Int($0) } }
    }
}
