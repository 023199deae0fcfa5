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
    }

    private let state = Locked(State())

    public init() {}

    /// The active tokens, all of them (revoked ones are left out by the caller).
    public func replace(with tokens: [APIToken]) {
        var byPrefix: [UInt64: Entry] = [:]
        for token in tokens where token.revokedAt == nil {
            guard let digest = Self.digest(hex: token.sha256) else { continue }
            byPrefix[Self.prefix(digest)] = Entry(id: token.id, digest: digest, identity: Identity(name: token.name, scopes: token.scopes))
        }
        state.withLock {
            $0.byPrefix = byPrefix
            $0.loaded = true
        }
    }

    /// Whether the table was loaded at least once.
    public var loaded: Bool { state.withLock { $0.loaded } }

    /// Adds one token (made by this API).
    public func add(_ token: APIToken) {
        guard token.revokedAt == nil, let digest = Self.digest(hex: token.sha256) else { return }
        state.withLock {
            $0.byPrefix[Self.prefix(digest)] = Entry(id: token.id, digest: digest, identity: Identity(name: token.name, scopes: token.scopes))
        }
    }

    /// Forgets one token (revoked by this API).
    public func remove(id: Int64) {
        state.withLock { state in state.byPrefix = state.byPrefix.filter { $0.value.id != id } }
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

    private static func digest(hex: String) -> [UInt8]? {
        let bytes = Array(hex.utf8)
        guard bytes.count == 64 else { return nil }
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(bytes[index]), let low = Self.nibble(bytes[index + 1]) else { return nil }
            digest.append(high << 4 | low)
        }
        return digest
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// Failed authentications per address: past `limit` in `window`, the address is refused
/// (429) until the window since its first failure has passed, so guessing tokens is slow
/// and a client stuck with a wrong one gets a clear answer instead of a flood of 401s.
public final class AuthFailures: Sendable {
    private let limit: Int
    private let window: Double
    /// Per address: when its current window began and its failures in it.
    private let counts = Locked<[String: (since: Date, failures: Int)]>([:])

    public init(limit: Int = 20, window: Double = 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `address` may try again, nil when it may now.
    func blocked(_ address: String, now: Date) -> Int? {
        guard limit > 0 else { return nil }
        return counts.withLock { counts -> Int? in
            guard let entry = counts[address] else { return nil }
            let left = window - now.timeIntervalSince(entry.since)
            if left <= 0 {
                counts[address] = nil
                return nil
            }
            return entry.failures >= limit ? Int(left.rounded(.up)) : nil
        }
    }

    func record(_ address: String, now: Date) {
        guard limit > 0 else { return }
        counts.withLock { counts in
            if counts.count > 100_000 { counts = counts.filter { now.timeIntervalSince($0.value.since) < window } }
            if let entry = counts[address], now.timeIntervalSince(entry.since) < window {
                counts[address] = (entry.since, entry.failures + 1)
            } else {
                counts[address] = (now, 1)
            }
        }
    }
}
