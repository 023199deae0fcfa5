// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
