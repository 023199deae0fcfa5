// Celeriac — a Celery-compatible job service in Swift.

/// What a failed run raised, in the shape Celery stores (`exc_type`, `exc_module`,
/// `exc_message` list) plus the traceback text.
public struct TaskError: Sendable, Equatable {
    /// Exception class name, e.g. `ValueError`, `NotRegistered`.
    public var type: String
    /// Python module of the class; `celery.exceptions` for Celery's own, `celeriac` for ours.
    public var module: String
    /// Human message.
    public var message: String
    /// Traceback or stack text; may be empty.
    public var traceback: String

    public init(type: String, module: String = "celeriac", message: String, traceback: String = "") {
        self.type = type
        self.module = module
        self.message = message
        self.traceback = traceback
    }

    /// The `result` object Celery writes for a FAILURE.
    public var celeryResult: JSONValue {
        .object(["exc_type": .string(type), "exc_message": .array([.string(message)]), "exc_module": .string(module)])
    }

    /// Reads Celery's FAILURE result object back (from a real Celery worker's meta).
    public init?(celeryResult: JSONValue, traceback: String?) {
        guard let type = celeryResult["exc_type"]?.stringValue else { return nil }
        let message: String =
            switch celeryResult["exc_message"] {
            case .array(let parts)?: parts.map { $0.stringValue ?? $0.jsonText }.joined(separator: ", ")
            case .string(let s)?: s
            default: ""
            }
        self.init(
            type: type, module: celeryResult["exc_module"]?.stringValue ?? "builtins", message: message,
            traceback: traceback ?? "")
    }
}
