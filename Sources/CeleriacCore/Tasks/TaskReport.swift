// Celeriac — a Celery-compatible job service in Swift.

/// One state change a worker reports to `POST /internal/reports`.
///
/// Carries the task's name, queue and arguments too, because a task published by a plain
/// Celery client has no record in the API until its first report arrives.
public struct TaskReport: Sendable, Equatable {
    public var id: String
    public var state: TaskState
    public var task: String
    public var queue: String?
    public var args: [JSONValue]?
    public var kwargs: [String: JSONValue]?
    /// Worker name, `celeriac@<host>` by default.
    public var worker: String
    public var pid: Int?
    /// When the change happened, Unix seconds.
    public var timestamp: Double
    /// Return value, for SUCCESS.
    public var result: JSONValue?
    /// What was raised, for FAILURE.
    public var error: TaskError?
    public var retries: Int
    /// The attempt's lease (fencing) token; the API rejects a report whose token is not the
    /// task's current lease. Nil for reporters without leases.
    public var lease: String?
    /// When the attempt started (Unix seconds), on a final report: its STARTED report may have
    /// been dropped from the batch (folded) or arrive after it.
    public var startedAt: Double?
    /// When the next attempt is due (Unix seconds), on a RETRY report.
    public var retryAt: Double?

    public init(
        id: String, state: TaskState, task: String, queue: String?, args: [JSONValue]?, kwargs: [String: JSONValue]?,
        worker: String, pid: Int?, timestamp: Double, result: JSONValue? = nil, error: TaskError? = nil, retries: Int = 0, lease: String? = nil,
        startedAt: Double? = nil, retryAt: Double? = nil
    ) {
        self.id = id
        self.state = state
        self.task = task
        self.queue = queue
        self.args = args
        self.kwargs = kwargs
        self.worker = worker
        self.pid = pid
        self.timestamp = timestamp
        self.result = result
        self.error = error
        self.retries = retries
        self.lease = lease
        self.startedAt = startedAt
        self.retryAt = retryAt
    }
}

/// The body of `POST /internal/reports`: reports in the order they happened.
public struct ReportBatch: Sendable {
    public var reports: [TaskReport]
    public init(reports: [TaskReport]) { self.reports = reports }
    /// Most reports accepted in one request.
    public static let maxReports = 1000
}
