// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacHTTP

/// `celeriac enqueue celeriac.echo --args '["hi"]'`
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enqueue", abstract: "Enqueue a task; prints its id.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Task name, e.g. celeriac.echo") var task: String
    @Option(help: "Positional arguments as a JSON array.") var args: String = "[]"
    @Option(help: "Keyword arguments as a JSON object.") var kwargs: String = "{}"
    @Option(help: "Queue name.") var queue: String = "celery"

    func run() async throws {
        guard case .array(let argList)? = try? JSONValue.parse(args) else { throw ValidationError("--args must be a JSON array") }
        guard case .object(let kwargMap)? = try? JSONValue.parse(kwargs) else {
            throw ValidationError("--kwargs must be a JSON object")
        }
        let body = JSONValue.object([
            "task": .string(task), "args": .array(argList), "kwargs": .object(kwargMap), "queue": .string(queue),
        ])
        let response = try await options.call("POST", "/tasks", body: body.jsonText)
        print((try? JSONValue.parse(response.body))?["id"]?.stringValue ?? response.text)
    }
}
