// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Commands and scripts over one pipelined ``RedisConnection``.
///
/// Every method converts `-ERR` replies into ``RedisError/server(_:)``. Blocking commands
/// (`BLMOVE`) must use their own client so they never stall the pipeline.
public final class RedisClient: Sendable {
    public let connection: RedisConnection
    private let shas = Locked<[String: String]>([:])

    /// The server and database this client talks to.
    public var url: RedisURL { connection.url }

    public init(url: RedisURL, name: String = "redis", timeout: Duration = .seconds(5)) {
        connection = RedisConnection(url: url, name: name, timeout: timeout)
    }

    /// Runs one command; `-ERR` replies throw.
    @discardableResult
    public func command(_ args: String...) async throws -> RESPValue {
        try await command(args.map { Array($0.utf8) })
    }

    /// Runs one command with binary-safe arguments; `-ERR` replies throw.
    @discardableResult
    public func command(_ args: [[UInt8]]) async throws -> RESPValue {
        try Self.checked(try await connection.send(args))
    }

    /// Runs `commands` back to back in one pipeline, which Redis executes in this order;
    /// `-ERR` replies throw.
    public func commands(_ commands: [[String]]) async throws -> [RESPValue] {
        try await connection.send(pipeline: commands.map { $0.map { Array($0.utf8) } }).map(Self.checked)
    }

    private static func checked(_ reply: RESPValue) throws -> RESPValue {
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    /// Runs a script with `EVALSHA`, loading it first if this client has not yet, and once
    /// more when the server answers `NOSCRIPT`.
    @discardableResult
    public func run(_ script: RedisScript, keys: [String], args: [String]) async throws -> RESPValue {
        try await run(script, keys: keys, rawArgs: args.map { Array($0.utf8) })
    }

    /// ``run(_:keys:args:)`` with binary-safe arguments (raw queued messages).
    @discardableResult
    public func run(_ script: RedisScript, keys: [String], rawArgs: [[UInt8]]) async throws -> RESPValue {
        try await run(script, rawCalls: [(keys, rawArgs)])[0]
    }

    /// Sends `command`, then `script` behind it in the same pipeline, and returns the
    /// script's reply: for a script that should run the moment a blocking command returns.
    /// A server that lost the script (restarted, `SCRIPT FLUSH`) answers `NOSCRIPT`: the
    /// script is then loaded and run once more on its own, after the command.
    public func run(after command: [[UInt8]], _ script: RedisScript, keys: [String], args: [String]) async throws -> RESPValue {
        let rawArgs = args.map { Array($0.utf8) }
        let sha = try await loadedSHA(script, reload: false)
        let replies = try await connection.send(pipeline: [RESPCommand(command), RESPCommand.evalsha(sha, keys: keys, args: rawArgs)])
        if let reply = try Self.scriptReply(replies[1], of: script) { return reply }
        return try await run(script, keys: keys, rawArgs: rawArgs)
    }

    /// Runs `script` once per call in `calls`, all in one pipeline (Redis runs them in this
    /// order), and returns the replies in order.
    public func run(_ script: RedisScript, calls: [(keys: [String], args: [String])]) async throws -> [RESPValue] {
        try await run(script, rawCalls: calls.map { ($0.keys, $0.args.map { Array($0.utf8) }) })
    }

    /// Every script call goes through here: `EVALSHA`, loading the script first if this client
    /// has not yet. A server that lost the script (restarted, or `SCRIPT FLUSH` landing between
    /// two commands of the pipeline) answers `NOSCRIPT` from some call on: that call and every
    /// later one are run again once after loading it.
    public func run(_ script: RedisScript, rawCalls calls: [(keys: [String], args: [[UInt8]])]) async throws
        -> [RESPValue]
    {
        var replies: [RESPValue] = []
        replies.reserveCapacity(calls.count)
        for attempt in 0..<2 where replies.count < calls.count {
            let sha = try await loadedSHA(script, reload: attempt > 0)
            let commands = calls[replies.count...].map { RESPCommand.evalsha(sha, keys: $0.keys, args: $0.args) }
            // One command on its own: a pipeline's collector is not worth it for each enqueue.
            let answers: [RESPValue] = commands.count == 1
                ? [try await connection.send(commands[0])] : try await connection.send(pipeline: commands)
            for answer in answers {
                guard let reply = try Self.scriptReply(answer, of: script) else { break }
                replies.append(reply)
            }
        }
        guard replies.count == calls.count else { throw RedisError.server("\(script.name): NOSCRIPT after reload") }
        return replies
    }

    /// A script's reply; nil for `NOSCRIPT` (load it and run again); other `-ERR` replies throw.
    private static func scriptReply(_ reply: RESPValue, of script: RedisScript) throws -> RESPValue? {
        guard case .error(let message) = reply else { return reply }
        if message.hasPrefix("NOSCRIPT") { return nil }
        throw RedisError.server("\(script.name): \(message)")
    }

    /// The script's SHA-1 on the server, loading it (`SCRIPT LOAD`) the first time or when asked.
    private func loadedSHA(_ script: RedisScript, reload: Bool) async throws -> String {
        if !reload, let known = shas.withLock({ $0[script.name] }) { return known }
        guard let loaded = try await command("SCRIPT", "LOAD", script.source).string else {
            throw RedisError.unexpectedReply(operation: "SCRIPT LOAD", reply: "no sha")
        }
        shas.withLock { $0[script.name] = loaded }
        return loaded
    }

    /// `PING`, for readiness checks.
    public func ping() async throws {
        _ = try await command("PING")
    }
}
