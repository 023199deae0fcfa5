// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
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

    func ready() async throws -> Response {
        async let redis: String? = { () async -> String? in
            do {
                try await api.redis.ping()
                return nil
            } catch { return "Redis: \(error)" }
        }()
        async let postgres: String? = { () async -> String? in
            do {
                try await api.postgres.query("SELECT 1")
                return api.history.isMigrated ? nil : "PostgreSQL: migrations not applied yet"
            } catch { return "PostgreSQL: \(error)" }
        }()
        let problems = await [redis, postgres].compactMap { $0 }
        guard problems.isEmpty else { throw Problem.unavailable(problems.joined(separator: "; ")) }
        return .json(#"{"status": "ready", "redis": "ok", "postgres": "ok"}"#)
    }
}
