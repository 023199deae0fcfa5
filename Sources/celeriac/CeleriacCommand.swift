// Celeriac — a Celery-compatible job service in Swift.
// celeriac: command-line client of the API.

import ArgumentParser

@main
struct Celeriac: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "celeriac",
        abstract: "Command-line client for a Celeriac API.",
        subcommands: [
            EnqueueCommand.self, StatusCommand.self, WaitCommand.self, ReadyCommand.self, MigrateCommand.self,
            SchedulesCommand.self, TokenCommand.self, VapidCommand.self,
        ])
}
