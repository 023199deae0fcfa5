// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What beat reads and writes of django-celery-beat's tables, as Celery's DatabaseScheduler
/// does: enabled tasks, `last_update` (changed by any writer: our API, Django's admin), and
/// after fires `last_run_at`, `total_run_count` and `date_changed`, without bumping
/// `last_update` (beat's own writes are no edit to reload for).
public struct BeatRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    /// Sends of one task since the last write-back.
    public struct Run: Sendable, Equatable {
        public var periodicTaskID: Int
        /// The latest `last_run_at` among them.
        public var lastRunAt: Date
        /// How many this process sent (a tick found sent before is not counted again).
        public var sent: Int
        /// The latest send: its task id, tick and when it was sent.
        public var taskID: String
        public var tick: Date
        public var firedAt: Date

        public init(periodicTaskID: Int, lastRunAt: Date, sent: Int, taskID: String, tick: Date, firedAt: Date) {
            self.periodicTaskID = periodicTaskID
            self.lastRunAt = lastRunAt
            self.sent = sent
            self.taskID = taskID
            self.tick = tick
            self.firedAt = firedAt
        }
    }

    /// A task's last send, as `celeriac_periodic_task_run` holds it.
    public struct LastRun: Sendable, Equatable {
        public var taskID: String
        public var scheduledFor: Date
        public var firedAt: Date
    }

    /// `django_celery_beat_periodictasks.last_update`; nil before any write.
    public func lastUpdate() async throws -> Date? {
        try await client.query("SELECT extract(epoch FROM last_update) FROM django_celery_beat_periodictasks WHERE ident = 1")
            .rows.first?.decodeIfPresent(0, as: Date.self)
    }

    /// Every enabled task with its schedule.
    public func enabledTasks() async throws -> [PeriodicTask] {
        try await client.query(
            "SELECT \(PeriodicTaskRepository.columns) \(PeriodicTaskRepository.from) WHERE t.enabled ORDER BY t.id"
        ).rows.map(PeriodicTaskRepository.task)
    }

    /// Records sends; then disables `oneOff` tasks that were sent (as django-celery-beat's
    /// `ModelEntry`: `total_run_count` back to 0, `last_run_at` cleared, `last_update` bumped)
    /// and `expired` ones whose `expires` has passed (`last_update` left alone, as its
    /// `_disable` does). A task disabled or deleted meanwhile keeps what it has.
    public func write(_ runs: [Run], oneOff: [Int] = [], expired: [Int] = [], now: Date) async throws {
        guard !runs.isEmpty || !oneOff.isEmpty || !expired.isEmpty else { return }
        let time = CeleryTime.format(now)
        let ids = PGTextArray.integers(runs.map(\.periodicTaskID))
        try await client.withTransaction { transaction in
            if !runs.isEmpty {
                let values = """
                    unnest($1::integer[], $2::timestamptz[], $3::integer[], $4::text[], $5::timestamptz[], $6::timestamptz[])
                        AS v(id, last_run_at, sent, task_id, scheduled_for, fired_at)
                    """
                let params: [String?] = [
                    ids, Self.times(runs.map(\.lastRunAt)), PGTextArray.integers(runs.map(\.sent)), PGTextArray.literal(runs.map(\.taskID)),
                    Self.times(runs.map(\.tick)), Self.times(runs.map(\.firedAt)),
                ]
                _ = try transaction.query("""
                    UPDATE django_celery_beat_periodictask t
                    SET last_run_at = GREATEST(t.last_run_at, v.last_run_at), total_run_count = t.total_run_count + v.sent,
                        date_changed = $7::timestamptz
                    FROM \(values) WHERE t.id = v.id AND t.enabled
                    """, params + [time])
                _ = try transaction.query("""
                    INSERT INTO celeriac_periodic_task_run AS r (periodic_task_id, task_id, scheduled_for, fired_at)
                    SELECT v.id, v.task_id, v.scheduled_for, v.fired_at
                    FROM \(values) JOIN django_celery_beat_periodictask t ON t.id = v.id
                    ON CONFLICT (periodic_task_id) DO UPDATE
                        SET task_id = EXCLUDED.task_id, scheduled_for = EXCLUDED.scheduled_for, fired_at = EXCLUDED.fired_at
                        WHERE r.scheduled_for <= EXCLUDED.scheduled_for
                    """, params)
            }
            if !oneOff.isEmpty {
                let disabled = try transaction.query("""
                    UPDATE django_celery_beat_periodictask
                    SET enabled = false, total_run_count = 0, last_run_at = NULL, date_changed = $2::timestamptz
                    WHERE id = ANY($1::integer[]) AND one_off AND enabled
                    """, [PGTextArray.integers(oneOff), time]).affected
                if disabled > 0 { try ScheduleRepository.bump(now, in: transaction) }
            }
            if !expired.isEmpty {
                _ = try transaction.query("""
                    UPDATE django_celery_beat_periodictask
                    SET enabled = false, last_run_at = NULL, date_changed = $2::timestamptz
                    WHERE id = ANY($1::integer[]) AND expires <= $2::timestamptz AND enabled
                    """, [PGTextArray.integers(expired), time])
            }
        }
    }

    /// The last send of task `id`; nil before its first.
    public func lastRun(of id: Int) async throws -> LastRun? {
        guard
            let row = try await client.query("""
                SELECT task_id, extract(epoch FROM scheduled_for), extract(epoch FROM fired_at)
                FROM celeriac_periodic_task_run WHERE periodic_task_id = $1::integer
                """, [String(id)]).rows.first
        else { return nil }
        return LastRun(taskID: try row.decode(0), scheduledFor: try row.decode(1), firedAt: try row.decode(2))
    }

    private static func times(_ values: [Date]) -> String {
        "{" + values.map { "\"\(CeleryTime.format($0))\"" }.joined(separator: ",") + "}"
    }
}
