// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import CeleriacSystem
import Hummingbird
import Logging

/// Everything the route handlers share: stores, the publisher, the authorizer, limits.
struct APIContext: Sendable {
    let settings: Settings
    let clock: any WallClock
    let redis: RedisClient
    let tasks: TaskStore
    let publisher: TaskPublisher
    let mover: ScheduledMover
    let postgres: PostgresClient
    let migrations: SchemaMigrations
    let history: HistoryWriter
    let historyReader: HistoryRepository
    let authorizer: Authorizer
    /// The API tokens in force (``TokenRefresher`` reloads them).
    let tokens: TokenTable
    let revocations: Revocations
    /// Long-polls' shared subscription.
    let waiters: ResultWaiters
    /// Which task names `POST /tasks` accepts.
    let knownTasks: KnownTasks
    let logger: Logger

    init(settings: Settings, clock: any WallClock, logger: Logger) {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        redis = RedisClient(url: settings.redisURL, name: "redis-api")
        // Reports on a connection of their own: a worker's batch of report scripts would
        // otherwise sit in front of every enqueue issued while it is in flight.
        tasks = TaskStore(
            redis: RedisClient(url: settings.redisURL, name: "redis-reports"), ttlSeconds: settings.resultTTLSeconds)
        postgres = PostgresClient(url: settings.databaseURL, size: 2)
        migrations = SchemaMigrations(client: postgres, logger: logger, clock: clock)
        let history = HistoryWriter(
            client: postgres, outbox: HistoryOutbox(redis: RedisClient(url: settings.redisURL, name: "redis-history")),
            migrations: migrations, logger: logger)
        self.history = history
        historyReader = HistoryRepository(client: postgres)
        var onPublished: (@Sendable (TaskPublisher.Published) -> Void)?
        if settings.historyPending {
            onPublished = { published in
                let record = published.record
                history.record(HistoryEntry(
                    enqueued: record, at: record.createdAt ?? clock.now, argsrepr: published.argsrepr,
                    kwargsrepr: published.kwargsrepr))
            }
        }
        let broker = Broker(redis: redis, recordTTLSeconds: settings.resultTTLSeconds)
        publisher = TaskPublisher(broker: broker, clock: clock, onPublished: onPublished)
        // On the reports' connection: the enqueue connection's pipeline stays for enqueues.
        mover = ScheduledMover(
            broker: Broker(redis: tasks.redis, recordTTLSeconds: settings.resultTTLSeconds), clock: clock, logger: logger)
        let tokens = TokenTable()
        self.tokens = tokens
        authorizer = Authorizer(
            tokens: tokens, workerToken: settings.workerToken, required: settings.authRequired,
            failures: AuthFailures(limit: settings.authFailuresPerMinute, window: 60),
            rates: TokenRates(perSecond: settings.limits.tokenRatePerSecond, burst: settings.limits.tokenBurst), clock: clock)
        revocations = Revocations(redis: redis)
        waiters = ResultWaiters(redisURL: settings.redisURL, clock: clock)
        knownTasks = KnownTasks(
            registry: TaskRegistry(redis: RedisClient(url: settings.redisURL, name: "redis-registry")),
            allowed: settings.tasksAllowed, clock: clock, logger: logger)
    }
}

extension APIContext {
    /// A request's body as JSON, within the body size and JSON limits.
    /// - Throws: ``DomainError`` `tooLarge` or `malformed`.
    func json(_ request: Request) async throws -> JSONValue {
        try JSONBody.parse(try await request.bodyBytes(limit: settings.maxBodyBytes), limits: settings.limits.json)
    }
}
