// Celeriac — a Celery-compatible job service in Swift.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTP/1.1 over a plain socket, for tests that need what the curl client does not give:
/// response headers, methods it does not send as-is (HEAD, TRACE), pipelined requests, bytes
/// that are not HTTP.
public enum RawHTTP {
    public struct Reply: Sendable {
        public var status: Int
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: String = ""
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends `method path` with `Connection: close` to 127.0.0.1:`port`; reads until the
    /// server closes (5 s at most per read).
    public static func send(_ method: String, _ path: String, port: Int) async throws -> Reply {
        let (bytes, _) = try await exchange(Array(request(method, path, headers: ["Connection: close"]).utf8), port: port)
        guard let reply = try replies(in: bytes).first else {
            throw Failure(description: "no reply in \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return reply
    }

    /// A request's bytes: `body` with its `Content-Length`, and `headers` as given.
    public static func request(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) -> String {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1"] + headers
        if let body { lines.append("Content-Length: \(body.utf8.count)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
    }

    /// Writes `request` in one go to 127.0.0.1:`port` and returns everything read until the
    /// server closes, or until a read waits `timeout` seconds (then `closed` is false). The
    /// blocking socket calls run on a thread of their own: on the cooperative pool they would
    /// starve an API running in the same process.
    public static func exchange(_ request: [UInt8], port: Int, timeout: Double = 5) async throws
        -> (bytes: [UInt8], closed: Bool)
    {
        try await onThread { try blockingExchange(request, port: port, timeout: timeout, read: true) }
    }

    /// Writes `request` and closes the connection without reading a reply.
    public static func sendAndHangUp(_ request: [UInt8], port: Int) async throws {
        _ = try await onThread { try blockingExchange(request, port: port, timeout: 1, read: false) }
    }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func blockingExchange(_ request: [UInt8], port: Int, timeout: Double, read reading: Bool) throws
        -> (bytes: [UInt8], closed: Bool)
    {
        let fd = try connectedSocket(port: port)
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        // MSG_NOSIGNAL: a server that closes early is an error here, not a SIGPIPE for the test process.
        guard Glibc.send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            throw Failure(description: "write: \(errno)")
        }
        guard reading else { return ([], false) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count == 0 { return (received, true) }
            guard count > 0 else { return (received, false) }
            received += chunk[..<count]
        }
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port`; the caller closes it.
    public static func connectedSocket(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect: \(errno)")
        }
        return fd
    }

    /// The responses in `bytes`, in order; each body is `Content-Length` bytes long.
    public static func replies(in bytes: [UInt8]) throws -> [Reply] {
        var replies: [Reply] = []
        var rest = bytes[...]
        let separator = Array("\r\n\r\n".utf8)
        while !rest.isEmpty {
            guard let end = rest.firstRange(of: separator) else {
                throw Failure(description: "incomplete head: \(String(decoding: rest.prefix(200), as: UTF8.self))")
            }
            var lines = String(decoding: rest[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            guard let status = Int(lines.removeFirst().split(separator: " ").dropFirst().first ?? "") else {
                throw Failure(description: "no status line in \(String(decoding: rest.prefix(200), as: UTF8.self))")
            }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let body = rest[end.upperBound...].prefix(length)
            replies.append(Reply(status: status, headers: headers, body: String(decoding: body, as: UTF8.self)))
            rest = rest[(end.upperBound + body.count)...]
        }
        return replies
    }
}
