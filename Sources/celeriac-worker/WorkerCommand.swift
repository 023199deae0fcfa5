// Celeriac — a Celery-compatible job service in Swift.
// celeriac-worker: consumes queues and runs jobs until SIGTERM/SIGINT.

import ArgumentParser
import CeleriacCore
import CeleriacJobs
import CeleriacWorker
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "celeriac-worker",
        abstract: "Consume Celery queues on Redis and run jobs.",
        discussion: "Settings come from CELERIAC_* environment variables (see README); flags override them.")

    @Option(name: [.customShort("Q"), .long], help: "Comma-separated queues (default: CELERIAC_QUEUES or celery).")
    var queues: String?

    @Option(name: [.short, .long], help: "Tasks run at once (default: CELERIAC_CONCURRENCY or 16).")
    var concurrency: Int?

    @Option(name: [.short, .long], help: "Worker name; unique per process (default: celeriac@<hostname>).")
    var name: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if let queues { environment["CELERIAC_QUEUES"] = queues }
        if let concurrency { environment["CELERIAC_CONCURRENCY"] = String(concurrency) }
        let settings: Settings
        do {
            settings = try Settings(environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "celeriac-worker")
        logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
        let worker = Worker(
            configuration: WorkerConfiguration(
                name: name ?? settings.workerName ?? WorkerConfiguration.defaultName, queues: settings.queues,
                concurrency: settings.concurrency, redisURL: settings.redisURL, apiURL: settings.apiURL,
                workerToken: settings.workerToken),
            registry: .builtIn, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
