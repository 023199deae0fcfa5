// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacPostgres
import Foundation
import TestSupport
import Testing

/// `GET /tasks` from the history: filters, keyset pages, the queue table beside Django's.
@Suite(.enabled(if: TestServices.enabled, "needs the test PostgreSQL (make test)"))
struct HistoryRepositoryListTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    func repository() async throws -> HistoryRepository {
        let client = PostgresClient(url: try await TestDatabase.create())
        try await Migrator(client: client).migrate()
        return HistoryRepository(client: client)
    }

    /// A report-made row: task `i`, created `i` seconds after ``start``.
    static func entry(
        _ i: Int, state: TaskState = .success, task: String = "celeriac.echo", queue: String? = "celery",
        worker: String = "w1"
    ) -> HistoryEntry {
        HistoryEntry(
            taskID: "task-\(i)", status: state, result: state == .success ? "\(i)" : nil, taskName: task, worker: worker,
            at: start.addingTimeInterval(Double(i)), queue: queue)
    }

    /// Every page from `query` on, ids in order.
    static func allPages(_ history: HistoryRepository, _ query: TaskListQuery) async throws -> [[String]] {
        var query = query
        var pages: [[String]] = []
        while true {
            let page = try await history.list(query)
            pages.append(page.records.map(\.id))
            guard let next = page.next else { return pages }
            query.cursor = next
        }
    }

    @Test func filtersSelectExactMatchesNewestFirst() async throws {
        let history = try await repository()
        try await history.upsert([
            Self.entry(1), Self.entry(2, state: .failure), Self.entry(3, task: "other.task"),
            Self.entry(4, queue: "backups"), Self.entry(5, worker: "w2"), Self.entry(6, queue: nil),
        ])
        func ids(_ query: TaskListQuery) async throws -> [String] { try await history.list(query).records.map(\.id) }
        #expect(try await ids(TaskListQuery()) == ["task-6", "task-5", "task-4", "task-3", "task-2", "task-1"])
        #expect(try await ids(TaskListQuery(state: .failure)) == ["task-2"])
        #expect(try await ids(TaskListQuery(task: "other.task")) == ["task-3"])
        #expect(try await ids(TaskListQuery(queue: "backups")) == ["task-4"])
        #expect(try await ids(TaskListQuery(state: .success, queue: "celery")) == ["task-5", "task-3", "task-1"])
        #expect(try await ids(TaskListQuery(worker: "w2")) == ["task-5"])
        #expect(try await ids(TaskListQuery(since: Self.start.addingTimeInterval(2), until: Self.start.addingTimeInterval(4)))
            == ["task-3", "task-2"])
        let record = try #require(try await history.list(TaskListQuery(queue: "backups")).records.first)
        #expect(record.queue == "backups" && record.state == .success && record.result == 4 && record.worker == "w1")
        #expect(record.createdAt == Self.start.addingTimeInterval(4))
        #expect(try await history.fetch(taskID: "task-4")?.queue == "backups")
    }

    @Test(arguments: [nil, "celery"]) func pagesAreStableWhileRowsAreInserted(_ queue: String?) async throws {
        let history = try await repository()
        try await history.upsert((1...25).map { Self.entry($0) })
        var query = TaskListQuery(queue: queue, limit: 10)
        let first = try await history.list(query)
        #expect(first.records.map(\.id) == (16...25).reversed().map { "task-\($0)" })
        // Newer rows, and rows created at the same instant as the page's last one: neither
        // shifts the next page.
        try await history.upsert((26...40).map { Self.entry($0) })
        try await history.upsert(HistoryEntry(
            taskID: "same-instant", status: .success, taskName: "celeriac.echo", at: Self.start.addingTimeInterval(16),
            queue: "celery"))
        query.cursor = first.next
        let rest = try await Self.allPages(history, query)
        // The row created with the page's last one sorts above it (a later id): not repeated.
        #expect(rest.flatMap { $0 } == (1...15).reversed().map { "task-\($0)" })
        #expect(rest.map(\.count) == [10, 5])
        // A fresh walk sees every row exactly once.
        let walk = try await Self.allPages(history, TaskListQuery(queue: queue, limit: 7)).flatMap { $0 }
        #expect(walk.count == 41 && Set(walk).count == 41)
    }

    @Test func aStateAdvanceKeepsTheRowsPlaceAndItsQueue() async throws {
        let history = try await repository()
        try await history.upsert([Self.entry(1, state: .started), Self.entry(2, state: .started)])
        var done = Self.entry(1, state: .success, queue: nil)
        done.at = Self.start.addingTimeInterval(100)
        try await history.upsert(done)
        let page = try await history.list(TaskListQuery(queue: "celery"))
        #expect(page.records.map(\.id) == ["task-2", "task-1"])
        #expect(page.records.last?.state == .success && page.records.last?.queue == "celery")
    }

    @Test func retentionDeletesFinishedRowsInBatchesWithTheirQueues() async throws {
        let history = try await repository()
        try await history.upsert((1...25).map { Self.entry($0) })
        let cutoff = Self.start.addingTimeInterval(20.5)
        #expect(try await history.deleteDone(before: cutoff, limit: 8) == 8)
        #expect(try await history.deleteDone(before: cutoff, limit: 8) == 8)
        #expect(try await history.deleteDone(before: cutoff, limit: 8) == 4)
        #expect(try await history.deleteDone(before: cutoff, limit: 8) == 0)
        #expect(try await history.list(TaskListQuery()).records.map(\.id) == (21...25).reversed().map { "task-\($0)" })
        let queues = try await history.client.query("SELECT count(*) FROM celeriac_taskresult_queue")
        #expect(queues.values == [["5"]])
        // Django's own cleanup (a delete, or `flush`'s TRUNCATE, which no reference may block)
        // leaves queue rows that never match another row and are swept.
        try await history.client.query("DELETE FROM django_celery_results_taskresult WHERE task_id = 'task-21'")
        try await history.client.query("TRUNCATE django_celery_results_taskresult RESTART IDENTITY")
        try await history.upsert(Self.entry(99, queue: "backups"))  // gets id 1 again
        #expect(try await history.list(TaskListQuery(queue: "celery")).records.isEmpty)
        #expect(try await history.fetch(taskID: "task-99")?.queue == "backups")
        #expect(try await history.deleteOrphanedQueues(limit: 3) == 3)
        #expect(try await history.deleteOrphanedQueues(limit: 3) == 2)
        #expect(try await history.client.query("SELECT task_id FROM celeriac_taskresult_queue").values == [["task-99"]])
    }
}
