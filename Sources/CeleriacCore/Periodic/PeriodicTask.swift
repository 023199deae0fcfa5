// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A django-celery-beat `PeriodicTask` row, with its schedule row.
@dynamicMemberLookup
public struct PeriodicTask: Sendable, Equatable {
    public var id: Int
    public var fields: PeriodicTaskFields
    /// Nil for a row whose schedule is missing (written by hand, or a half-done migration).
    public var schedule: ScheduleRow?
    public var lastRunAt: Date?
    public var totalRunCount: Int
    public var dateChanged: Date

    public init(
        id: Int, fields: PeriodicTaskFields, schedule: ScheduleRow?, lastRunAt: Date? = nil, totalRunCount: Int = 0,
        dateChanged: Date
    ) {
        self.id = id
        self.fields = fields
        self.schedule = schedule
        self.lastRunAt = lastRunAt
        self.totalRunCount = totalRunCount
        self.dateChanged = dateChanged
    }

    public subscript<T>(dynamicMember path: KeyPath<PeriodicTaskFields, T>) -> T { fields[keyPath: path] }

    /// The API's representation; `extra` adds computed members (schedule description, next runs).
    public func json(extra: [String: JSONValue] = [:]) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(CeleryTime.format($0)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        /// Stored JSON text as a value; text that is not JSON (a hand-written row) stays text.
        func stored(_ text: String) -> JSONValue { (try? JSONValue.parse(Array(text.utf8))) ?? .string(text) }
        var object: [String: JSONValue] = [
            "id": .int(Int64(id)), "name": .string(self.name), "task": .string(self.task), "enabled": .bool(self.enabled),
            "one_off": .bool(self.oneOff), "args": stored(self.args), "kwargs": stored(self.kwargs),
            "headers": stored(self.headers), "queue": text(self.queue), "exchange": text(self.exchange),
            "routing_key": text(self.routingKey), "priority": self.priority.map { .int(Int64($0)) } ?? .null,
            "expires": time(self.expires), "expire_seconds": self.expireSeconds.map { .int(Int64($0)) } ?? .null,
            "start_time": time(self.startTime), "last_run_at": time(lastRunAt), "total_run_count": .int(Int64(totalRunCount)),
            "date_changed": time(dateChanged), "description": .string(self.description),
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
        "expires", "expire_seconds", "start_time", "last_run_at", "last_run", "total_run_count", "date_changed", "description",
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
