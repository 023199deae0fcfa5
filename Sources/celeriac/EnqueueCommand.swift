// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacHTTP

/// `celeriac enqueue celeriac.echo --args '["hi"]' --countdown 5`
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enqueue", abstract: "Enqueue a task; prints its id.")

    @OptionGroup var options: APIOptions
    @Argument(help: "Task name, e.g. celeriac.echo") var task: String
    @Option(help: "Positional arguments as a JSON array.") var args: String = "[]"
    @Option(help: "Keyword arguments as a JSON object.") var kwargs: String = "{}"
    @Option(help: "Queue name.") var queue: String = "celery"
    @Option(help: "Priority 0–9 (0 is served first).") var priority: Int?
    @Option(help: "Run no earlier than this many seconds from now.") var countdown: Double?
    @Option(help: "Run no earlier than this RFC 3339 time (with offset).") var eta: String?
    @Option(help: "Do not run after this many seconds from now, or after this RFC 3339 time.") var expires: String?
    @Option(help: "Hard time limit, seconds.") var timeLimit: Double?
    @Option(help: "Soft time limit, seconds.") var softTimeLimit: Double?

    func run() async throws {
        guard case .array(let argList)? = try? JSONValue.parse(args) else { throw ValidationError("--args must be a JSON array") }
        guard case .object(let kwargMap)? = try? JSONValue.parse(kwargs) else {
            throw ValidationError("--kwargs must be a JSON object")
        }
        var body: [String: JSONValue] = [
            "task": .string(task), "args": .array(argList), "kwargs": .object(kwargMap), "queue": .string(queue),
        ]
        if let priority { body["priority"] = .int(Int64(priority)) }
        if let countdown { body["countdown"] = .double(countdown) }
        if let eta { body["eta"] = .string(eta) }
        // The API tells a number of seconds from a time by its JSON type.
        if let expires { body["expires"] = Double(expires).map(JSONValue.double) ?? .string(expires) }
        if let timeLimit { body["time_limit"] = .double(timeLimit) }
        if let softTimeLimit { body["soft_time_limit"] = .double(softTimeLimit) }
        let response = try await options.call("POST", "/tasks", body: JSONValue.object(body).jsonText)
        print((try? JSONValue.parse(response.body))?["id"]?.stringValue ?? response.text)
    }
}
