// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacSystem
import Foundation
import Hummingbird
import Logging

/// `/tokens` (scope `admin`): `GET` lists every token (never a secret or a hash), `POST`
/// {`name`, `scopes`} makes one and shows it once, `DELETE /tokens/{id or name}` revokes
/// it. This API's table changes at once; other APIs' within a second (``TokenRefresher``).
struct TokenRoutes: Sendable {
    let api: APIContext
    static let operation = "tokens"
    var repository: TokenRepository { TokenRepository(client: api.postgres) }

    func register(on routes: RouteTable) {
        routes.add(.get, "/tokens", access: .scope(.admin)) { _, _ in
            try await requireSchema()
            let tokens = try await repository.list()
            return .json(JSONValue.object(["items": .array(tokens.map(\.json))]).jsonText)
        }
        routes.add(.post, "/tokens", access: .scope(.admin)) { request, _ in
            let (name, scopes) = try Self.draft(try await api.json(request))
            try await requireSchema()
            let secret = TokenSecret.generate()
            let token = try await repository.create(name: name, scopes: scopes, sha256: secret.sha256, now: api.clock.now)
            api.tokens.add(token)
            api.logger.info("API token created", metadata: ["token": "\(name)", "scopes": "\(scopes.map(\.rawValue).sorted())"])
            guard case .object(var shown) = token.json else { return .json(token.json.jsonText, status: .created) }
            shown["token"] = .string(secret.token)
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            return .json(JSONValue.object(shown).jsonText, status: .created, headers: headers)
        }
        routes.add(.delete, "/tokens/{id}", access: .scope(.admin)) { _, context in
            let key = context.parameters.get("id")?.removingPercentEncoding ?? ""
            try await requireSchema()
            guard !key.isEmpty, key.utf8.count <= 100, let token = try await repository.revoke(key, now: api.clock.now) else {
                throw DomainError(.notFound, operation: Self.operation, "no token with id or name \(key.prefix(100))")
            }
            api.tokens.remove(id: token.id)
            api.logger.info("API token revoked", metadata: ["token": "\(token.name)"])
            return .json(token.json.jsonText)
        }
    }

    /// `{"name": "ci", "scopes": ["submit", "read"]}`.
    static func draft(_ body: JSONValue) throws -> (String, Set<Scope>) {
        guard case .object(let fields) = body else {
            throw DomainError.invalid(operation, [.init(pointer: "", detail: "expected object")])
        }
        var errors: [DomainError.FieldError] = fields.keys.sorted().filter { $0 != "name" && $0 != "scopes" }.map {
            .init(pointer: "/\($0)", detail: "unknown field")
        }
        let name = fields["name"]?.stringValue ?? ""
        do { try APIToken.checkName(name, operation: operation) } catch { errors += error.fields }
        var scopes: Set<Scope> = []
        if case .array(let values)? = fields["scopes"], values.allSatisfy({ $0.stringValue != nil }) {
            do { scopes = try Scope.parseList(values.compactMap(\.stringValue), operation: operation) } catch { errors += error.fields }
        } else {
            errors.append(.init(pointer: "/scopes", detail: "expected an array of scope names (submit, read, admin, worker)"))
        }
        guard errors.isEmpty else { throw DomainError.invalid(operation, errors) }
        return (name, scopes)
    }

    private func requireSchema() async throws {
        guard api.migrations.isDone else {
            throw DomainError(.unavailable, operation: Self.operation, "the database schema is being migrated; retry shortly", retryAfter: 1)
        }
    }
}
