// Celeriac — a Celery-compatible job service in Swift.

/// How a task is retried after its job fails: Celery's `autoretry_for` options
/// (`max_retries`, `retry_backoff`, `retry_backoff_max`, `retry_jitter`) carried in the
/// message, since Celery keeps them on the task class where a Swift worker cannot see them.
///
/// Travels as the `celeriac_retry` header; a Celery worker ignores it, and sees the retry
/// count in `retries` as it would for its own retries.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt; then the task ends FAILURE.
    public var maxRetries: Int
    /// Seconds before the first retry; doubled for each one after.
    public var backoff: Double
    /// Longest delay, seconds.
    public var backoffMax: Double
    /// Full jitter: the delay is drawn uniformly from zero to the backoff (AWS's "full jitter";
    /// Celery's `retry_jitter`), so tasks that failed together do not return together.
    public var jitter: Bool

    public init(maxRetries: Int, backoff: Double = 1, backoffMax: Double = 600, jitter: Bool = true) {
        self.maxRetries = maxRetries
        self.backoff = backoff
        self.backoffMax = backoffMax
        self.jitter = jitter
    }

    /// The header that carries the policy.
    public static let header = "celeriac_retry"
    /// Celery's default `max_retries`, also the limit of a retry a job asks for by itself.
    public static let defaultMaxRetries = 3
    /// Most retries a policy may ask for.
    public static let maxRetriesLimit = 100
    static let fields: Set<String> = ["max_retries", "backoff", "backoff_max", "jitter"]

    /// Seconds to wait before the next attempt of a task retried `retries` times so far:
    /// `backoff · 2^retries`, at most `backoffMax`, scaled by `unit` (uniform in 0..<1) with jitter.
    public func delay(afterRetries retries: Int, unit: Double) -> Double {
        let exponential = backoff * Double.pow2(min(retries, 62))
        let capped = min(backoffMax, exponential)
        return jitter ? capped * min(max(unit, 0), 1) : capped
    }

    /// The header's value.
    public var json: JSONValue {
        .object([
            "max_retries": .int(Int64(maxRetries)), "backoff": .double(backoff), "backoff_max": .double(backoffMax),
            "jitter": .bool(jitter),
        ])
    }

    /// Reads a request's `retry` object (or a message header), adding each bad field to
    /// `errors` under `pointer`; nil when anything is wrong. Omitted fields take Celery's
    /// defaults (3 retries, 1 s doubling up to 600 s, jitter).
    public static func parse(_ value: JSONValue, at pointer: String, errors: inout [DomainError.FieldError]) -> RetryPolicy? {
        guard case .object(let o) = value else {
            errors.append(.init(pointer: pointer, detail: "expected object, got \(value.kindName)"))
            return nil
        }
        let before = errors.count
        for key in o.keys.sorted() where !fields.contains(key) {
            errors.append(.init(pointer: "\(pointer)/\(key)", detail: "unknown field"))
        }
        var policy = RetryPolicy(maxRetries: defaultMaxRetries)
        if let value = o["max_retries"], value != .null {
            if let count = value.intValue, (0...Int64(maxRetriesLimit)).contains(count) {
                policy.maxRetries = Int(count)
            } else {
                errors.append(.init(pointer: "\(pointer)/max_retries", detail: "expected integer 0–\(maxRetriesLimit)"))
            }
        }
        func seconds(_ field: String) -> Double? {
            guard let value = o[field], value != .null else { return nil }
            guard let seconds = value.doubleValue, seconds.isFinite, seconds > 0, seconds <= EnqueueRequest.maxSeconds else {
                errors.append(.init(pointer: "\(pointer)/\(field)", detail: "expected seconds above 0 up to \(Int(EnqueueRequest.maxSeconds))"))
                return nil
            }
            return seconds
        }
        if let backoff = seconds("backoff") { policy.backoff = backoff }
        if let backoffMax = seconds("backoff_max") { policy.backoffMax = backoffMax }
        if let value = o["jitter"], value != .null {
            if let jitter = value.boolValue { policy.jitter = jitter } else {
                errors.append(.init(pointer: "\(pointer)/jitter", detail: "expected boolean, got \(value.kindName)"))
            }
        }
        return errors.count == before ? policy : nil
    }
}

extension Double {
    /// 2ⁿ for n in 0...62, exactly.
    static func pow2(_ n: Int) -> Double { Double(Int64(1) << Int64(n)) }
}
