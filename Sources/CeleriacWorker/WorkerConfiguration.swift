// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import Foundation

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

    public init(name: String, queues: [String], concurrency: Int, redisURL: RedisURL, apiURL: String, workerToken: String?) {
        self.name = name
        self.queues = queues
        self.concurrency = concurrency
        self.redisURL = redisURL
        self.apiURL = apiURL
        self.workerToken = workerToken
    }

    /// `celeriac@<hostname>`.
    public static var defaultName: String { "celeriac@" + ProcessInfo.processInfo.hostName }
}
