// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import Logging

/// One run of a task, as a job sees it.
public struct JobInvocation: Sendable {
    public var taskID: String
    public var task: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    public var retries: Int
    private let workerLogger: Logger

    /// - Parameter logger: the worker's; ``logger`` adds this run's task id and name.
    public init(taskID: String, task: String, args: [JSONValue], kwargs: [String: JSONValue], retries: Int, logger: Logger) {
        self.taskID = taskID
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.retries = retries
        workerLogger = logger
    }

    /// A logger whose lines carry `task_id` and `task`. Built when a job asks: most never log,
    /// and setting the metadata for every run was ~5% of a no-op drain's worker CPU.
    public var logger: Logger {
        var logger = workerLogger
        logger[metadataKey: "task_id"] = .string(taskID)
        logger[metadataKey: "task"] = .string(task)
        return logger
    }

    /// The argument at `position`, or the keyword `name`: Celery tasks accept either.
    public func argument(_ position: Int, _ name: String) -> JSONValue? {
        position < args.count ? args[position] : kwargs[name]
    }
}

/// Work a worker can run for a task name. Jobs are values; one instance serves every run,
/// concurrently, so keep per-run state in the function.
public protocol Job: Sendable {
    /// The Celery task name (`celeriac.echo`, `backup.postgres`).
    var name: String { get }
    /// Runs once. Throw ``JobFailure`` to choose the exception type Celery clients see;
    /// any other error is reported with its Swift type name.
    func run(_ invocation: JobInvocation) async throws -> JSONValue
}

/// A deliberate failure with a Celery-visible exception type.
public struct JobFailure: Error, Sendable, Equatable {
    public var type: String
    public var module: String
    public var message: String

    public init(type: String, module: String = "builtins", message: String) {
        self.type = type
        self.module = module
        self.message = message
    }

    /// Python's `TypeError`, for arguments a job cannot use.
    public static func badArgument(_ message: String) -> JobFailure {
        JobFailure(type: "TypeError", message: message)
    }
}

/// The jobs a worker knows, by task name.
public struct JobRegistry: Sendable {
    private var jobs: [String: any Job] = [:]

    public init(_ jobs: [any Job] = []) {
        for job in jobs { register(job) }
    }

    /// The built-in jobs of this release.
    public static var builtIn: JobRegistry { JobRegistry([EchoJob(), SleepJob(), FailJob()]) }

    public mutating func register(_ job: any Job) { jobs[job.name] = job }

    public func job(named name: String) -> (any Job)? { jobs[name] }

    /// Registered names, sorted.
    public var names: [String] { jobs.keys.sorted() }
}
