// Celeriac — a Celery-compatible job service in Swift.

import ArgumentParser
import CeleriacCore
import CeleriacHTTP
import Foundation

/// `celeriac enqueue celeriac.echo --args '["hi"]' --countdown 5`, or
/// `celeriac enqueue --from-file tasks.jsonl` (one `POST /tasks` body per line, sent through
/// `POST /tasks/batch` in chunks).
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Enqueue a task (prints its id), or every task of a JSON-lines file (prints an id per line).")

    @OptionGroup var options: APIOptions
    @Argument(help: "Task name, e.g. celeriac.echo") var task: String?
    @Option(help: "Positional arguments as a JSON array.") var args: String = "[]"
    @Option(help: "Keyword arguments as a JSON object.") var kwargs: String = "{}"
    @Option(help: "Queue name.") var queue: String = "celery"
    @Option(help: "Priority 0–9 (0 is served first).") var priority: Int?
    @Option(help: "Run no earlier than this many seconds from now.") var countdown: Double?
    @Option(help: "Run no earlier than this RFC 3339 time (with offset).") var eta: String?
    @Option(help: "Do not run after this many seconds from now, or after this RFC 3339 time.") var expires: String?
    @Option(help: "Hard time limit, seconds.") var timeLimit: Double?
    @Option(help: "Soft time limit, seconds.") var softTimeLimit: Double?
    @Option(help: "A file of tasks, one POST /tasks body (JSON) per line, or - for stdin.") var fromFile: String?
    @Option(help: "Tasks per POST /tasks/batch with --from-file.") var chunk: Int = 500

    func validate() throws {
        if fromFile == nil && task == nil { throw ValidationError("give a task name, or --from-file") }
        if fromFile != nil && task != nil { throw ValidationError("give a task name or --from-file, not both") }
        if !(1...100_000).contains(chunk) { throw ValidationError("--chunk must be 1 to 100000") }
    }

    func run() async throws {
        if let fromFile { return try await enqueueFile(fromFile) }
        guard case .array(let argList)? = try? JSONValue.parse(args) else { throw ValidationError("--args must be a JSON array") }
        guard case .object(let kwargMap)? = try? JSONValue.parse(kwargs) else {
            throw ValidationError("--kwargs must be a JSON object")
        }
        var body: [String: JSONValue] = [
            "task": .string(task ?? ""), "args": .array(argList), "kwargs": .object(kwargMap), "queue": .string(queue),
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

    /// Sends the file's tasks in chunks; prints each task's id on stdout in the file's order,
    /// each refused line's problem on stderr (`line N: …`); fails when any line was refused.
    func enqueueFile(_ path: String) async throws {
        let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data else { throw ValidationError("cannot read \(path)") }
        var entries: [(line: Int, json: JSONValue)] = []
        var refused = 0
        for (number, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let text = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            guard !text.isEmpty else { continue }
            guard let json = try? JSONValue.parse(Array(text)) else {
                FileHandle.standardError.write(Data("line \(number + 1): not JSON\n".utf8))
                refused += 1
                continue
            }
            entries.append((number + 1, json))
        }
        for start in stride(from: 0, to: entries.count, by: chunk) {
            let part = entries[start..<min(start + chunk, entries.count)]
            let body = JSONValue.object(["tasks": .array(part.map(\.json))]).jsonText
            let response: HTTPClientResponse
            do { response = try await options.call("POST", "/tasks/batch", body: body) } catch let error as ValidationError {
                // Every entry of the chunk refused (422), or the whole request (413, 401...).
                FileHandle.standardError.write(Data("lines \(part.first!.line)–\(part.last!.line): \(error.message)\n".utf8))
                refused += part.count
                continue
            }
            let results = (try? JSONValue.parse(response.body))?["tasks"]?.arrayValue ?? []
            for (entry, result) in zip(part, results) {
                if let id = result["id"]?.stringValue {
                    print(id)
                } else {
                    let detail = result["errors"]?.arrayValue?.compactMap { error -> String? in
                        guard let pointer = error["pointer"]?.stringValue, let text = error["detail"]?.stringValue else { return nil }
                        return "\(pointer.split(separator: "/").dropFirst(2).joined(separator: "/")): \(text)"
                    }.joined(separator: "; ") ?? result["detail"]?.stringValue ?? "refused"
                    FileHandle.standardError.write(Data("line \(entry.line): \(detail)\n".utf8))
                    refused += 1
                }
            }
        }
        if refused > 0 { throw ExitCode(1) }
    }
}
