// Celeriac — a Celery-compatible job service in Swift.

import CeleriacPostgres
import CeleriacSystem

/// The PostgreSQL connections jobs use, one small pool per database URL, made when a job
/// first needs one (libpq itself is loaded then) and kept for the next run.
enum DatabaseClients {
    private static let clients = Locked<[String: PostgresClient]>([:])

    static func client(url: String, name: String) -> PostgresClient {
        clients.withLock { clients in
            if let client = clients[url] { return client }
            // No session timeout: a load's batch may take long; each transaction sets its own.
            let client = PostgresClient(url: url, size: 1, name: name, statementTimeout: .seconds(300))
            clients[url] = client
            return client
        }
    }
}
