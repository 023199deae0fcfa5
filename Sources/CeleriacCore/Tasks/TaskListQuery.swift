// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A validated `GET /tasks` query: filters on the history, a page size and where the page
/// starts. Every filter is an exact match; `since` is inclusive and `until` exclusive, both
/// on the task's creation time (a window with `until` not after `since` selects nothing).
public struct TaskListQuery: Sendable, Equatable {
    public var state: TaskState?
    public var task: String?
    public var queue: String?
    public var worker: String?
    public var since: Date?
    public var until: Date?
    public var limit: Int
    /// Start after this row; nil for the first page.
    public var cursor: TaskListCursor?

    public static let defaultLimit = 50
    public static let maxLimit = 500
    /// Longest worker name accepted (history keeps the first 100 characters of a name).
    public static let maxWorkerName = 255
    public static let parameters: [String] = ["state", "task", "queue", "worker", "since", "until", "limit", "cursor"]

    public init(
        state: TaskState? = nil, task: String? = nil, queue: String? = nil, worker: String? = nil, since: Date? = nil,
        until: Date? = nil, limit: Int = Self.defaultLimit, cursor: TaskListCursor? = nil
    ) {
        self.state = state
        self.task = task
        self.queue = queue
        self.worker = worker
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }

    /// Reads a raw query string (``QueryString``), collecting every bad parameter at once.
    /// - Throws: ``DomainError`` `invalid`, one field error per parameter (``DomainError/FieldError/parameter``):
    ///   unknown or repeated, a state Celery does not have, a bad name, a time without offset,
    ///   a limit outside 1–500, a cursor not of the shape this API issues.
    public init(query: String?) throws(DomainError) {
        self.init()
        var errors: [DomainError.FieldError] = []
        var seen: Set<String> = []
        for (name, value) in try QueryString.parse(query) {
            guard Self.parameters.contains(name) else {
                errors.append(.init(parameter: String(name.prefix(64)), detail: "unknown parameter; known: \(Self.parameters.joined(separator: ", "))"))
                continue
            }
            guard seen.insert(name).inserted else {
                errors.append(.init(parameter: name, detail: "given more than once"))
                continue
            }
            if let problem = read(name, value) { errors.append(.init(parameter: name, detail: problem)) }
        }
        guard errors.isEmpty else { throw .invalid("tasks.list", errors) }
    }

    /// Sets the parameter `name`; nil when `value` is valid, else why not.
    private mutating func read(_ name: String, _ value: String) -> String? {
        switch name {
        case "state":
            guard let state = TaskState(rawValue: value) else {
                return "expected one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            self.state = state
        case "task":
            if let problem = Names.checkTaskName(value) { return problem }
            task = value
        case "queue":
            if let problem = Names.checkQueueName(value) { return problem }
            queue = value
        case "worker":
            guard !value.isEmpty, Names.fits(value, in: Self.maxWorkerName),
                !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { return "expected 1–\(Self.maxWorkerName) characters without control characters" }
            worker = value
        case "since", "until":
            let date: Date
            do {
                date = try RFC3339.parse(value)
            } catch .missingOffset {
                return "\(value.prefix(64)) has no UTC offset; add one such as Z or +09:00"
            } catch {
                return "expected an RFC 3339 time with offset, such as 2026-12-04T09:00:00+09:00"
            }
            if name == "since" { since = date } else { until = date }
        case "limit":
            guard value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), value.utf8.count <= 4, let limit = Int(value),
                (1...Self.maxLimit).contains(limit)
            else { return "expected an integer from 1 to \(Self.maxLimit)" }
            self.limit = limit
        case "cursor":
            guard let cursor = TaskListCursor(encoded: value) else {
                return "not a cursor from this list (next_cursor of a page); start again without one"
            }
            self.cursor = cursor
        default:
            return "unknown parameter"
        }
        return nil
    }
}
