// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The value of `celery-task-meta-<id>`, which `AsyncResult(id).get()` reads.
///
/// Written with Celery's key order `status, result, traceback, children, date_done, task_id`.
public struct ResultMeta: Sendable, Equatable {
    public var taskID: String
    public var status: TaskState
    public var result: JSONValue
    public var traceback: String?
    public var dateDone: Date?

    public init(taskID: String, status: TaskState, result: JSONValue, traceback: String? = nil, dateDone: Date? = nil) {
        self.taskID = taskID
        self.status = status
        self.result = result
        self.traceback = traceback
        self.dateDone = dateDone
    }

    static let order = JSONKeyOrder(keyOrder)
    static let keyOrder = [
        "status", "result", "traceback", "children", "date_done", "task_id", "exc_type", "exc_message", "exc_module",
        "pid", "hostname",  // STARTED meta: Celery writes {"pid": …, "hostname": …}
    ]

    /// JSON text in Celery's layout.
    public func encoded() -> String {
        // The top level written in order directly (the API writes one per report); the key
        // order still sorts the exception and STARTED objects inside `result`.
        var writer = JSONWriter(order: Self.order)
        writer.raw(#"{"status": "#)
        writer.writeString(status.rawValue)
        writer.raw(#", "result": "#)
        writer.write(result)
        writer.raw(#", "traceback": "#)
        if let traceback { writer.writeString(traceback) } else { writer.raw("null") }
        writer.raw(#", "children": [], "date_done": "#)
        if let dateDone { writer.writeString(CeleryTime.format(dateDone)) } else { writer.raw("null") }
        writer.raw(#", "task_id": "#)
        writer.writeString(taskID)
        writer.raw("}")
        return writer.output
    }

    /// Reads a meta value written by Celery or by us; nil when it is not one.
    public static func decode(_ text: some Collection<UInt8>) -> ResultMeta? {
        guard let value = try? JSONValue.parse(text), let id = value["task_id"]?.stringValue,
            let status = value["status"]?.stringValue.flatMap(TaskState.init(rawValue:))
        else { return nil }
        return ResultMeta(
            taskID: id, status: status, result: value["result"] ?? .null, traceback: value["traceback"]?.stringValue,
            dateDone: value["date_done"]?.stringValue.flatMap(CeleryTime.parse))
    }
}
