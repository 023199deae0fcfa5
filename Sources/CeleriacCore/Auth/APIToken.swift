// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A named API token as stored: its scopes and dates, never the token itself (only its
/// SHA-256, which ``TokenTable`` matches).
public struct APIToken: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var scopes: Set<Scope>
    /// SHA-256 of the token, lowercase hex.
    public var sha256: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: Int64, name: String, scopes: Set<Scope>, sha256: String, createdAt: Date, lastUsedAt: Date? = nil,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.sha256 = sha256
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// `{id, name, scopes, created_at, last_used_at, revoked_at}`: never the hash.
    public var json: JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(CeleryTime.format($0)) } ?? .null }
        return .object([
            "id": .int(id), "name": .string(name), "scopes": .array(scopes.map(\.rawValue).sorted().map(JSONValue.string)),
            "created_at": time(createdAt), "last_used_at": time(lastUsedAt), "revoked_at": time(revokedAt),
        ])
    }

    /// Tokens start with this, so a leaked one is recognisable (secret scanners, logs).
    public static let prefix = "cel_"

    /// Names: 1–100 letters, digits, `.`, `_`, `-`, `@`.
    public static func checkName(_ name: String, operation: String) throws(DomainError) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-@".unicodeScalars.contains($0)) }
        guard (1...100).contains(name.count), allowed else {
            throw DomainError(
                .invalid, operation: operation, "a token name is 1–100 letters, digits, '.', '_', '-' or '@'",
                fields: [DomainError.FieldError(pointer: "/name", detail: "1–100 of a-z A-Z 0-9 . _ - @")])
        }
    }
}

extension Scope {
    /// `submit,read` → the scopes; an empty list or an unknown name is a ``DomainError``.
    public static func parseList(_ text: String, operation: String, pointer: String = "/scopes") throws(DomainError) -> Set<Scope> {
        try parseList(text.split(separator: ",").map { String($0.filter { $0 != " " }) }, operation: operation, pointer: pointer)
    }

    public static func parseList(_ names: [String], operation: String, pointer: String = "/scopes") throws(DomainError) -> Set<Scope> {
        var scopes: Set<Scope> = []
        for (index, name) in names.enumerated() {
            guard let scope = Scope(rawValue: name) else {
                throw DomainError(
                    .invalid, operation: operation, "unknown scope \(name.prefix(40)); scopes are submit, read, admin, worker",
                    fields: [DomainError.FieldError(pointer: "\(pointer)/\(index)", detail: "one of submit, read, admin, worker")])
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else {
            throw DomainError(.invalid, operation: operation, "a token needs at least one scope", fields: [DomainError.FieldError(pointer: pointer, detail: "at least one scope")])
        }
        return scopes
    }
}
