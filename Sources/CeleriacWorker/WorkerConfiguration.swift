// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import CeleriacJobs
public import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a worker process needs to know; built from ``Settings`` and command-line flags.
public struct WorkerConfiguration: Sendable {
    /// `celeriac@<host>` by default, like Celery's `celery@<host>`; must be unique per process
    /// because it names the claim list.
    public var name: String
    public var queues: [String]
    public var concurrency: Int
    public var redisURL: RedisURL
    public var apiURL: String
    public var workerToken: String?
    /// Most reports sent in one request.
    public var reportBatchSize: Int = 500
    /// Most tasks held at once: running, or finished with the final report not yet accepted
    /// by the API. Claiming pauses beyond it, so an API outage holds at most this many leases.
    public var maxUnfinished: Int
    /// How long a claimed message stays leased without renewal.
    public var lease: Duration = .seconds(30)
    /// How often held leases are renewed.
    public var renewInterval: Duration = .seconds(10)
    /// How often the worker records itself alive.
    public var heartbeatInterval: Duration = .seconds(2)
    /// A worker silent this long is dead: the reaper returns all its leases at once.
    public var deadAfter: Duration = .seconds(10)
    /// How often this worker looks for expired leases and dead workers.
    public var reapInterval: Duration = .seconds(1)
    /// A task whose worker was lost this many times ends FAILURE `WorkerCrashed`.
    public var maxCrashes: Int = 3
    /// On SIGTERM, how long running tasks may finish before they are returned to the queue.
    public var shutdownGrace: Duration = .seconds(30)
    /// Where time comes from: ETAs, expiry, report times, upkeep intervals, backoff.
    public var clock: any WallClock = SystemClock()
    /// Values of the secrets jobs' kwargs name (`CELERIAC_SECRETS_FILE`, the environment).
    public var secrets = Secrets()

    public init(name: String, queues: [String], concurrency: Int, redisURL: RedisURL, apiURL: String, workerToken: String?) {
        self.name = name
        self.queues = queues
        self.concurrency = concurrency
        self.maxUnfinished = max(16 * concurrency, 1024)
        self.redisURL = redisURL
        self.apiURL = apiURL
        self.workerToken = workerToken
    }

    /// `celeriac@<hostname>`.
    public static var defaultName: String { "celeriac@" + ProcessInfo.processInfo.hostName }
}
