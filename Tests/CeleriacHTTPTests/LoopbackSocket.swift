// Celeriac — a Celery-compatible job service in Swift.

import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP connection to 127.0.0.1 that a test holds open and writes to a few bytes at a
/// time, as a slow or hostile client does; every call returns at once.
final class LoopbackSocket: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = try RawHTTP.connectedSocket(port: port)
    }

    deinit { close(fd) }

    /// Writes `text`; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) == bytes.count
    }

    /// Whether the server closed the connection (its end of the stream, or a reset).
    var closedByServer: Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// What the server sent so far, without waiting.
    func available() -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { return received }
            received += chunk[..<count]
        }
    }
}
