// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension TaskMessage {
    /// The retry policy the producer attached (`celeriac_retry`); nil when there is none or it
    /// cannot be read (then the task is not retried on errors).
    public var retryPolicy: RetryPolicy? {
        guard let value = headers[RetryPolicy.header] else { return nil }
        var errors: [DomainError.FieldError] = []
        return RetryPolicy.parse(value, at: "", errors: &errors)
    }

    /// The message that runs the next attempt, as Celery's `Task.retry` re-sends it: same id,
    /// `retries` plus one, `eta` when it is due, the task itself as `parent_id`, a fresh
    /// delivery tag; everything else unchanged.
    public func retried(at eta: Date, deliveryTag: String) -> TaskMessage {
        var next = self
        next.headers["retries"] = .int(Int64(retries) + 1)
        next.headers["eta"] = .string(CeleryTime.format(eta))
        next.headers["parent_id"] = .string(id)
        next.properties["delivery_tag"] = .string(deliveryTag)
        return next
    }
}
