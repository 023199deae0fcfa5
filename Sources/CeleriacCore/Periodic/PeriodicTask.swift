// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A django-celery-beat `PeriodicTask` row, with its schedule row.
public struct PeriodicTask: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var task: String
    /// Nil for a row whose schedule is missing (written by hand, or a half-done migration).
    public var schedule: ScheduleRow?
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
    public var lastRunAt: Date?
    public var totalRunCount: Int
    public var dateChanged: Date
    public var description: String

    public init(
        id: Int, name: String, task: String, schedule: ScheduleRow?, args: String = "[]", kwargs: String = "{}",
        headers: String = "{}", queue: String? = nil, exchange: String? = nil, routingKey: String? = nil, priority: Int? = nil,
        expires: Date? = nil, expireSeconds: Int? = nil, oneOff: Bool = false, startTime: Date? = nil, enabled: Bool = true,
        lastRunAt: Date? = nil, totalRunCount: Int = 0, dateChanged: Date, description: String = ""
    ) {
        self.id = id
        self.name = name
        self.task = task
        self.schedule = schedule
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
        self.lastRunAt = lastRunAt
        self.totalRunCount = totalRunCount
        self.dateChanged = dateChanged
        self.description = description
    }

    /// The API's representation; `extra` adds computed members (schedule description, next runs).
    public func json(extra: [String: JSONValue] = [:]) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(CeleryTime.format($0)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        /// Stored JSON text as a value; text that is not JSON (a hand-written row) stays text.
        func stored(_ text: String) -> JSONValue { (try? JSONValue.parse(Array(text.utf8))) ?? .string(text) }
        var object: [String: JSONValue] = [
            "id": .int(Int64(id)), "name": .string(name), "task": .string(task), "enabled": .bool(enabled),
            "one_off": .bool(oneOff), "args": stored(args), "kwargs": stored(kwargs), "headers": stored(headers),
            "queue": text(queue), "exchange": text(exchange), "routing_key": text(routingKey),
            "priority": priority.map { .int(Int64($0)) } ?? .null, "expires": time(expires),
            "expire_seconds": expireSeconds.map { .int(Int64($0)) } ?? .null, "start_time": time(startTime),
            "last_run_at": time(lastRunAt), "total_run_count": .int(Int64(totalRunCount)),
            "date_changed": time(dateChanged), "description": .string(description),
            "schedule_kind": schedule.map { .string($0.value.kind.rawValue) } ?? .null,
        ]
        for kind in ScheduleKind.allCases { object[kind.rawValue] = .null }
        if let schedule { object[schedule.value.kind.rawValue] = schedule.json }
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    /// Key order of ``json(extra:)``.
    public static let keyOrder = [
        "id", "name", "task", "enabled", "one_off", "schedule_kind", "crontab", "interval", "clocked", "solar",
        "schedule_description", "next_runs", "args", "kwargs", "headers", "queue", "exchange", "routing_key", "priority",
        "expires", "expire_seconds", "start_time", "last_run_at", "total_run_count", "date_changed", "description",
        "minute", "hour", "day_of_week", "day_of_month", "month_of_year", "timezone", "every", "period", "clocked_time",
        "event", "latitude", "longitude",
    ]
}

extension ScheduleRow {
    /// `{id, <fields>}`.
    public var json: JSONValue {
        var fields = value.fieldsJSON
        fields["id"] = .int(Int64(id))
        return .object(fields)
    }
}
