// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacHTTP

/// `celeriac wait <id>`: polls until the task is final; exits 1 if it failed.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait for a task to finish.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Task id.") var id: String
    @Option(help: "Seconds to wait before giving up.") var timeout: Double = 60

    func run() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            let response = try await options.call("GET", "/tasks/\(id)")
            let state = (try? JSONValue.parse(response.body))?["state"]?.stringValue.flatMap(TaskState.init(rawValue:))
            if let state, state.isFinal {
                print(response.text)
                if state != .success { throw ExitCode(1) }
                return
            }
            guard clock.now < deadline else { throw ValidationError("task \(id) not finished after \(timeout) s") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
