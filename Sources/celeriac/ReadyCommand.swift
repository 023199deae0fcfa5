// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacHTTP

/// `celeriac ready`: exits 0 when the API answers `/ready` with 200 (container healthchecks).
struct ReadyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ready", abstract: "Exit 0 if the API is ready (Redis reachable, database migrated).")

    @OptionGroup var options: APIOptions

    func run() async throws {
        print(try await options.call("GET", "/ready").text)
    }
}
