// Celeriac — a Celery-compatible job service in Swift.

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The Celery options a new task's message can carry (`apply_async`'s keywords), each
/// written where a Celery client writes it (docs/wire-format.md).
public struct TaskOptions: Sendable, Equatable {
    /// Queue (`delivery_info.routing_key`).
    public var queue: String
    /// kombu priority 0–9; on Redis 0 is served first.
    public var priority: Int
    /// Not before this instant (`headers.eta`; Celery turns `countdown` into it).
    public var eta: Date?
    /// Not after this instant (`headers.expires`, and `properties.expiration` in ms).
    public var expires: Date?
    /// Hard time limit in seconds (`headers.timelimit[0]`).
    public var timeLimit: Double?
    /// Soft time limit in seconds (`headers.timelimit[1]`).
    public var softTimeLimit: Double?
    /// Retries so far (`headers.retries`): 0 for a new task, more when a retry republishes it.
    public var retries: Int
    /// The task that enqueued this one (`headers.parent_id`).
    public var parentID: String?
    /// The first task of the workflow (`headers.root_id`); the task's own id when nil.
    public var rootID: String?
    /// Group id and position (`headers.group`, `headers.group_index`).
    public var group: String?
    public var groupIndex: Int?
    /// Name shown instead of the task's in logs and monitors (`headers.shadow`).
    public var shadow: String?
    /// `headers.ignore_result`.
    public var ignoreResult: Bool
    /// Headers of the caller's own, written after Celery's (a name Celery uses is ignored).
    public var headers: [String: JSONValue]

    public init(
        queue: String = TaskOptions.defaultQueue, priority: Int = 0, eta: Date? = nil, expires: Date? = nil,
        timeLimit: Double? = nil, softTimeLimit: Double? = nil, retries: Int = 0, parentID: String? = nil,
        rootID: String? = nil, group: String? = nil, groupIndex: Int? = nil, shadow: String? = nil,
        ignoreResult: Bool = false, headers: [String: JSONValue] = [:]
    ) {
        self.queue = queue
        self.priority = priority
        self.eta = eta
        self.expires = expires
        self.timeLimit = timeLimit
        self.softTimeLimit = softTimeLimit
        self.retries = retries
        self.parentID = parentID
        self.rootID = rootID
        self.group = group
        self.groupIndex = groupIndex
        self.shadow = shadow
        self.ignoreResult = ignoreResult
        self.headers = headers
    }

    /// Celery's default queue.
    public static let defaultQueue = "celery"

    /// Header names Celery's protocol v2 defines; extra headers may not use them.
    public static let celeryHeaderNames: Set<String> = [
        "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit", "root_id",
        "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result", "replaced_task_nesting", "stamped_headers",
        "stamps",
    ]

    /// Header names a caller's own headers may not use: Celery's, and the ones Celeriac
    /// writes from its own fields (`retry`).
    public static let reservedHeaderNames = celeryHeaderNames.union([RetryPolicy.header])
}
