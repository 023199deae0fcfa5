// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacHTTP

/// `celeriac status <id>`: prints the task as JSON.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a task.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Task id.") var id: String

    func run() async throws {
        print(try await options.call("GET", "/tasks/\(id)").text)
    }
}
