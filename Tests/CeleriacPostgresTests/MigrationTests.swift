// Celeriac — a Celery-compatible job service in Swift.

import CeleriacPostgres
import CeleriacSystem
import Logging
import Foundation
import TestSupport
import Testing

@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct MigrationTests {
    static let schemaFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schema.sql")

    /// Columns and indexes of the results table as PostgreSQL describes them.
    static func shape(_ client: PostgresClient) async throws -> (columns: [[String?]], indexes: [String]) {
        let columns = try await client.query("""
            SELECT column_name, data_type, character_maximum_length::text, is_nullable, is_identity
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'django_celery_results_taskresult'
            ORDER BY ordinal_position
            """).values
        // Index names differ between Django's hashed names and ours; their definitions must not.
        // Indexes named `celeriac_…` are ours on top (the task list's), which Django never sees.
        let indexes = try await client.query("""
            SELECT regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ', 'CREATE \\1INDEX ')
            FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'django_celery_results_taskresult'
                AND indexname NOT LIKE 'celeriac\\_%'
            """).values.compactMap { $0[0] }.sorted()
        return (columns, indexes)
    }

    @Test func resultsTableMatchesDjangoCeleryResults() async throws {
        // The reference: django-celery-beat's own dump, loaded as is (psql meta-commands dropped).
        let reference = PostgresClient(url: try await TestDatabase.create(), size: 1)
        let dump = try String(contentsOf: Self.schemaFile, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("\\") }
            .joined(separator: "\n")
        try await reference.withTransaction { try $0.executeScript(dump) }
        try await reference.withTransaction { try $0.executeScript("SET search_path = public") }
        let expected = try await Self.shape(reference)
        #expect(expected.columns.count == 16)

        let ours = PostgresClient(url: try await TestDatabase.create())
        #expect(try await Migrator(client: ours).migrate() == Migration.all.map(\.version))
        let actual = try await Self.shape(ours)
        #expect(actual.columns == expected.columns)
        #expect(actual.indexes == expected.indexes)
    }

    /// Every django-celery-beat table and the other django-celery-results ones, as Django's
    /// migrations leave them: columns (no defaults), constraints, indexes.
    static func definition(of table: String, in client: PostgresClient) async throws -> [String] {
        let columns = try await client.query("""
            SELECT column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
                || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '') || ' ' || is_nullable
                || ' identity=' || is_identity || ' default=' || coalesce(column_default, '-')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position
            """, [table]).values.compactMap { $0[0] }
        let constraints = try await client.query("""
            SELECT conname || ' ' || pg_get_constraintdef(oid) || ' deferrable=' || condeferrable || ' deferred=' || condeferred
            FROM pg_constraint WHERE conrelid = to_regclass('public.' || $1) ORDER BY conname
            """, [table]).values.compactMap { $0[0] }
        let indexes = try await client.query(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1 ORDER BY indexname", [table]
        ).values.compactMap { $0[0] }
        return columns + constraints + indexes
    }

    static let djangoTables = [
        "django_celery_beat_clockedschedule", "django_celery_beat_crontabschedule", "django_celery_beat_intervalschedule",
        "django_celery_beat_periodictask", "django_celery_beat_periodictasks", "django_celery_beat_solarschedule",
        "django_celery_results_chordcounter", "django_celery_results_groupresult",
    ]

    static func loadReference(_ client: PostgresClient, _ file: String) async throws {
        let dump = try String(contentsOf: schemaFile.deletingLastPathComponent().appendingPathComponent(file), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("\\") }
            .joined(separator: "\n")
        try await client.withTransaction { try $0.executeScript(dump) }
        try await client.withTransaction { try $0.executeScript("SET search_path = public") }
    }

    @Test func djangoCeleryBeatTablesMatchTheReference() async throws {
        let reference = PostgresClient(url: try await TestDatabase.create(), size: 1)
        try await Self.loadReference(reference, "schema.sql")
        let ours = PostgresClient(url: try await TestDatabase.create(), size: 1)
        _ = try await Migrator(client: ours).migrate()
        for table in Self.djangoTables {
            let expected = try await Self.definition(of: table, in: reference)
            #expect(!expected.isEmpty, "\(table)")
            #expect(try await Self.definition(of: table, in: ours) == expected, "\(table)")
        }
        // Django's migrate finds every migration of both apps applied.
        let recorded = try await ours.query(
            "SELECT app || ' ' || name FROM django_migrations ORDER BY app, name").values.compactMap { $0[0] }
        let captured = try String(
            contentsOf: Self.schemaFile.deletingLastPathComponent().appendingPathComponent("migrations.sql"), encoding: .utf8
        ).split(separator: "\n").filter { $0.hasPrefix("INSERT") }.map { line in
            let quoted = line.split(separator: "'")
            return "\(quoted[1]) \(quoted[3])"
        }.sorted()
        #expect(recorded == captured)
        #expect(recorded.count == 35)
    }

    /// A database Django set up, with rows: our migrations add nothing and change nothing.
    @Test func aDatabaseDjangoSetUpIsUsedAsItIs() async throws {
        let url = try await TestDatabase.create()
        let client = PostgresClient(url: url, size: 1)
        try await Self.loadReference(client, "schema.sql")
        try await client.withTransaction { try $0.executeScript("""
            CREATE TABLE django_migrations (id integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
                app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamp with time zone NOT NULL)
            """) }
        try await Self.loadReference(client, "migrations.sql")
        try await Self.loadReference(client, "sample-data.sql")
        let before = try await client.query("SELECT name, task FROM django_celery_beat_periodictask ORDER BY id").values
        _ = try await Migrator(client: client).migrate()
        #expect(try await client.query("SELECT name, task FROM django_celery_beat_periodictask ORDER BY id").values == before)
        #expect(before.count == 4)
        #expect(try await client.query("SELECT count(*) FROM django_migrations").values == [["35"]])
    }

    @Test func migrateTwiceAppliesNothingTheSecondTime() async throws {
        let client = PostgresClient(url: try await TestDatabase.create())
        let migrator = Migrator(client: client)
        try await migrator.migrate()
        #expect(try await migrator.migrate().isEmpty)
        #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
    }

    @Test func concurrentMigratorsDoNotConflict() async throws {
        let url = try await TestDatabase.create()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await Migrator(client: PostgresClient(url: url, size: 1)).migrate() } }
            try await group.waitForAll()
        }
        #expect(try await Migrator(client: PostgresClient(url: url)).appliedVersions() == Migration.all.map(\.version))
    }

    @Test func anExistingDjangoTableAndItsRowsAreLeftAlone() async throws {
        let client = PostgresClient(url: try await TestDatabase.create())
        try await client.withTransaction { try $0.executeScript("""
            CREATE TABLE django_celery_results_taskresult (id serial PRIMARY KEY, task_id varchar(255) UNIQUE NOT NULL,
                status varchar(50) NOT NULL, content_type varchar(128) NOT NULL, content_encoding varchar(64) NOT NULL,
                result text, date_done timestamptz NOT NULL, traceback text, meta text, task_args text, task_kwargs text,
                task_name varchar(255), worker varchar(100), date_created timestamptz NOT NULL,
                periodic_task_name varchar(255), date_started timestamptz);
            INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, date_done, date_created)
                VALUES ('from-django', 'SUCCESS', 'application/json', 'utf-8', now(), now());
            """) }
        try await Migrator(client: client).migrate()
        #expect(try await client.query("SELECT status FROM django_celery_results_taskresult WHERE task_id = 'from-django'")
            .values == [["SUCCESS"]])
    }

    @Test func aBadURLIsAClearError() async throws {
        let client = PostgresClient(url: "postgresql://celeriac@127.0.0.1:1/nothing", size: 1)
        await #expect(throws: PostgresError.self) { try await client.query("SELECT 1") }
    }
}

/// The start-up step every process runs: waits out an unreachable database, and lets the
/// rest of the process wait for the schema.
@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct SchemaMigrationsTests {
    @Test func runMigratesAndReleasesWaiters() async throws {
        let client = PostgresClient(url: try await TestDatabase.create())
        let migrations = SchemaMigrations(client: client, logger: Logger(label: "test"))
        let waiter = Task { await migrations.waitUntilDone() }
        #expect(!migrations.isDone)
        await migrations.run()
        await waiter.value
        #expect(migrations.isDone)
        #expect(try await Migrator(client: client).appliedVersions() == Migration.all.map(\.version))
    }

    @Test func anUnreachableDatabaseIsRetriedOnTheClockUntilCancelled() async throws {
        let clock = ManualClock()
        let migrations = SchemaMigrations(
            client: PostgresClient(url: "postgresql://celeriac@127.0.0.1:1/nothing", size: 1), logger: Logger(label: "test"),
            clock: clock)
        let running = Task { await migrations.run() }
        try await clock.waitForSleepers(1)  // the first attempt failed; it backs off on the clock
        clock.advance(by: 1)
        try await clock.waitForSleepers(1)  // and failed again
        running.cancel()
        await running.value
        await migrations.waitUntilDone()  // returns: the step gave up
        #expect(!migrations.isDone)
    }
}
