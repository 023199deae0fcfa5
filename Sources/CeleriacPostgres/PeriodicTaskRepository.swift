// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// `django_celery_beat_periodictask` rows, written the way Django writes them (every NOT NULL
/// column given, `date_changed` on every save, `last_update` bumped in the same transaction)
/// so Django's admin and Celery's DatabaseScheduler share them with us.
public struct PeriodicTaskRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    /// The admin's filters and search (`list_filter`, `search_fields`).
    public struct Filter: Sendable {
        public var enabled: Bool?
        public var oneOff: Bool?
        public var task: String?
        public var queue: String?
        public var kind: ScheduleKind?
        public var startTimeAfter: Date?
        public var startTimeBefore: Date?
        /// Words that must each appear in the name or the task name (case-insensitive).
        public var search: [String] = []
        public var ordering: Ordering = .name
        public var limit = 100
        public var offset = 0

        public init() {}
    }

    /// Orderings a list may ask for; `-` descending.
    public enum Ordering: String, Sendable, CaseIterable {
        case name, id, task, enabled
        case startTime = "start_time"
        case lastRunAt = "last_run_at"
        case dateChanged = "date_changed"
        case nameDescending = "-name"
        case idDescending = "-id"
        case taskDescending = "-task"
        case startTimeDescending = "-start_time"
        case lastRunAtDescending = "-last_run_at"
        case dateChangedDescending = "-date_changed"

        var sql: String {
            let descending = rawValue.hasPrefix("-")
            let column = descending ? String(rawValue.dropFirst()) : rawValue
            return "t.\(column) \(descending ? "DESC NULLS LAST" : "ASC NULLS LAST"), t.id"
        }
    }

    static let columns = """
        t.id, t.name, t.task, t.args, t.kwargs, t.headers, t.queue, t.exchange, t.routing_key, t.priority,
        extract(epoch FROM t.expires), t.expire_seconds, t.one_off, extract(epoch FROM t.start_time), t.enabled,
        extract(epoch FROM t.last_run_at), t.total_run_count, extract(epoch FROM t.date_changed), t.description,
        t.crontab_id, \(ScheduleTables.selectList(.crontab, alias: "c")), t.interval_id, \(ScheduleTables.selectList(.interval, alias: "i")),
        t.clocked_id, \(ScheduleTables.selectList(.clocked, alias: "k")), t.solar_id, \(ScheduleTables.selectList(.solar, alias: "s"))
        """

    static let from = """
        FROM django_celery_beat_periodictask t
        LEFT JOIN django_celery_beat_crontabschedule c ON c.id = t.crontab_id
        LEFT JOIN django_celery_beat_intervalschedule i ON i.id = t.interval_id
        LEFT JOIN django_celery_beat_clockedschedule k ON k.id = t.clocked_id
        LEFT JOIN django_celery_beat_solarschedule s ON s.id = t.solar_id
        """

    static func task(_ row: PGRow) throws -> PeriodicTask {
        // The first schedule that is set and joined (a row should have exactly one).
        var schedule: ScheduleRow?
        var column = 19
        for kind in [ScheduleKind.crontab, .interval, .clocked, .solar] {
            if schedule == nil, let id = try row.decodeIfPresent(column, as: Int.self),
                let value = ScheduleTables.value(kind, from: row, at: column + 1)
            {
                schedule = ScheduleRow(id: id, value: value)
            }
            column += 1 + ScheduleTables.width(kind)
        }
        func date(_ index: Int) throws -> Date? { try row.decodeIfPresent(index, as: Date.self) }
        let fields = PeriodicTaskFields(
            name: try row.decode(1), task: try row.decode(2), args: try row.decode(3), kwargs: try row.decode(4),
            headers: try row.decode(5), queue: try row.decodeIfPresent(6), exchange: try row.decodeIfPresent(7),
            routingKey: try row.decodeIfPresent(8), priority: try row.decodeIfPresent(9), expires: try date(10),
            expireSeconds: try row.decodeIfPresent(11), oneOff: try row.decode(12), startTime: try date(13),
            enabled: try row.decode(14), description: try row.decode(18))
        return PeriodicTask(
            id: try row.decode(0), fields: fields, schedule: schedule, lastRunAt: try date(15),
            totalRunCount: try row.decode(16), dateChanged: try date(17) ?? Date(timeIntervalSince1970: 0))
    }

    public func list(_ filter: Filter) async throws -> (tasks: [PeriodicTask], count: Int) {
        var conditions: [String] = []
        var params: [String?] = []
        func bind(_ value: String) -> String {
            params.append(value)
            return "$\(params.count)"
        }
        if let enabled = filter.enabled { conditions.append("t.enabled = \(bind(enabled ? "true" : "false"))::boolean") }
        if let oneOff = filter.oneOff { conditions.append("t.one_off = \(bind(oneOff ? "true" : "false"))::boolean") }
        if let task = filter.task { conditions.append("t.task = \(bind(task))") }
        if let queue = filter.queue { conditions.append("t.queue = \(bind(queue))") }
        if let kind = filter.kind { conditions.append("t.\(kind.rawValue)_id IS NOT NULL") }
        if let after = filter.startTimeAfter { conditions.append("t.start_time >= \(bind(CeleryTime.format(after)))::timestamptz") }
        if let before = filter.startTimeBefore { conditions.append("t.start_time < \(bind(CeleryTime.format(before)))::timestamptz") }
        for word in filter.search {
            // The admin's search: every word in the name or the task (icontains).
            let pattern = bind("%" + word.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%")
            conditions.append("(t.name ILIKE \(pattern) OR t.task ILIKE \(pattern))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let countParams = params
        let limit = bind(String(filter.limit))
        let offset = bind(String(filter.offset))
        let listParams = params
        return try await client.withTransaction { transaction in
            let count = try transaction.query("SELECT count(*) \(Self.from) \(whereClause)", countParams).rows[0].decode(0, as: Int.self)
            let rows = try transaction.query(
                "SELECT \(Self.columns) \(Self.from) \(whereClause) ORDER BY \(filter.ordering.sql) LIMIT \(limit) OFFSET \(offset)",
                listParams)
            return (try rows.rows.map(Self.task), count)
        }
    }

    public func get(id: Int) async throws -> PeriodicTask? {
        try await client.withTransaction { transaction in try Self.get(id: id, in: transaction) }
    }

    static func get(id: Int, in transaction: PGTransaction) throws -> PeriodicTask? {
        try transaction.query("SELECT \(columns) \(from) WHERE t.id = $1", [String(id)]).rows.first.map(task)
    }

    public func get(ids: [Int]) async throws -> [PeriodicTask] {
        let list = PGTextArray.integers(ids)
        return try await client.query("SELECT \(Self.columns) \(Self.from) WHERE t.id = ANY($1::integer[]) ORDER BY t.id", [list])
            .rows.map(Self.task)
    }

    /// Inserts the task (its schedule found or made) and returns it.
    public func create(_ draft: PeriodicTaskDraft, now: Date) async throws -> PeriodicTask {
        try await client.withTransaction { transaction in
            let scheduleID = try Self.scheduleID(draft.schedule, in: transaction)
            try Self.requireUniqueName(draft.name, except: nil, in: transaction)
            let params = Self.parameters(draft, scheduleID: scheduleID, now: now)
            let rows = try Self.uniqueName(draft.name) {
                try transaction.query("""
                    INSERT INTO django_celery_beat_periodictask
                        (name, task, args, kwargs, headers, queue, exchange, routing_key, priority, expires, expire_seconds,
                         one_off, start_time, enabled, description, crontab_id, interval_id, clocked_id, solar_id,
                         last_run_at, total_run_count, date_changed)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::integer, $10::timestamptz, $11::integer, $12::boolean,
                            $13::timestamptz, $14::boolean, $15, $16::integer, $17::integer, $18::integer, $19::integer,
                            NULL, 0, $20::timestamptz)
                    RETURNING id
                    """, params)
            }
            try ScheduleRepository.bump(now, in: transaction)
            guard let id = try rows.rows.first?.decode(0, as: Int.self), let task = try Self.get(id: id, in: transaction) else {
                throw DomainError(.internal, operation: "periodic-tasks", "the new task could not be read back")
            }
            return task
        }
    }

    /// Replaces the task's writable fields; nil when there is no such task. As Django's
    /// `save()`: a disabled task loses `last_run_at`, `date_changed` is now.
    public func update(id: Int, to draft: PeriodicTaskDraft, now: Date) async throws -> PeriodicTask? {
        try await client.withTransaction { transaction in
            let scheduleID = try Self.scheduleID(draft.schedule, in: transaction)
            try Self.requireUniqueName(draft.name, except: id, in: transaction)
            let params = Self.parameters(draft, scheduleID: scheduleID, now: now) + [String(id)]
            let updated = try Self.uniqueName(draft.name) {
                try transaction.query("""
                    UPDATE django_celery_beat_periodictask SET
                        name = $1, task = $2, args = $3, kwargs = $4, headers = $5, queue = $6, exchange = $7,
                        routing_key = $8, priority = $9::integer, expires = $10::timestamptz, expire_seconds = $11::integer,
                        one_off = $12::boolean, start_time = $13::timestamptz, enabled = $14::boolean, description = $15,
                        crontab_id = $16::integer, interval_id = $17::integer, clocked_id = $18::integer,
                        solar_id = $19::integer, date_changed = $20::timestamptz,
                        last_run_at = CASE WHEN $14::boolean THEN last_run_at END
                    WHERE id = $21::integer
                    """, params)
            }
            guard updated.affected == 1 else { return nil }
            try ScheduleRepository.bump(now, in: transaction)
            return try Self.get(id: id, in: transaction)
        }
    }

    /// False when there was no such task.
    public func delete(id: Int, now: Date) async throws -> Bool {
        try await client.withTransaction { transaction in
            _ = try transaction.query("DELETE FROM celeriac_periodic_task_run WHERE periodic_task_id = $1::integer", [String(id)])
            guard try transaction.query("DELETE FROM django_celery_beat_periodictask WHERE id = $1", [String(id)]).affected == 1
            else { return false }
            try ScheduleRepository.bump(now, in: transaction)
            return true
        }
    }

    /// The admin's bulk actions.
    public enum Action: String, Sendable, CaseIterable {
        case enable, disable, toggle
    }

    /// Applies `action` to the tasks `ids` as the admin's `queryset.update` does (no
    /// `date_changed`; disable clears `last_run_at`, toggle does not), then bumps `last_update`.
    /// - Returns: how many tasks changed.
    public func apply(_ action: Action, ids: [Int], now: Date) async throws -> Int {
        let set: String =
            switch action {
            case .enable: "enabled = true"
            case .disable: "enabled = false, last_run_at = NULL"
            case .toggle: "enabled = NOT enabled"
            }
        let list = PGTextArray.integers(ids)
        return try await client.withTransaction { transaction in
            let count = try transaction.query(
                "UPDATE django_celery_beat_periodictask SET \(set) WHERE id = ANY($1::integer[])", [list]).affected
            try ScheduleRepository.bump(now, in: transaction)
            return count
        }
    }

    private static func scheduleID(_ schedule: PeriodicTaskDraft.Schedule, in transaction: PGTransaction) throws -> Int {
        switch schedule {
        case .values(let value):
            return try ScheduleRepository.findOrInsert(value, in: transaction)
        case .existing(let kind, let id):
            guard try ScheduleRepository.get(kind, id: id, in: transaction) != nil else {
                throw DomainError.invalid(
                    "periodic-tasks", [.init(pointer: "/\(kind.rawValue)_id", detail: "Invalid pk \"\(id)\" - object does not exist.")])
            }
            return id
        }
    }

    private static func requireUniqueName(_ name: String, except id: Int?, in transaction: PGTransaction) throws {
        let taken = try transaction.query(
            "SELECT 1 FROM django_celery_beat_periodictask WHERE name = $1 AND id IS DISTINCT FROM $2::integer",
            [name, id.map(String.init)])
        if !taken.values.isEmpty { throw duplicateName }
    }

    /// The unique index answers a race the check above lost.
    private static func uniqueName(_ name: String, _ body: () throws -> PGRows) throws -> PGRows {
        do { return try body() } catch PostgresError.query(sqlState: HistoryRepository.uniqueViolation, message: _) {
            throw duplicateName
        }
    }

    static let duplicateName = DomainError(
        .conflict, operation: "periodic-tasks", "Periodic task with this Name already exists.",
        fields: [.init(pointer: "/name", detail: "Periodic task with this Name already exists.")], reason: "duplicate-name")

    private static func parameters(_ draft: PeriodicTaskDraft, scheduleID: Int, now: Date) -> [String?] {
        func id(_ kind: ScheduleKind) -> String? { draft.schedule.kind == kind ? String(scheduleID) : nil }
        return [
            draft.name, draft.task, draft.args, draft.kwargs, draft.headers, draft.queue, draft.exchange, draft.routingKey,
            draft.priority.map(String.init), draft.expires.map(CeleryTime.format), draft.expireSeconds.map(String.init),
            draft.oneOff ? "true" : "false", draft.startTime.map(CeleryTime.format), draft.enabled ? "true" : "false",
            draft.description, id(.crontab), id(.interval), id(.clocked), id(.solar), CeleryTime.format(now),
        ]
    }
}
