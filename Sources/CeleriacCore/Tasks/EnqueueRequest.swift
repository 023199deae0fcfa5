// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A validated `POST /tasks` body.
public struct EnqueueRequest: Sendable, Equatable {
    public var task: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    public var queue: String
    public var priority: Int

    public static let fields: Set<String> = ["task", "args", "kwargs", "queue", "priority"]

    /// Validates a parsed body, collecting every field error at once.
    ///
    /// - Throws: ``DomainError`` `invalid` listing each bad field (wrong type, empty or
    ///   over-long task name, unknown field, out-of-range priority).
    public init(json: JSONValue) throws(DomainError) {
        guard case .object(let body) = json else {
            throw .invalid(Self.operation, [.init(pointer: "", detail: "expected object, got \(json.kindName)")])
        }
        var errors: [DomainError.FieldError] = []
        for key in body.keys.sorted() where !Self.fields.contains(key) {
            errors.append(.init(pointer: "/\(Self.escape(key))", detail: "unknown field"))
        }
        var task = ""
        switch body["task"] {
        case .string(let name)?:
            task = name
            if let problem = Names.checkTaskName(name) { errors.append(.init(pointer: "/task", detail: problem)) }
        case nil: errors.append(.init(pointer: "/task", detail: "required"))
        case let other?: errors.append(.init(pointer: "/task", detail: "expected string, got \(other.kindName)"))
        }
        var args: [JSONValue] = []
        switch body["args"] {
        case .array(let a)?: args = a
        case nil, .null?: break
        case let other?: errors.append(.init(pointer: "/args", detail: "expected array, got \(other.kindName)"))
        }
        var kwargs: [String: JSONValue] = [:]
        switch body["kwargs"] {
        case .object(let o)?: kwargs = o
        case nil, .null?: break
        case let other?: errors.append(.init(pointer: "/kwargs", detail: "expected object, got \(other.kindName)"))
        }
        var queue = TaskOptions.defaultQueue
        switch body["queue"] {
        case .string(let q)?:
            queue = q
            if let problem = Names.checkQueueName(q) { errors.append(.init(pointer: "/queue", detail: problem)) }
        case nil, .null?: break
        case let other?: errors.append(.init(pointer: "/queue", detail: "expected string, got \(other.kindName)"))
        }
        var priority = 0
        switch body["priority"] {
        case nil, .null?: break
        case let value?:
            // JSON Schema's integer: 5.0 is 5 (a Python client may send a float).
            if let p = value.intValue, (0...9).contains(p) {
                priority = Int(p)
            } else {
                errors.append(.init(pointer: "/priority", detail: "expected integer 0–9 (0 is served first)"))
            }
        }
        guard errors.isEmpty else { throw .invalid(Self.operation, errors) }
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.queue = queue
        self.priority = priority
    }

    static let operation = "enqueue"

    /// The Celery options this request asks for.
    public var options: TaskOptions { TaskOptions(queue: queue, priority: priority) }

    /// JSON Pointer escaping (RFC 6901).
    static func escape(_ key: String) -> String {
        key.replacing("~", with: "~0").replacing("/", with: "~1")
    }
}

extension EnqueueRequest {
    /// The request with defaults filled in and keys sorted: two bodies that mean the same
    /// task give the same text (for `Idempotency-Key`).
    public var canonicalJSON: String {
        JSONValue.object([
            "task": .string(task), "args": .array(args), "kwargs": .object(kwargs), "queue": .string(queue),
            "priority": .int(Int64(priority)),
        ]).jsonText
    }
}
