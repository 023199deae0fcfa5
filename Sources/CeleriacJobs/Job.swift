// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import CeleriacHTTP
public import Logging

/// One run of a task, as a job sees it.
public struct JobInvocation: Sendable {
    public var taskID: String
    public var task: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    public var retries: Int
    /// Values of secrets the kwargs name.
    public var secrets: Secrets
    /// Notes kept for this task across its attempts (``TaskLedger``).
    public var ledger: TaskLedger
    /// Outgoing HTTP (libcurl): the one given, else the worker's shared client (made when
    /// a job first asks, so a worker whose jobs never call out starts no transfer threads).
    public var http: HTTPClient { httpClient ?? Self.sharedHTTP }
    private let httpClient: HTTPClient?
    private let workerLogger: Logger
    private let progressSink: @Sendable (JobProgress) -> Void
    private let followUpSink: (@Sendable (FollowUp) async throws -> String)?

    /// - Parameters:
    ///   - logger: the worker's; ``logger`` adds this run's task id and name.
    ///   - progress: where ``progress(current:total:message:)`` goes (the worker reports it).
    ///   - followUp: publishes what ``enqueue(_:kwargs:key:)`` asks for (the worker's broker);
    ///     nil refuses follow-ups.
    ///   - ledger: this task's notes (the worker's are in Redis); one in memory when not given.
    public init(
        taskID: String, task: String, args: [JSONValue], kwargs: [String: JSONValue], retries: Int, logger: Logger,
        secrets: Secrets = Secrets(), ledger: TaskLedger = .inMemory(), http: HTTPClient? = nil,
        progress: @escaping @Sendable (JobProgress) -> Void = { _ in },
        followUp: (@Sendable (FollowUp) async throws -> String)? = nil
    ) {
        self.taskID = taskID
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.retries = retries
        self.secrets = secrets
        self.ledger = ledger
        httpClient = http
        workerLogger = logger
        progressSink = progress
        followUpSink = followUp
    }

    /// Enqueues a follow-up task (a notification), as a Celery task's `.delay()` does: on the
    /// same broker and queue, with this task as its `parent_id`. `key` names the follow-up
    /// within this task: a run repeated after a crash publishes it once. Returns its id.
    /// - Throws: ``JobFailure`` when this worker cannot publish; the broker's error when Redis fails.
    @discardableResult
    public func enqueue(_ task: String, kwargs: [String: JSONValue], key: String) async throws -> String {
        guard let followUpSink else {
            throw JobFailure(type: "RuntimeError", message: "this run cannot enqueue \(task)", retryable: false)
        }
        return try await followUpSink(FollowUp(task: task, kwargs: kwargs, key: key))
    }

    /// Reports how far the job is: `GET /tasks/{id}` shows state `PROGRESS` with it, and a
    /// Celery client's `AsyncResult.info` reads `{current, total, message}`. Cheap to call
    /// often: reports waiting to be sent are folded to the latest.
    public func progress(current: Double, total: Double? = nil, message: String? = nil) {
        progressSink(JobProgress(current: current, total: total, message: message))
    }

    /// A logger whose lines carry `task_id` and `task`. Built when a job asks: most never log,
    /// and setting the metadata for every run was ~5% of a no-op drain's worker CPU.
    public var logger: Logger {
        var logger = workerLogger
        logger[metadataKey: "task_id"] = .string(taskID)
        logger[metadataKey: "task"] = .string(task)
        return logger
    }

    /// The HTTP client jobs share unless given another.
    public static let sharedHTTP = HTTPClient(concurrency: 4, name: "http-jobs")

    /// The arguments by name, checked against the job's schema with defaults filled in
    /// (the worker checked them before the run, so this fails only for a job calling it
    /// with another schema).
    public func arguments(_ schema: JobSchema) throws -> [String: JSONValue] {
        do { return try schema.check(args: args, kwargs: kwargs, operation: task) } catch {
            throw JobFailure.badArgument(error.fields.map { "\($0.pointer): \($0.detail)" }.joined(separator: "; "))
        }
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
    /// Its summary, arguments, limits and retry policy (``JobSpec``): announced to the API,
    /// which lists them and checks enqueues against them; the worker checks a message's
    /// arguments against the schema before ``run(_:)``. Defaults to an open schema.
    var spec: JobSpec { get }
    /// Runs once. Throw ``JobFailure`` to choose the exception type Celery clients see;
    /// any other error is reported with its Swift type name.
    func run(_ invocation: JobInvocation) async throws -> JSONValue
    /// Called once after the task failed for good (its last retry, a time limit, a failure
    /// no retry mends), as Celery's `Task.on_failure`: where a job sends its alert. Runs
    /// after ``run(_:)`` has ended or been abandoned, with a few seconds to finish.
    func failed(_ invocation: JobInvocation, error: TaskError) async
}

extension Job {
    public var spec: JobSpec { JobSpec(name: name) }
    public func failed(_ invocation: JobInvocation, error: TaskError) async {}
}

/// A task a job asks to enqueue after it (``JobInvocation/enqueue(_:kwargs:key:)``).
public struct FollowUp: Sendable, Equatable {
    public var task: String
    public var kwargs: [String: JSONValue]
    /// Unique within the parent task: the same key is published once.
    public var key: String

    public init(task: String, kwargs: [String: JSONValue], key: String) {
        self.task = task
        self.kwargs = kwargs
        self.key = key
    }
}

/// How far a job is, as ``JobInvocation/progress(current:total:message:)`` reports it.
public struct JobProgress: Sendable, Equatable {
    public var current: Double
    public var total: Double?
    public var message: String?

    public init(current: Double, total: Double? = nil, message: String? = nil) {
        self.current = current
        self.total = total
        self.message = message
    }

    /// `{current, total, message}`, Celery's custom-state meta.
    public var json: JSONValue {
        func number(_ value: Double) -> JSONValue {
            value.rounded() == value && abs(value) < 1e15 ? .int(Int64(value)) : .double(value)
        }
        return .object([
            "current": number(current), "total": total.map(number) ?? .null, "message": message.map(JSONValue.string) ?? .null,
        ])
    }
}

/// Thrown by a job to be run again later (Celery's `self.retry(countdown=...)`): the task
/// goes to RETRY and runs again after `delay` (or the task's retry policy's backoff). Counts
/// against the policy's `max_retries` (3 without a policy, as in Celery); past it the task
/// ends FAILURE with `reason`.
public struct JobRetry: Error, Sendable, Equatable {
    public var delay: Duration?
    public var reason: String

    public init(after delay: Duration? = nil, reason: String = "retry requested") {
        self.delay = delay
        self.reason = reason
    }
}

/// A deliberate failure with a Celery-visible exception type.
public struct JobFailure: Error, Sendable, Equatable {
    public var type: String
    public var module: String
    public var message: String
    /// False for a failure no retry can mend (a request the peer refused as wrong): the task
    /// ends FAILURE even when a retry policy would allow another attempt.
    public var retryable: Bool
    /// What Celery clients see as the traceback (a command's stderr); nil gives one line
    /// naming the job and the exception.
    public var traceback: String?

    public init(type: String, module: String = "builtins", message: String, retryable: Bool = true, traceback: String? = nil) {
        self.type = type
        self.module = module
        self.message = message
        self.retryable = retryable
        self.traceback = traceback
    }

    /// Python's `TypeError`, for arguments a job cannot use.
    public static func badArgument(_ message: String) -> JobFailure {
        JobFailure(type: "TypeError", message: message, retryable: false)
    }
}

/// The jobs a worker knows, by task name.
public struct JobRegistry: Sendable {
    private var jobs: [String: any Job] = [:]
    /// Each job's spec, taken once (a job computes it).
    private var specsByName: [String: JobSpec] = [:]

    public init(_ jobs: [any Job] = []) {
        for job in jobs { register(job) }
    }

    /// The built-in jobs of this release.
    public static var builtIn: JobRegistry { builtIn(backupDirectory: nil) }

    /// The built-in jobs, `backup.postgres` writing under `backupDirectory`, `notify.email`
    /// `http.request` and `data.load` configured as `email`, `http` and `load` are.
    public static func builtIn(
        backupDirectory: String?, email: EmailJob = EmailJob(), http: HTTPRequestJob = HTTPRequestJob(),
        load: DataLoadJob = DataLoadJob()
    ) -> JobRegistry {
        JobRegistry([
            EchoJob(), SleepJob(), FailJob(), SlackJob(), WebPushJob(), email, http, load, BackupJob(directory: backupDirectory),
        ])
    }

    /// Adds configured command tasks.
    /// - Throws: ``ConfigError`` for a name a built-in job already has.
    public mutating func register(commands: [CommandJob]) throws(ConfigError) {
        for command in commands {
            guard jobs[command.name] == nil else {
                throw ConfigError("CELERIAC_COMMANDS: \(command.name) is a built-in task's name")
            }
            register(command)
        }
    }

    public mutating func register(_ job: any Job) {
        jobs[job.name] = job
        specsByName[job.name] = job.spec
    }

    public func spec(named name: String) -> JobSpec? { specsByName[name] }

    public func job(named name: String) -> (any Job)? { jobs[name] }

    /// Registered names, sorted.
    public var names: [String] { jobs.keys.sorted() }

    /// Every job's spec, by name.
    public var specs: [JobSpec] { names.compactMap { specsByName[$0] } }
}
