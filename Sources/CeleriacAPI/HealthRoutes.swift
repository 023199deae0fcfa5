// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import Hummingbird

/// `GET /health` (the process is up), `GET /ready` (Redis and PostgreSQL answer),
/// `GET /openapi.yaml` (the contract this build implements). Open to anyone.
struct HealthRoutes: Sendable {
    let api: APIContext

    func register(on routes: RouteTable) {
        routes.add(.get, "/health", access: .open) { _, _ in Response.json(#"{"status": "ok"}"#) }
        routes.add(.get, "/ready", access: .open) { _, _ in try await ready() }
        routes.add(.get, "/openapi.yaml", access: .open) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }

    /// Ready when Redis answers and, with authentication on, the API tokens have been loaded
    /// once (before that every caller would get a 401). PostgreSQL otherwise only holds history,
    /// which is buffered while it is away, so its state is reported, not required.
    func ready() async throws -> Response {
        do {
            try await api.redis.ping()
        } catch {
            throw DomainError(.unavailable, operation: "ready", "Redis: \(error)")
        }
        guard !api.settings.authRequired || api.tokens.loaded else {
            throw DomainError(.unavailable, operation: "ready", "the API tokens are not loaded yet (PostgreSQL)", retryAfter: 1)
        }
        let postgres: String
        do {
            try await api.postgres.query("SELECT 1")
            postgres = api.migrations.isDone ? "ok" : "migrating"
        } catch {
            postgres = "unavailable"
        }
        return .json(JSONValue.object(["status": "ready", "redis": "ok", "postgres": .string(postgres)]).jsonText)
    }
}
