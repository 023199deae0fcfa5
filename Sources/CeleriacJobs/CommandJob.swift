// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A configured program run as a task (``CommandSpec``): argv only, never a shell; the
/// arguments as JSON on stdin, so a value with shell metacharacters reaches the program as
/// it was sent; the last JSON line of its stdout is the result. Killed with its process
/// group at the hard time limit and on revoke.
public struct CommandJob: Job {
    public let command: CommandSpec
    public var name: String { command.spec.name }
    public var spec: JobSpec { command.spec }

    /// Bytes of stdout kept (the result is the last JSON line within them) and of stderr (the
    /// traceback on failure).
    static let outputLimit = 1 << 20
    static let errorLimit = 16 << 10

    public init(_ command: CommandSpec) { self.command = command }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        var environment = command.environment
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        for (variable, secret) in command.secrets { environment[variable] = try invocation.secrets.value(secret) }
        let stdout = TailBuffer(limit: Self.outputLimit)
        let stderr = TailBuffer(limit: Self.errorLimit)
        let child = ChildProcess(
            executable: command.argv[0], arguments: Array(command.argv.dropFirst()), environment: environment,
            workingDirectory: command.workingDirectory)
        let termination: ChildProcess.Termination
        do {
            termination = try await child.run(
                input: CommandSpec.input(taskID: invocation.taskID, args: invocation.args, kwargs: invocation.kwargs, retries: invocation.retries),
                stdout: { stdout.append($0) }, stderr: { stderr.append($0) })
        } catch let failure as ChildProcess.Failure {
            throw JobFailure(type: "FileNotFoundError", message: "\(name): cannot start: \(failure.description)", retryable: false)
        }
        switch termination {
        case .exited(0):
            return CommandSpec.result(fromOutput: stdout.contents) ?? .null
        case .exited(let status):
            throw failure("exited with status \(status)", stderr: stderr.text)
        case .signaled(let signal):
            throw failure("was killed by signal \(signal)", stderr: stderr.text)
        }
    }

    /// `CommandError`: the last stderr line in the message, its tail as the traceback.
    private func failure(_ how: String, stderr: String) -> JobFailure {
        let last = stderr.split(separator: "\n").last.map { String($0.prefix(500)) }
        return JobFailure(
            type: "CommandError", module: "celeriac.jobs", message: "\(name) \(how)\(last.map { ": \($0)" } ?? "")",
            traceback: stderr.isEmpty ? nil : stderr + "\n")
    }

    /// The commands `CELERIAC_COMMANDS` names, read and checked at the worker's start.
    /// - Throws: ``ConfigError`` for a file that cannot be read or an entry that is wrong.
    public static func configured(_ settings: Settings) throws(ConfigError) -> [CommandJob] {
        guard let path = settings.commandsFile else { return [] }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            throw ConfigError("CELERIAC_COMMANDS: cannot read \(path) (at most 1 MiB)")
        }
        guard let json = try? JSONValue.parse(Array(data)) else { throw ConfigError("CELERIAC_COMMANDS: \(path) is not JSON") }
        return try CommandSpec.parse(json).map(CommandJob.init)
    }
}
