// Celeriac — a Celery-compatible job service in Swift.
// celeriac-worker: consumes queues and runs jobs until SIGTERM/SIGINT.

import ArgumentParser
import CeleriacCore
import CeleriacSystem
import CeleriacJobs
import CeleriacWorker
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
        let logger = LineLogHandler.bootstrap(settings, label: "celeriac-worker")
        var configuration = WorkerConfiguration(
            name: name ?? settings.workerName ?? WorkerConfiguration.defaultName, queues: settings.queues,
            concurrency: settings.concurrency, redisURL: settings.redisURL, apiURL: settings.apiURL,
            workerToken: settings.workerToken)
        configuration.lease = .seconds(settings.leaseSeconds)
        configuration.renewInterval = .seconds(max(1, settings.leaseSeconds / 3))
        configuration.maxCrashes = settings.maxCrashes
        configuration.shutdownGrace = .seconds(settings.shutdownGraceSeconds)
        var registry: JobRegistry
        do {
            configuration.secrets = try Secrets.load(path: settings.secretsFile, environment: environment)
            registry = .builtIn(
                backupDirectory: settings.backupDirectory, email: try EmailJob.configured(settings),
                http: HTTPRequestJob(outbound: OutboundGuard(allowedHosts: settings.httpAllowHosts)),
                load: try DataLoadJob.configured(settings))
            try registry.register(commands: try CommandJob.configured(settings))
        } catch {
            throw ValidationError(error.description)
        }
        let worker = Worker(configuration: configuration, registry: registry, logger: logger)
        // SIGTERM or a first SIGINT: graceful (finish within the grace period, return the
        // rest). A second SIGINT: cancel now; unfinished tasks still go back to their queues.
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: worker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(settings.shutdownGraceSeconds + 15)
        let group = ServiceGroup(configuration: groupConfiguration)
        let signalLogger = logger
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                // ServiceGroup forbids one signal for both stages, so the second SIGINT is ours.
                var interrupts = 0
                for await _ in await UnixSignalsSequence(trapping: .sigint) {
                    interrupts += 1
                    if interrupts == 2 {
                        signalLogger.warning("second SIGINT: stopping now; unfinished tasks go back to their queues")
                        return
                    }
                }
            }
            try await tasks.next()
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
    }
}
