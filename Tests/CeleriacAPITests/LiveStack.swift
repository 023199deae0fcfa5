// Celeriac — a Celery-compatible job service in Swift.

import CeleriacAPI
import CeleriacCore
import CeleriacHTTP
import CeleriacJobs
import CeleriacRedis
import CeleriacWorker
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TestSupport
import Testing

/// A real API (port 0, own database) and a real worker (own queue and name) in this process,
/// against the test Redis and PostgreSQL. Everything is torn down when `body` returns.
struct LiveStack: Sendable {
    let baseURL: String
    let queue: String
    let settings: Settings
    let http = HTTPClient(concurrency: 4, name: "test-http")
    let redis: RedisClient

    static func run(
        token: String? = nil, startWorker: Bool = true, environment: [String: String] = [:], registry: JobRegistry = .builtIn,
        secrets: Secrets = Secrets(), _ body: @Sendable (LiveStack) async throws -> Void
    ) async throws {
        var env = [
            "CELERIAC_DATABASE_URL": try await TestDatabase.create(),
            "CELERIAC_PORT": "0", "CELERIAC_MAX_BODY_BYTES": "4096",
        ]
        if let token { env["CELERIAC_WORKER_TOKEN"] = token }
        env.merge(environment) { _, given in given }
        var settings = try Settings(environment: env)
        settings.redisURL = try TestServices.redisURL
        let queue = TestServices.uniqueName("q")
        settings.queues = [queue]
        var logger = Logger(label: "test-stack")
        logger.logLevel = .warning
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = APIServer.makeApplication(settings: settings, logger: logger) { port in portSink.yield(port) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let stack = LiveStack(
                baseURL: "http://127.0.0.1:\(port)", queue: queue, settings: settings, redis: RedisClient(url: settings.redisURL))
            if startWorker {
                var configuration = WorkerConfiguration(
                    name: TestServices.uniqueName("worker"), queues: [queue], concurrency: 8, redisURL: settings.redisURL,
                    apiURL: stack.baseURL, workerToken: token)
                configuration.secrets = secrets
                let worker = Worker(configuration: configuration, registry: registry, logger: logger)
                group.addTask { try await worker.run() }
            }
            defer { group.cancelAll() }
            try await body(stack)
        }
    }

    /// Runs a worker on the stack's queue while `body` runs (for stacks made with
    /// `startWorker: false`: work queued before any worker starts).
    func withWorker(_ body: @Sendable () async throws -> Void) async throws {
        var logger = Logger(label: "test-worker")
        logger.logLevel = .warning
        let configuration = WorkerConfiguration(
            name: TestServices.uniqueName("worker"), queues: [queue], concurrency: 8, redisURL: settings.redisURL,
            apiURL: baseURL, workerToken: settings.workerToken)
        let worker = Worker(configuration: configuration, registry: .builtIn, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// Polls `GET /tasks/{id}` until `done` holds for it (or `timeout`); returns the last read.
    func waitFor(_ id: String, timeout: Duration = .seconds(10), _ done: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let task = try json(try await request("GET", "/tasks/\(id)"))
            if done(task) || ContinuousClock.now > deadline { return task }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @discardableResult
    func request(_ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = []) async throws
        -> HTTPClientResponse
    {
        try await http.send(HTTPClientRequest(
            method: method, url: baseURL + path, headers: headers + [("Content-Type", "application/json")],
            body: body.map { Array($0.utf8) }))
    }

    func json(_ response: HTTPClientResponse) throws -> JSONValue { try JSONValue.parse(response.body) }

    /// The API's port, for ``RawHTTP``.
    var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }

    /// Enqueues and returns the new id.
    func enqueue(_ body: String) async throws -> String {
        let response = try await request("POST", "/tasks", body: body)
        #expect(response.status == 201, "\(response.text)")
        return try #require(try json(response)["id"]?.stringValue)
    }

    /// Polls `GET /tasks/{id}` until the task is final (or `timeout`).
    func waitFinal(_ id: String, timeout: Duration = .seconds(10)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let task = try json(try await request("GET", "/tasks/\(id)"))
            let state = task["state"]?.stringValue ?? ""
            if ["SUCCESS", "FAILURE", "REVOKED"].contains(state) || ContinuousClock.now > deadline { return task }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
