// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
import Foundation
import Logging

/// Everything the route handlers share: stores, limits, identity of this producer.
struct APIContext: Sendable {
    let settings: Settings
    let redis: RedisClient
    let broker: Broker
    let tasks: TaskStore
    let postgres: PostgresClient
    let history: HistoryWriter
    let historyReader: HistoryRepository
    let workerToken: BearerToken?
    /// `gen<pid>@<host>`, Celery's `origin` header for messages this process publishes.
    let origin: String
    /// This producer's constant `reply_to` (Celery's app `oid`).
    let producerID: String
    let logger: Logger

    init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        redis = RedisClient(url: settings.redisURL, name: "redis-api")
        broker = Broker(redis: redis, recordTTLSeconds: settings.resultTTLSeconds)
        // Reports on a connection of their own: a worker's batch of report scripts would
        // otherwise sit in front of every enqueue issued while it is in flight.
        tasks = TaskStore(
            redis: RedisClient(url: settings.redisURL, name: "redis-reports"), ttlSeconds: settings.resultTTLSeconds)
        postgres = PostgresClient(url: settings.databaseURL, size: 2)
        history = HistoryWriter(client: postgres, logger: logger)
        historyReader = HistoryRepository(client: postgres)
        workerToken = settings.workerToken.map(BearerToken.init)
        origin = "gen\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)"
        producerID = TaskID.random()
    }
}
