// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An outgoing HTTP request.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Whole-request bound: connect, send, wait, receive.
    public var timeout: Duration
    public var maxResponseBytes: Int

    public init(
        method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(10), maxResponseBytes: Int = 16 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A received response.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no response.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case transport(String)
    case timeout(String)
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .transport(let m): "http: \(m)"
        case .timeout(let m): "http timeout: \(m)"
        case .responseTooLarge(let limit): "http: response over \(limit) bytes"
        }
    }
}

/// Outgoing HTTP over libcurl. Each slot is one easy handle on its own thread, so blocking
/// transfers never touch the cooperative pool and keep-alive connections are reused.
public final class HTTPClient: Sendable {
    private let slots: [CurlSlot]

    /// - Parameter concurrency: transfers that may run at once.
    public init(concurrency: Int = 2, name: String = "http") {
        slots = (0..<max(1, concurrency)).map { CurlSlot(thread: BlockingThread(name: "\(name)-\($0)")) }
    }

    /// Sends the request on the least busy slot.
    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let slot = slots.min { $0.busy.current < $1.busy.current }!
        slot.busy.withLock { $0 += 1 }
        defer { slot.busy.withLock { $0 -= 1 } }
        return try await slot.thread.run { try slot.perform(request) }
    }
}

private final class CurlSlot: @unchecked Sendable {
    // Safe to share: `easy` is only touched on `thread` (inside `perform`).
    let thread: BlockingThread
    let busy = Locked(0)
    private var easy: CurlEasy?

    init(thread: BlockingThread) { self.thread = thread }

    func perform(_ request: HTTPClientRequest) throws -> HTTPClientResponse {
        if easy == nil { easy = try CurlEasy() }
        return try easy!.perform(request)
    }
}
