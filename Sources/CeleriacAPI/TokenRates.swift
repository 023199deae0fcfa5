// Celeriac — a Celery-compatible job service in Swift.

import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Requests per token: a token bucket each, `burst` deep, refilled at `perSecond`. A token
/// whose bucket is empty is refused (429) with the seconds until it holds a request again.
/// `perSecond` 0 turns it off, and costs nothing then.
public final class TokenRates: Sendable {
    private let perSecond: Double
    private let burst: Double
    /// Per token name: requests left and when that was counted.
    private let buckets = Locked<[String: (left: Double, at: Date)]>([:])

    public init(perSecond: Int = 0, burst: Int = 1) {
        self.perSecond = Double(perSecond)
        self.burst = Double(max(1, burst))
    }

    var enabled: Bool { perSecond > 0 }

    /// Takes one request from `token`'s bucket; nil when it may go on, else seconds to wait.
    func take(_ token: String, now: Date) -> Int? {
        guard enabled else { return nil }
        return buckets.withLock { buckets -> Int? in
            let last = buckets[token] ?? (burst, now)
            let left = min(burst, last.left + max(0, now.timeIntervalSince(last.at)) * perSecond)
            guard left >= 1 else {
                buckets[token] = (left, now)
                return max(1, Int(((1 - left) / perSecond).rounded(.up)))
            }
            buckets[token] = (left - 1, now)
            return nil
        }
    }
}
