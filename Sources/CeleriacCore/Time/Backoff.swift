// Celeriac — a Celery-compatible job service in Swift.

/// Exponential backoff: `base` after the first failure, doubling per failure, never above
/// `cap`. The one formula every retry loop uses (reconnects, claims, reports, history writes).
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// The wait after `failures` consecutive failures (1 → `base`).
    public func delay(afterFailures failures: Int) -> Duration {
        let doublings = min(max(failures, 1) - 1, 30)
        let factor = Int64(1) << doublings
        let baseMillis = base.wholeMilliseconds
        let capMillis = cap.wholeMilliseconds
        // Compare before multiplying: `base * 2^30` would overflow for large bases.
        guard baseMillis > 0, factor <= capMillis / baseMillis else { return cap }
        return .milliseconds(baseMillis * factor)
    }

    /// Reconnecting to Redis: 50 ms doubling to 2 s.
    public static let reconnect = Backoff(base: .milliseconds(50), cap: .seconds(2))
    /// A worker's Redis steps (claims, acks, dead-letter moves): 100 ms doubling to 2 s.
    public static let redisStep = Backoff(base: .milliseconds(100), cap: .seconds(2))
    /// Reports to the API: 200 ms doubling to 5 s.
    public static let report = Backoff(base: .milliseconds(200), cap: .seconds(5))
    /// Writes to PostgreSQL: 200 ms doubling to 5 s.
    public static let database = Backoff(base: .milliseconds(200), cap: .seconds(5))
}
