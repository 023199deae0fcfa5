// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacPostgres
import Foundation

/// `celeriac migrate`: brings the database's schema up to date (what the API and beat also
/// do at start), for deployments that migrate as a separate step. Safe to run while other
/// processes start: migrations run under an advisory lock.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply database migrations (CELERIAC_DATABASE_URL) and exit.")

    @Option(help: "libpq URL of the database (default: CELERIAC_DATABASE_URL or \(Settings.defaultDatabaseURL)).")
    var database: String?

    func run() async throws {
        let url = database ?? ProcessInfo.processInfo.environment["CELERIAC_DATABASE_URL"] ?? Settings.defaultDatabaseURL
        let migrator = Migrator(client: PostgresClient(url: url, size: 1, name: "pg-migrate"))
        do {
            let applied = try await migrator.migrate()
            print(applied.isEmpty ? "schema is up to date" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
        } catch {
            FileHandle.standardError.write(Data("celeriac migrate: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
