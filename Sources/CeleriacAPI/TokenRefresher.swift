// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import CeleriacSystem
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ServiceLifecycle

/// Keeps ``TokenTable`` in step with `celeriac_api_token`: loads the active tokens once the
/// schema is migrated, then every second (a token made or revoked elsewhere counts within a
/// second), writing the tokens' `last_used_at` on the way. While PostgreSQL is away the last
/// loaded table stays in force.
struct TokenRefresher: Service {
    let tokens: TokenTable
    let repository: TokenRepository
    let migrations: SchemaMigrations
    let clock: any WallClock
    let logger: Logger
    var interval: Double = 1

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await migrations.waitUntilDone()
            var failing = false
            while !Task.isCancelled {
                do {
                    try await refresh()
                    if failing { logger.info("API tokens reloaded") }
                    failing = false
                } catch {
                    if !failing { logger.warning("API tokens cannot be reloaded; the last ones loaded stay in force", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                guard (try? await clock.sleep(until: clock.now.addingTimeInterval(interval))) != nil else { return }
            }
        }
        // Last uses since the final refresh.
        try? await repository.touch(tokens.takeUsed())
    }

    func refresh() async throws {
        let used = tokens.takeUsed()
        do { try await repository.touch(used) } catch {
            for (id, at) in used { tokens.noteUsed(id: id, at: at) }  // written next time
            throw error
        }
        let since = tokens.changes
        tokens.replace(with: try await repository.active(), unlessChangedSince: since)
    }
}
