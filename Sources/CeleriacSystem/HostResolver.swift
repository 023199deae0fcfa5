// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a host name (or an IP literal) to its addresses with `getaddrinfo`, on a thread
/// of its own (it blocks), within a deadline.
public enum HostResolver {
    public struct Address: Sendable, Equatable {
        /// 4 or 16 bytes.
        public var bytes: [UInt8]
        /// Dotted or colon text (`inet_ntop`), without brackets.
        public var text: String
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Every address `host` resolves to, each once, in the resolver's order.
    /// - Throws: ``Failure`` when it does not resolve (or not within `timeout`).
    public static func addresses(of host: String, timeout: Duration) async throws -> [Address] {
        let thread = BlockingThread(name: "resolve")
        let outcome = Locked<Result<[Address], Failure>?>(nil)
        let done = WakeSignal()
        thread.submit {
            outcome.withLock { $0 = resolve(host) }
            done.notify()
        }
        thread.stop()  // ends once the lookup returns; a slow one is left to finish alone
        let deadline = ContinuousClock.now + timeout
        while outcome.current == nil && ContinuousClock.now < deadline {
            await done.wait(timeout: min(.milliseconds(200), deadline - ContinuousClock.now), clock: SystemClock())
        }
        guard let result = outcome.current else { throw Failure(description: "\(host): no answer from the resolver within \(timeout)") }
        return try result.get()
    }

    static func resolve(_ host: String) -> Result<[Address], Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            return .failure(Failure(description: "\(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let sockaddr = entry.pointee.ai_addr else { continue }
            var bytes: [UInt8]
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch Int32(sockaddr.pointee.sa_family) {
            case AF_INET:
                var address = UnsafeRawPointer(sockaddr).assumingMemoryBound(to: sockaddr_in.self).pointee.sin_addr
                bytes = withUnsafeBytes(of: &address) { Array($0) }
                inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
            case AF_INET6:
                var address = UnsafeRawPointer(sockaddr).assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_addr
                bytes = withUnsafeBytes(of: &address) { Array($0) }
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            default:
                continue
            }
            let address = Address(bytes: bytes, text: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            if !addresses.contains(address) { addresses.append(address) }
        }
        return addresses.isEmpty ? .failure(Failure(description: "\(host): no address")) : .success(addresses)
    }
}
