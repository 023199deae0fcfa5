// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What `GET /tasks/{id}` returns, and what the API keeps per task in Redis
/// (`celeriac:task:<id>` hash) so polling never needs PostgreSQL.
public struct TaskRecord: Sendable, Equatable {
    public var id: String
    public var task: String
    public var state: TaskState
    public var result: JSONValue
    public var error: TaskError?
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    public var queue: String?
    public var createdAt: Date?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var worker: String?
    public var retries: Int
    /// Attempts that ended with their worker gone (killed, lost): not retries.
    public var crashes: Int
    /// The job's last progress report, `{current, total, message}`.
    public var progress: JSONValue?
    /// When the next attempt is due, while the task waits to be retried.
    public var retryAt: Date?

    public init(
        id: String, task: String, state: TaskState, result: JSONValue = .null, error: TaskError? = nil,
        args: [JSONValue] = [], kwargs: [String: JSONValue] = [:], queue: String? = nil, createdAt: Date? = nil,
        startedAt: Date? = nil, finishedAt: Date? = nil, worker: String? = nil, retries: Int = 0, crashes: Int = 0,
        progress: JSONValue? = nil, retryAt: Date? = nil
    ) {
        self.id = id
        self.task = task
        self.state = state
        self.result = result
        self.error = error
        self.args = args
        self.kwargs = kwargs
        self.queue = queue
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.worker = worker
        self.retries = retries
        self.crashes = crashes
        self.progress = progress
        self.retryAt = retryAt
    }

    /// The API's JSON representation (keys in the order openapi.yaml lists them).
    public func json() -> String {
        func time(_ date: Date?) -> JSONValue { date.map { .string(CeleryTime.format($0)) } ?? .null }
        let error: JSONValue =
            self.error.map {
                .object(["type": .string($0.type), "message": .string($0.message), "traceback": .string($0.traceback)])
            } ?? .null
        var writer = JSONWriter(order: Self.order)
        writer.write(.object([
            "id": .string(id), "task": .string(task), "state": .string(state.rawValue), "result": result,
            "progress": progress ?? .null, "error": error, "args": .array(args), "kwargs": .object(kwargs), "queue": queue.map(JSONValue.string) ?? .null,
            "created_at": time(createdAt), "started_at": time(startedAt), "finished_at": time(finishedAt),
            "worker": worker.map(JSONValue.string) ?? .null, "retries": .int(Int64(retries)),
            "crashes": .int(Int64(crashes)), "retry_at": time(retryAt),
        ]))
        return writer.output
    }

    static let order = JSONKeyOrder(keyOrder)
    static let keyOrder = [
        "id", "task", "state", "result", "progress", "error", "args", "kwargs", "queue", "created_at", "started_at",
        "finished_at", "worker", "retries", "retry_at", "crashes", "type", "message", "traceback",
    ]
}
