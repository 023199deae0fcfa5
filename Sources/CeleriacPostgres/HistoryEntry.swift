// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One row's worth of change for `django_celery_results_taskresult`, in the column formats
/// django-celery-results writes (`result` as JSON text, `task_args` as the JSON string of
/// the Python repr, `meta` as `{"children": []}`).
public struct HistoryEntry: Sendable, Equatable {
    public var taskID: String
    public var status: TaskState
    public var result: String?
    public var traceback: String?
    public var taskName: String?
    public var taskArgs: String?
    public var taskKwargs: String?
    public var worker: String?
    public var at: Date
    public var startedAt: Date?
    /// The queue the task was sent to (its name, without a priority suffix); kept beside the
    /// row in `celeriac_taskresult_queue`, since Django's table has no column for it.
    public var queue: String?
    /// Made by ``init(enqueued:at:argsrepr:kwargsrepr:)`` for a task id the API just drew, so
    /// no row can exist yet: it is inserted without an upsert's conflict check.
    public var isNewTask = false

    public init(
        taskID: String, status: TaskState, result: String? = nil, traceback: String? = nil, taskName: String? = nil,
        taskArgs: String? = nil, taskKwargs: String? = nil, worker: String? = nil, at: Date, startedAt: Date? = nil, queue: String? = nil
    ) {
        self.taskID = taskID
        self.status = status
        self.result = result
        self.traceback = traceback
        self.taskName = taskName
        self.taskArgs = taskArgs
        self.taskKwargs = taskKwargs
        self.worker = worker
        self.at = at
        self.startedAt = startedAt
        self.queue = queue
    }

    /// The PENDING row written when a task is enqueued.
    /// - Parameters:
    ///   - argsrepr: `repr(tuple(args))` when the caller has it already (the message header).
    ///   - kwargsrepr: `repr(kwargs)`, likewise.
    public init(enqueued record: TaskRecord, at date: Date, argsrepr: String? = nil, kwargsrepr: String? = nil) {
        self.init(
            taskID: record.id, status: .pending, taskName: record.task,
            taskArgs: JSONValue.string(argsrepr ?? PythonRepr.tuple(record.args)).jsonText,
            taskKwargs: JSONValue.string(kwargsrepr ?? PythonRepr.of(.object(record.kwargs))).jsonText, at: date,
            queue: record.queue)
        isNewTask = true
    }

    /// The change a worker reported.
    public init(report: TaskReport) {
        let date = Date(timeIntervalSince1970: report.timestamp)
        let meta = report.resultMeta()
        self.init(
            taskID: report.id, status: report.state, result: report.state.isFinal ? meta.result.jsonText : nil,
            traceback: report.error?.traceback, taskName: report.task,
            taskArgs: report.args.map { JSONValue.string(PythonRepr.tuple($0)).jsonText },
            taskKwargs: report.kwargs.map { JSONValue.string(PythonRepr.of(.object($0))).jsonText },
            worker: report.worker, at: date,
            startedAt: report.state == .started ? date : report.startedAt.map(Date.init(timeIntervalSince1970:)),
            queue: report.queue.map(RedisKeys.queueName(ofKey:)))
    }
}
