// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacSystem
import Foundation
import TestSupport
import Testing
import Yams

@testable import CeleriacAPI

/// Every operation of `openapi.yaml`, with the scope its `security` names, against a live
/// API: no token and a revoked one are refused with 401, a token holding every other scope
/// but that one with 403, and a token with it gets past the check. The operations come from
/// the document, so a new route cannot be forgotten; the direct `POST /tasks` path is one of
/// them. Open operations answer without a token.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(25))
struct ScopeMatrixTests {
    struct Operation: CustomStringConvertible {
        var method: String
        var path: String
        /// Nil for an open operation.
        var scope: Scope?
        var description: String { "\(method) \(path)" }
    }

    /// The document's operations, with path parameters filled in with values no row has.
    static func operations() throws -> [Operation] {
        let document = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [Operation] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let operation = item[method] as? [String: Any] else { continue }
                let security = try #require(operation["security"] as? [Any], "\(method) \(path) declares no security")
                var scope: Scope?
                if let requirement = security.first as? [String: [String]] {
                    let names = try #require(requirement["bearerAuth"], "\(method) \(path): bearerAuth expected")
                    #expect(names.count == 1, "\(method) \(path) names one scope")
                    scope = CeleriacCore.Scope(rawValue: names.first ?? "")
                    #expect(scope != nil, "\(method) \(path): unknown scope")
                }
                let concrete = path.replacing("{action}", with: "enable").replacing("{id}", with: "999999")
                operations.append(Operation(method: method.uppercased(), path: concrete, scope: scope))
            }
        }
        return operations
    }

    @Test func everyOperationRefusesAMissingAWrongScopeAndARevokedToken() async throws {
        let operations = try Self.operations()
        #expect(operations.count >= 45 && operations.filter { $0.scope == nil }.count == 3)
        // Three refusals per operation from one address: past the default limit of failures.
        try await LiveStack.run(startWorker: false, environment: ["CELERIAC_AUTH_FAILURES_PER_MINUTE": "0"]) { stack in
            // For each scope, a token holding all the others; and one made to be revoked.
            var allBut: [Scope: String] = [:], only: [Scope: String] = [:]
            for scope in Scope.allCases {
                allBut[scope] = try await Self.makeToken(stack, "all-but-\(scope.rawValue)", Scope.allCases.filter { $0 != scope })
                only[scope] = try await Self.makeToken(stack, "only-\(scope.rawValue)", [scope])
            }
            let revoked = try await Self.makeToken(stack, "revoked", Scope.allCases)
            let gone = try await stack.request("DELETE", "/tokens/revoked")
            let goneBody = try stack.json(gone)
            #expect(gone.status == 200 && goneBody["revoked_at"]?.stringValue != nil)

            for operation in operations {
                let body = ["POST", "PUT", "PATCH"].contains(operation.method) ? "{}" : nil
                func status(_ token: String?) async throws -> Int {
                    let headers = token.map { [("Authorization", "Bearer \($0)")] } ?? []
                    return try await stack.request(operation.method, operation.path, body: body, headers: headers, anonymous: token == nil)
                        .status
                }
                guard let scope = operation.scope else {
                    #expect(try await status(nil) != 401, "\(operation) is open")
                    continue
                }
                let none = try await stack.request(operation.method, operation.path, body: body, anonymous: true)
                #expect(none.status == 401 && none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(operation), no token")
                #expect(try stack.json(none)["type"] == "/problems/unauthorized", "\(operation)")
                #expect(try await status("cel_not-a-real-token") == 401, "\(operation), unknown token")
                #expect(try await status(revoked) == 401, "\(operation), revoked token")
                let wrong = try await status(allBut[scope])
                #expect(wrong == 403, "\(operation) must need \(scope.rawValue): \(wrong) with every other scope")
                let right = try await status(only[scope])
                #expect(right != 401 && right != 403, "\(operation) with \(scope.rawValue): \(right)")
            }
        }
    }

    @Test func anAddressFailingTooOftenIsToldToWait() async throws {
        try await LiveStack.run(startWorker: false, environment: ["CELERIAC_AUTH_FAILURES_PER_MINUTE": "3"]) { stack in
            for _ in 0..<3 { #expect(try await stack.request("GET", "/queues", headers: [("Authorization", "Bearer guess")]).status == 401) }
            // Refused even with a good token, and on the direct path too.
            let refused = try await stack.request("GET", "/queues")
            #expect(refused.status == 429 && Int(refused.header("Retry-After") ?? "") ?? 0 > 0, "\(refused.text)")
            #expect(try stack.json(refused)["type"] == "/problems/rate-limited")
            #expect(try await stack.request("POST", "/tasks", body: #"{"task": "celeriac.echo"}"#).status == 429)
            #expect(try await stack.request("GET", "/health").status == 200)
        }
    }

    @Test func tokensAreMadeListedAndRevokedThroughTheAPI() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let made = try await stack.request("POST", "/tokens", body: #"{"name": "ci", "scopes": ["submit", "read"]}"#)
            #expect(made.status == 201 && made.header("Cache-Control") == "no-store")
            let token = try #require(try stack.json(made)["token"]?.stringValue)
            #expect(token.hasPrefix("cel_"))
            // Usable at once on this API; its secret is never listed.
            let submit = [("Authorization", "Bearer \(token)")]
            #expect(try await stack.request("GET", "/registered-tasks", headers: submit).status == 200)
            let listed = try await stack.request("GET", "/tokens")
            #expect(!listed.text.contains(token) && !listed.text.contains(TokenSecret.sha256(token)))
            #expect(try stack.json(listed)["items"]?.arrayValue?.contains { $0["name"] == "ci" } == true)
            // A taken name, an unknown scope, an unknown field.
            #expect(try await stack.request("POST", "/tokens", body: #"{"name": "ci", "scopes": ["read"]}"#).status == 409)
            let bad = try await stack.request("POST", "/tokens", body: #"{"name": "a b", "scopes": ["root"], "x": 1}"#)
            #expect(bad.status == 422)
            let pointers = (try stack.json(bad)["errors"]?.arrayValue ?? []).compactMap { $0["pointer"]?.stringValue }
            #expect(Set(pointers) == ["/name", "/scopes/0", "/x"], "\(pointers)")
            // Revoked: refused at once; revoking twice keeps the first time.
            let revoked = try await stack.request("DELETE", "/tokens/ci")
            #expect(revoked.status == 200)
            #expect(try await stack.request("GET", "/registered-tasks", headers: submit).status == 401)
            let again = try stack.json(try await stack.request("DELETE", "/tokens/ci"))
            #expect(again["revoked_at"] == (try stack.json(revoked))["revoked_at"])
            #expect(try await stack.request("DELETE", "/tokens/nobody").status == 404)
            // Last use is written within about a second.
            var lastUsed: JSONValue?
            for _ in 0..<100 where lastUsed == nil || lastUsed == .null {
                let items = try stack.json(try await stack.request("GET", "/tokens"))["items"]?.arrayValue ?? []
                lastUsed = items.first { $0["name"] == "ci" }?["last_used_at"]
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(lastUsed?.stringValue != nil, "last_used_at was never written")
        }
    }

    static func makeToken(_ stack: LiveStack, _ name: String, _ scopes: [Scope]) async throws -> String {
        let body = JSONValue.object(["name": .string(name), "scopes": .array(scopes.map { .string($0.rawValue) })]).jsonText
        let response = try await stack.request("POST", "/tokens", body: body)
        #expect(response.status == 201, "\(response.text)")
        return try #require(try stack.json(response)["token"]?.stringValue)
    }
}
