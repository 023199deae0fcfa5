// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

/// A command in Redis's wire form (an array of bulk strings), made on the caller's thread in
/// one buffer: the connection's thread hands it to hiredis as is (`redisAppendFormattedCommand`)
/// instead of joining the arguments and formatting them again. Byte for byte what hiredis's
/// `redisFormatCommandArgv` makes (tested against it).
public struct RESPCommand: Sendable {
    public private(set) var bytes: [UInt8]
    /// The command's name, for error messages.
    public private(set) var operation: String
    /// How many replies the bytes bring: more than one for a ``transaction(reservingCapacity:_:)``.
    public private(set) var replies = 1

    /// The header of an array of `count` bulk strings, which ``append(_:)`` then adds.
    private init(operation: String, count: Int) {
        self.operation = operation
        bytes = []
        bytes.reserveCapacity(64 + 16 * count)
        appendArrayHeader(count)
    }

    /// `*<count>\r\n`: a command of `count` bulk strings begins.
    private mutating func appendArrayHeader(_ count: Int) {
        bytes.append(UInt8(ascii: "*"))
        ASCIIDigits.append(count, width: 1, to: &bytes)
        bytes.append(contentsOf: [0x0D, 0x0A])
    }

    /// The command `name`; its `arguments` follow with ``append(_:)``.
    init(name: String, arguments: Int) {
        self.init(operation: name, count: arguments + 1)
        append(name)
    }

    public init(_ args: [[UInt8]]) {
        self.init(operation: args.first.map { String(decoding: $0, as: UTF8.self) } ?? "", count: args.count)
        for arg in args { append(arg) }
    }

    /// `MULTI`, the commands `body` writes (each begun with ``next(_:arguments:)``), `EXEC`:
    /// one buffer, sent as one command whose reply is `EXEC`'s. A command refused while
    /// queueing makes `EXEC` answer `EXECABORT`; one failing when run, an error in its array.
    static func transaction(reservingCapacity capacity: Int, _ body: (inout RESPCommand) -> Void) -> RESPCommand {
        var command = RESPCommand(name: "MULTI", arguments: 0)
        command.bytes.reserveCapacity(capacity)
        body(&command)
        command.next("EXEC", arguments: 0)
        command.operation = "MULTI/EXEC"
        return command
    }

    /// Begins another command in the same buffer: `name`, then `arguments` ``append(_:)`` calls.
    mutating func next(_ name: String, arguments: Int) {
        appendArrayHeader(arguments + 1)
        append(name)
        replies += 1
    }

    /// ``next(_:arguments:)`` with its text arguments.
    mutating func next(_ name: String, _ arguments: String...) {
        next(name, arguments: arguments.count)
        for argument in arguments { append(argument) }
    }

    mutating func append(_ argument: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "$"))
        ASCIIDigits.append(argument.count, width: 1, to: &bytes)
        bytes.append(contentsOf: [0x0D, 0x0A])
        bytes.append(contentsOf: argument)
        bytes.append(contentsOf: [0x0D, 0x0A])
    }

    mutating func append(_ argument: String) { append(argument.utf8) }

    /// `EVALSHA sha numkeys keys... args...`.
    static func evalsha(_ sha: String, keys: [String], args: [[UInt8]]) -> RESPCommand {
        var command = RESPCommand(name: "EVALSHA", arguments: 2 + keys.count + args.count)
        command.append(sha)
        command.append(String(keys.count))
        for key in keys { command.append(key) }
        for arg in args { command.append(arg) }
        return command
    }
}
