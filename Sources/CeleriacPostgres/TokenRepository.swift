// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// `celeriac_api_token` rows: tokens are made, listed and revoked here, by the API's admin
/// routes and by `celeriac token`; only a token's SHA-256 is ever stored.
public struct TokenRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    static let columns = """
        id, name, array_to_string(scopes, ','), token_sha256, extract(epoch FROM created_at),
        extract(epoch FROM last_used_at), extract(epoch FROM revoked_at)
        """

    /// Stores a new token by its hash.
    /// - Throws: ``DomainError`` `conflict` when the name is taken (revoked names stay taken).
    public func create(name: String, scopes: Set<Scope>, sha256: String, now: Date) async throws -> APIToken {
        do {
            let rows = try await client.query(
                """
                INSERT INTO celeriac_api_token (name, token_sha256, scopes, created_at) VALUES ($1, $2, $3::text[], $4::timestamptz)
                RETURNING \(Self.columns)
                """, [name, sha256, PGTextArray.literal(scopes.map(\.rawValue).sorted()), CeleryTime.format(now)])
            guard let row = rows.rows.first else { throw PostgresError.decode(column: "id", message: "no row returned") }
            return try Self.token(row)
        } catch PostgresError.query(sqlState: HistoryRepository.uniqueViolation, message: _) {
            throw DomainError(.conflict, operation: "create token", "a token named \(name) exists (names of revoked tokens stay taken)")
        }
    }

    /// Every token, revoked ones too, oldest first.
    public func list() async throws -> [APIToken] {
        try await client.query("SELECT \(Self.columns) FROM celeriac_api_token ORDER BY id").rows.map(Self.token)
    }

    /// The tokens that still open doors.
    public func active() async throws -> [APIToken] {
        try await client.query("SELECT \(Self.columns) FROM celeriac_api_token WHERE revoked_at IS NULL ORDER BY id").rows.map(Self.token)
    }

    /// Revokes the token with this id or name; returns it, nil when there is none.
    public func revoke(_ idOrName: String, now: Date) async throws -> APIToken? {
        let rows = try await client.query(
            """
            UPDATE celeriac_api_token SET revoked_at = coalesce(revoked_at, $2::timestamptz)
            WHERE (CASE WHEN $1 ~ '^[0-9]{1,18}$' THEN id = $1::bigint ELSE false END) OR name = $1
            RETURNING \(Self.columns)
            """, [idOrName, CeleryTime.format(now)])
        return try rows.rows.first.map(Self.token)
    }

    /// Records when tokens were last used (by id), written in one statement.
    public func touch(_ used: [Int64: Date]) async throws {
        guard !used.isEmpty else { return }
        let ids = used.keys.sorted()
        _ = try await client.query(
            """
            UPDATE celeriac_api_token t SET last_used_at = GREATEST(t.last_used_at, v.used)
            FROM unnest($1::bigint[], $2::timestamptz[]) AS v(id, used) WHERE t.id = v.id
            """, [PGTextArray.integers(ids.map(Int.init)), PGTextArray.literal(ids.map { CeleryTime.format(used[$0]!) })])
    }

    static func token(_ row: PGRow) throws -> APIToken {
        let scopes = try row.decode(2, as: String.self).split(separator: ",").compactMap { Scope(rawValue: String($0)) }
        return APIToken(
            id: try row.decode(0), name: try row.decode(1), scopes: Set(scopes), sha256: try row.decode(3),
            createdAt: try row.decode(4), lastUsedAt: try row.decodeIfPresent(5), revokedAt: try row.decodeIfPresent(6))
    }
}
