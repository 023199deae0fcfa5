// Celeriac — a Celery-compatible job service in Swift.

import CeleriacAPI
import CeleriacCore
import CeleriacHTTP
import CeleriacJobs
import CeleriacPostgres
import CeleriacRedis
import CeleriacSystem
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
    /// A token with scopes submit, read and admin, sent by ``request(_:_:body:headers:anonymous:)``.
    let adminToken: String
    /// The workers' token (scope worker).
    let workerToken: String
    let http = HTTPClient(concurrency: 4, name: "test-http")
    let redis: RedisClient

    static func run(
        startWorker: Bool = true, environment: [String: String] = [:], registry: JobRegistry = .builtIn,
        secrets: Secrets = Secrets(), _ body: @Sendable (LiveStack) async throws -> Void
    ) async throws {
        let database = try await TestDatabase.create()
        var env = ["CELERIAC_DATABASE_URL": database, "CELERIAC_PORT": "0", "CELERIAC_MAX_BODY_BYTES": "4096"]
        let (adminToken, workerToken) = try await Self.makeTokens(in: database)
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
                baseURL: "http://127.0.0.1:\(port)", queue: queue, settings: settings, adminToken: adminToken,
                workerToken: workerToken, redis: RedisClient(url: settings.redisURL))
            if settings.authRequired { try await stack.waitForTokens() }
            if startWorker {
                var configuration = WorkerConfiguration(
                    name: TestServices.uniqueName("worker"), queues: [queue], concurrency: 8, redisURL: settings.redisURL,
                    apiURL: stack.baseURL, workerToken: workerToken)
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
            apiURL: baseURL, workerToken: workerToken)
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

    /// Sends a request with the admin token, unless `headers` hold an `Authorization` of their own
    /// or `anonymous` is set.
    @discardableResult
    func request(
        _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [], anonymous: Bool = false
    ) async throws -> HTTPClientResponse {
        var all = headers + [("Content-Type", "application/json")]
        if !anonymous, !headers.contains(where: { $0.0.lowercased() == "authorization" }) {
            all.append(("Authorization", "Bearer \(adminToken)"))
        }
        return try await http.send(HTTPClientRequest(method: method, url: baseURL + path, headers: all, body: body.map { Array($0.utf8) }))
    }

    /// Headers that make a request the worker's.
    var asWorker: [(String, String)] { [("Authorization", "Bearer \(workerToken)")] }

    /// The `Authorization` line for ``RawHTTP`` requests.
    var authorizationLine: String { "Authorization: Bearer \(adminToken)" }

    /// A raw request with the admin token.
    func raw(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) -> String {
        RawHTTP.request(method, path, body: body, headers: headers + [authorizationLine])
    }

    /// Makes the stack's two tokens in its database (migrated first, as `celeriac token create` does).
    static func makeTokens(in database: String) async throws -> (admin: String, worker: String) {
        let client = PostgresClient(url: database, size: 1, name: "pg-tokens")
        _ = try await Migrator(client: client).migrate()
        let repository = TokenRepository(client: client)
        let admin = TokenSecret.generate(), worker = TokenSecret.generate()
        _ = try await repository.create(name: "test-admin", scopes: [.submit, .read, .admin], sha256: admin.sha256, now: Date())
        _ = try await repository.create(name: "test-worker", scopes: [.worker], sha256: worker.sha256, now: Date())
        return (admin.token, worker.token)
    }

    /// Until the API has loaded its tokens (it does once migrated, then every second): `/ready`
    /// says so, and asking it is no failed authentication.
    func waitForTokens() async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while try await request("GET", "/ready", anonymous: true).status != 200 {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(20))
        }
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
