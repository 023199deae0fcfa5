// Celeriac — a Celery-compatible job service in Swift.

/// One Celery protocol v2 task message, as kombu's Redis transport stores it.
///
/// `headers` and `properties` keep every key the producer sent (also ones we do not know,
/// such as `redelivered` or `stamps`) so a decoded message re-encodes to an equivalent one.
/// Typed accessors read the fields Celeriac acts on. See `docs/wire-format.md`.
public struct TaskMessage: Sendable, Equatable {
    /// Positional arguments (`body[0]`).
    public var args: [JSONValue]
    /// Keyword arguments (`body[1]`).
    public var kwargs: [String: JSONValue]
    /// Canvas options (`body[2]`): `callbacks`, `errbacks`, `chain`, `chord`.
    public var embed: [String: JSONValue]
    /// Protocol v2 headers (`task`, `id`, `eta`, `retries`, ...).
    public var headers: [String: JSONValue]
    /// kombu message properties (`correlation_id`, `delivery_info`, `delivery_tag`, ...).
    public var properties: [String: JSONValue]

    public init(
        args: [JSONValue], kwargs: [String: JSONValue], embed: [String: JSONValue],
        headers: [String: JSONValue], properties: [String: JSONValue]
    ) {
        self.args = args
        self.kwargs = kwargs
        self.embed = embed
        self.headers = headers
        self.properties = properties
    }

    /// The registered task name (`headers.task`).
    public var task: String { headers["task"]?.stringValue ?? "" }
    /// The task id (`headers.id`), a UUID string for every Celery producer.
    public var id: String { headers["id"]?.stringValue ?? "" }
    /// Times this task was retried after an error (read as 0...2³¹−1, the range reports carry).
    public var retries: Int {
        Int(min(max(headers["retries"]?.intValue ?? 0, TaskReport.counts.lowerBound), TaskReport.counts.upperBound))
    }
    /// The queue it was routed to (`delivery_info.routing_key`).
    public var queue: String? { properties["delivery_info"]?["routing_key"]?.stringValue }
    /// `eta` as sent: an RFC 3339 string, or nil.
    public var eta: String? { headers["eta"]?.stringValue }
    /// `expires` as sent: an RFC 3339 string, or nil.
    public var expires: String? { headers["expires"]?.stringValue }
    /// kombu priority, 0–9 (0 is served first on Redis).
    public var priority: Int { Int(properties["priority"]?.intValue ?? 0) }
    /// Hard and soft time limits in seconds (`headers.timelimit`, `[hard, soft]`); nil when
    /// unset or not a positive number.
    public var timeLimits: (hard: Double?, soft: Double?) {
        let limits = headers["timelimit"]?.arrayValue ?? []
        func positive(_ index: Int) -> Double? {
            guard index < limits.count, let seconds = limits[index].doubleValue, seconds.isFinite, seconds > 0 else { return nil }
            return seconds
        }
        return (positive(0), positive(1))
    }
    /// kombu's per-publish tag.
    public var deliveryTag: String? { properties["delivery_tag"]?.stringValue }
}

extension TaskMessage {
    /// The embed Celery sends when there is no canvas.
    public static let emptyEmbed: [String: JSONValue] = [
        "callbacks": .null, "errbacks": .null, "chain": .null, "chord": .null,
    ]
}
