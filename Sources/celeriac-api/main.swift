// Celeriac — a Celery-compatible job service in Swift.
// celeriac-api: reads CELERIAC_* settings, serves the HTTP API until SIGTERM/SIGINT.

import CeleriacAPI
import CeleriacCore
import CeleriacSystem
import Foundation
import Hummingbird
import Logging

let settings: Settings
do {
    settings = try Settings(environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("celeriac-api: \(error)\n".utf8))
    exit(2)
}
let logger = LineLogHandler.bootstrap(settings, label: "celeriac-api")
logger.info("starting", metadata: ["redis": "\(settings.redisURL)", "listen": "\(settings.host):\(settings.port)"])
let app = APIServer.makeApplication(settings: settings, logger: logger) { [logger] port in
    logger.info("listening", metadata: ["url": "http://\(settings.host):\(port)"])
}
do {
    try await app.runService()
} catch {
    // A port in use, say: say so and exit non-zero rather than trap.
    logger.critical("celeriac-api stopped", metadata: ["error": "\(error)"])
    exit(1)
}
