// Celeriac — a Celery-compatible job service in Swift.
// celeriac-beat: sends periodic tasks when due while it holds the leader lease; run several.

import ArgumentParser
import CeleriacBeat
import CeleriacCore
import CeleriacSystem
// All of Foundation, not only FoundationEssentials: named time zones (`Asia/Seoul`) resolve
// only in a process that links FoundationInternationalization (ZoneOffsets).
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

@main
struct BeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "celeriac-beat",
        abstract: "Send periodic tasks (django-celery-beat's tables) when due; run several, one leads.",
        discussion: "Settings come from CELERIAC_* environment variables (see README); flags override them.")

    @Option(name: [.short, .long], help: "Name in the leader lease and logs (default: beat@<hostname>:<pid>).")
    var name: String?

    func run() async throws {
        let settings: Settings
        do {
            settings = try Settings(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
        let logger = LineLogHandler.bootstrap(settings, label: "celeriac-beat")
        var configuration = BeatConfiguration(
            name: name ?? settings.beatName ?? BeatConfiguration.defaultName, redisURL: settings.redisURL,
            databaseURL: settings.databaseURL)
        configuration.lease = .seconds(settings.beatLeaseSeconds)
        configuration.catchUpWindow = .seconds(settings.beatCatchUpSeconds)
        configuration.recordTTLSeconds = settings.resultTTLSeconds
        let beat = Beat(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: beat)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
