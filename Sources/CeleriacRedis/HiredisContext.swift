// Celeriac — a Celery-compatible job service in Swift.

internal import CHiredis
import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The only owner of one `redisContext*`. Not thread-safe: used only from the
/// ``BlockingThread`` of the ``RedisConnection`` that created it.
final class HiredisContext {
    private var handle: UnsafeMutablePointer<redisContext>?

    /// Connects with a timeout; the same timeout bounds every later read and write.
    init(host: String, port: Int, timeout: Duration) throws(RedisError) {
        let tv = Self.timeval(timeout)
        guard let context = redisConnectWithTimeout(host, Int32(port), tv) else {
            throw .connect("cannot allocate a hiredis context")
        }
        if context.pointee.err != 0 {
            let message = Self.errorString(context)
            redisFree(context)
            throw .connect("\(host):\(port): \(message)")
        }
        guard redisSetTimeout(context, tv) == REDIS_OK else {
            let message = Self.errorString(context)
            redisFree(context)
            throw .connect("\(host):\(port): redisSetTimeout: \(message)")
        }
        guard redisEnableKeepAlive(context) == REDIS_OK else {
            let message = Self.errorString(context)
            redisFree(context)
            throw .connect("\(host):\(port): redisEnableKeepAlive: \(message)")
        }
        handle = context
    }

    /// Connects to `url`'s server, authenticates and selects its database.
    static func open(_ url: RedisURL, timeout: Duration) throws(RedisError) -> HiredisContext {
        let context = try HiredisContext(host: url.host, port: url.port, timeout: timeout)
        if let password = url.password {
            var auth = [Array("AUTH".utf8)]
            if let user = url.username { auth.append(Array(user.utf8)) }
            auth.append(Array(password.utf8))
            try context.expectOK(RESPCommand(auth))
        }
        if url.database != 0 {
            try context.expectOK(RESPCommand([Array("SELECT".utf8), Array(String(url.database).utf8)]))
        }
        return context
    }

    private func expectOK(_ command: RESPCommand) throws(RedisError) {
        try append(command)
        let reply = try readReply(operation: command.operation)
        if case .error(let message) = reply { throw .connect("\(command.operation): \(message)") }
    }

    deinit { close() }

    /// The socket, for `poll`; -1 once closed.
    var fileDescriptor: Int32 { handle.map { Int32($0.pointee.fd) } ?? -1 }

    /// Writes everything buffered by ``append(_:)`` (blocking up to the timeout).
    func flush() throws(RedisError) {
        guard let handle else { throw .io(operation: "write", message: "connection closed") }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(handle, &done) == REDIS_OK else {
                let message = Self.errorString(handle)
                close()
                throw .io(operation: "write", message: message)
            }
        }
    }

    /// Reads what the socket has (call when `poll` says it is readable) into the reply buffer.
    func readAvailable() throws(RedisError) {
        guard let handle else { throw .io(operation: "read", message: "connection closed") }
        guard redisBufferRead(handle) == REDIS_OK else {
            let message = Self.errorString(handle)
            close()
            throw .io(operation: "read", message: message)
        }
    }

    /// The next complete reply already read, or nil when the buffer holds none.
    func bufferedReply() throws(RedisError) -> RESPValue? {
        guard let handle else { throw .io(operation: "read", message: "connection closed") }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(handle, &raw) == REDIS_OK else {
            let message = Self.errorString(handle)
            close()
            throw .io(operation: "read", message: message)
        }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    func close() {
        if let handle { redisFree(handle) }
        handle = nil
    }

    /// Buffers one command, already in wire form, for the next write.
    func append(_ command: RESPCommand) throws(RedisError) {
        guard let handle else { throw .io(operation: command.operation, message: "connection closed") }
        let status = command.bytes.withUnsafeBytes { bytes in
            redisAppendFormattedCommand(handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == REDIS_OK else { throw .io(operation: command.operation, message: Self.errorString(handle)) }
    }

    /// Writes what is buffered (on first call) and reads the next reply.
    func readReply(operation: String) throws(RedisError) -> RESPValue {
        guard let handle else { throw .io(operation: operation, message: "connection closed") }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(handle, &raw) == REDIS_OK, let raw else {
            let message = Self.errorString(handle)
            close()
            throw .io(operation: operation, message: message)
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return Self.convert(reply)
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RESPValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_INTEGER: return .integer(Int64(r.integer))
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_STRING:
            return .bulk(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(r.len))) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ARRAY:
            var items: [RESPValue] = []
            items.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let element = r.element[index] { items.append(convert(element)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .null
        }
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafePointer(to: context.pointee.errstr) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: 128) { String(cString: $0) }
        }
    }

    private static func timeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return CHiredis.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
