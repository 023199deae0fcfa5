// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import Logging
import Hummingbird

/// `GET /health` (the process is up), `GET /ready` (Redis and PostgreSQL answer),
/// `GET /openapi.yaml` (the contract this build implements).
struct HealthRoutes: Sendable {
    let api: APIContext

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in Response.json(#"{"status": "ok"}"#) }
        router.get("/ready") { _, _ in try await ready() }
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }

    /// Ready when Redis answers: enqueueing and polling need nothing else. PostgreSQL only
    /// holds history, which is buffered while it is away, so its state is reported, not required.
    func ready() async throws -> Response {
        do {
            try await api.redis.ping()
        } catch {
            throw Problem.unavailable("Redis: \(error)")
        }
        let postgres: String
        do {
            try await api.postgres.query("SELECT 1")
            postgres = api.history.isMigrated ? "ok" : "migrating"
        } catch {
            postgres = "unavailable"
        }
        return .json(JSONValue.object(["status": "ready", "redis": "ok", "postgres": .string(postgres)]).jsonText)
    }
}
