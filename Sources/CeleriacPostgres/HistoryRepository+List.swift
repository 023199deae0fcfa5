// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HistoryRepository {
    /// One page of the task list, newest first.
    public struct Page: Sendable, Equatable {
        public var records: [TaskRecord]
        /// Where the next page starts; nil on the last page.
        public var next: TaskListCursor?
    }

    /// The rows `query` selects, newest `date_created` first (ties by `id`), after its cursor.
    /// Keyset pagination: a page is an index range scan (`Migration.taskList`) whatever its
    /// depth, and rows inserted between two pages never shift or repeat one. Records carry
    /// no `args`/`kwargs` (django-celery-results keeps only their repr).
    public func list(_ query: TaskListQuery) async throws -> Page {
        let (sql, params) = Self.listSQL(query)
        let rows = try await client.query(sql, params).rows
        var records: [TaskRecord] = []
        var last: TaskListCursor?
        for row in rows.prefix(query.limit) {
            records.append(try Self.record(taskID: try row.decode(0), from: row, at: 3))
            last = TaskListCursor(createdMicros: try row.decode(2), id: try row.decode(1))
        }
        return Page(records: records, next: rows.count > query.limit ? last : nil)
    }

    /// The statement for `query` and its parameters: fixed SQL fragments chosen by which
    /// filters are present, every value a `$n` parameter. With a queue filter the page is a
    /// range of the queue table's index (its rows repeat `date_created`), otherwise of the
    /// history table's. The queue table's rows find their history row in a lateral subquery
    /// the planner may not flatten (`OFFSET 0`): as a plain join on id and task id it takes
    /// the two equalities for independent, expects one row in all, and sorts the whole queue
    /// (1.4 s at 1M rows) instead of walking the index and stopping at the page's end (0.4 ms).
    static func listSQL(_ query: TaskListQuery) -> (sql: String, params: [String?]) {
        var params: [String?] = []
        func parameter(_ value: String, _ type: String) -> String {
            params.append(value)
            return "$\(params.count)::\(type)"
        }
        func instant(micros: Int64) -> String {
            "('epoch'::timestamptz + \(parameter(String(micros), "bigint")) * interval '1 microsecond')"
        }
        let (created, id, from) =
            query.queue == nil
            ? ("t.date_created", "t.id", """
                django_celery_results_taskresult t
                LEFT JOIN celeriac_taskresult_queue q ON q.task_id = t.task_id AND q.result_id = t.id
                """)
            : ("q.date_created", "q.result_id", """
                celeriac_taskresult_queue q
                CROSS JOIN LATERAL (
                    SELECT * FROM django_celery_results_taskresult t0
                    WHERE t0.id = q.result_id AND t0.task_id = q.task_id OFFSET 0
                ) t
                """)
        var conditions: [String] = []
        if let queue = query.queue { conditions.append("q.queue = \(parameter(queue, "text"))") }
        if let state = query.state { conditions.append("t.status = \(parameter(state.rawValue, "text"))") }
        if let task = query.task { conditions.append("t.task_name = \(parameter(task, "text"))") }
        if let worker = query.worker {
            // Stored cut to the column's width: a longer name is found by its stored prefix.
            conditions.append("t.worker = \(parameter(fitted(worker, workerWidth), "text"))")
        }
        if let since = query.since { conditions.append("\(created) >= \(instant(micros: micros(since)))") }
        if let until = query.until { conditions.append("\(created) < \(instant(micros: micros(until)))") }
        if let cursor = query.cursor {
            conditions.append(
                "(\(created), \(id)) < (\(instant(micros: cursor.createdMicros)), \(parameter(String(cursor.id), "integer")))")
        }
        let sql = """
            SELECT t.task_id, t.id, (extract(epoch FROM t.date_created) * 1000000)::bigint, \(recordColumns)
            FROM \(from)
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(created) DESC, \(id) DESC
            LIMIT \(parameter(String(query.limit + 1), "integer"))
            """
        return (sql, params)
    }

    /// Unix microseconds of `date`, as PostgreSQL's `timestamptz` stores it.
    static func micros(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
        return Int64(max(-9.2e18, min(9.2e18, value)))
    }
}
