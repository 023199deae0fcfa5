// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTPServer
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The tokens the API accepts, in memory so `POST /tasks` never waits on PostgreSQL:
/// replaced from `celeriac_api_token` every second (``TokenRefresher``), so a token made or
/// revoked by `celeriac token` or another API counts within a second; this API's own token
/// routes change it at once. A presented token is hashed, found by its hash's first 8 bytes
/// and compared on all 32 in constant time.
public final class TokenTable: Sendable {
    private struct Entry: Sendable {
        var id: Int64
        var digest: [UInt8]
        var identity: Identity
    }

    private struct State {
        var byPrefix: [UInt64: Entry] = [:]
        /// Tokens used since the last ``takeUsed()``, by id, and when.
        var used: [Int64: Date] = [:]
        var loaded = false
        /// Bumped by every local ``add(_:)`` and ``remove(id:)``.
        var changes = 0
    }

    private let state = Locked(State())

    public init() {}

    /// Local changes so far: a reload read before one must not undo it (``replace(with:unlessChangedSince:)``).
    var changes: Int { state.withLock { $0.changes } }

    /// The active tokens, all of them (revoked ones are left out).
    public func replace(with tokens: [APIToken]) { replace(with: tokens, unlessChangedSince: nil) }

    /// Replaces the table with `tokens`, read when ``changes`` was `since`; a local add or
    /// revoke after that read wins (the next reload sees it in the database). Returns
    /// whether it replaced.
    @discardableResult
    func replace(with tokens: [APIToken], unlessChangedSince since: Int?) -> Bool {
        var byPrefix: [UInt64: Entry] = [:]
        for case let (key, entry)? in tokens.map(Self.entry) { byPrefix[key] = entry }
        return state.withLock { state in
            if let since, state.changes != since { return false }
            state.byPrefix = byPrefix
            state.loaded = true
            return true
        }
    }

    /// Whether the table was loaded at least once.
    public var loaded: Bool { state.withLock { $0.loaded } }

    /// Adds one token (made by this API).
    public func add(_ token: APIToken) {
        guard let (key, entry) = Self.entry(token) else { return }
        state.withLock {
            $0.byPrefix[key] = entry
            $0.changes += 1
        }
    }

    /// Forgets one token (revoked by this API).
    public func remove(id: Int64) {
        state.withLock { state in
            state.byPrefix = state.byPrefix.filter { $0.value.id != id }
            state.changes += 1
        }
    }

    /// The identity of a presented token, nil for one that is not active; notes its use.
    func identify(_ token: String, now: Date) -> Identity? {
        guard token.hasPrefix(APIToken.prefix), token.utf8.count <= 200 else { return nil }
        let digest = TokenSecret.digest(token)
        return state.withLock { state -> Identity? in
            guard let entry = state.byPrefix[Self.prefix(digest)], BearerToken.constantTimeEqual(entry.digest, digest) else {
                return nil
            }
            state.used[entry.id] = now
            return entry.identity
        }
    }

    /// The tokens used since the last call, and when (for `last_used_at`).
    func takeUsed() -> [Int64: Date] {
        state.withLock { state in
            defer { state.used = [:] }
            return state.used
        }
    }

    /// Puts back a use a failed write did not record.
    func noteUsed(id: Int64, at: Date) {
        state.withLock { state in state.used[id] = max(state.used[id] ?? at, at) }
    }

    private static func prefix(_ digest: [UInt8]) -> UInt64 {
        digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The table entry of an active token whose stored hash reads as 32 bytes.
    private static func entry(_ token: APIToken) -> (key: UInt64, entry: Entry)? {
        guard token.revokedAt == nil, let digest = Hex.decode(token.sha256), digest.count == 32 else { return nil }
        return (prefix(digest), Entry(id: token.id, digest: digest, identity: Identity(name: token.name, scopes: token.scopes)))
    }
}
