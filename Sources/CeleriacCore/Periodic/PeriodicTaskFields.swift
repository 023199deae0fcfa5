// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What a client writes of a periodic task and its row keeps: every column but the id, the
/// schedule and the scheduler's bookkeeping (`last_run_at`, `total_run_count`, `date_changed`).
public struct PeriodicTaskFields: Sendable, Equatable {
    public var name: String
    public var task: String
    /// `args`, `kwargs`, `headers` as stored: JSON text (Django keeps whatever its form took).
    public var args: String
    public var kwargs: String
    public var headers: String
    public var queue: String?
    public var exchange: String?
    public var routingKey: String?
    public var priority: Int?
    public var expires: Date?
    public var expireSeconds: Int?
    public var oneOff: Bool
    public var startTime: Date?
    public var enabled: Bool
    public var description: String

    public init(
        name: String, task: String, args: String = "[]", kwargs: String = "{}", headers: String = "{}", queue: String? = nil,
        exchange: String? = nil, routingKey: String? = nil, priority: Int? = nil, expires: Date? = nil,
        expireSeconds: Int? = nil, oneOff: Bool = false, startTime: Date? = nil, enabled: Bool = true, description: String = ""
    ) {
        self.name = name
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.headers = headers
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.priority = priority
        self.expires = expires
        self.expireSeconds = expireSeconds
        self.oneOff = oneOff
        self.startTime = startTime
        self.enabled = enabled
        self.description = description
    }
}
