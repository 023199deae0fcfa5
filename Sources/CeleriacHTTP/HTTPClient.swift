// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacSystem
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
    /// Addresses to connect to instead of resolving the host again (`CURLOPT_RESOLVE`:
    /// `host:port:address`): the ones a guard checked, so a second DNS answer cannot differ.
    public var resolve: [String]

    public init(
        method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(10), maxResponseBytes: Int = 16 << 20, resolve: [String] = []
    ) {
        self.resolve = resolve
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
    /// The final response's header fields, in the order received (names as sent).
    public var headers: [(String, String)]
    /// The body; empty when it was streamed (``HTTPClient/send(_:streamingTo:)``).
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The first value of header field `name`, compared without case (`Retry-After`).
    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.0.lowercased() == name }?.1
    }
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

/// Outgoing HTTP over libcurl. Each slot is one easy handle on its own thread
/// (``ThreadSlots``), so blocking transfers never touch the cooperative pool and keep-alive
/// connections are reused.
public final class HTTPClient: Sendable {
    private let slots: ThreadSlots<CurlEasy>

    /// - Parameter concurrency: transfers that may run at once.
    public init(concurrency: Int = 2, name: String = "http") {
        slots = ThreadSlots(count: concurrency, name: name)
    }

    /// Sends the request on the least busy slot and returns the response with its body.
    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        try await perform(request, stream: nil)
    }

    /// Sends the request and hands the body to `sink` chunk by chunk as it arrives (on the
    /// slot's thread) instead of holding it: for bodies too large to buffer. The response's
    /// `body` is empty. `maxResponseBytes` still bounds the total; a throwing sink aborts the
    /// transfer with its error.
    public func send(_ request: HTTPClientRequest, streamingTo sink: @escaping @Sendable ([UInt8]) throws -> Void)
        async throws -> HTTPClientResponse
    {
        try await perform(request, stream: sink)
    }

    private func perform(_ request: HTTPClientRequest, stream: (@Sendable ([UInt8]) throws -> Void)?) async throws
        -> HTTPClientResponse
    {
        try await slots.withLeastBusy { easy in
            if easy == nil { easy = try CurlEasy() }
            return try easy!.perform(request, stream: stream)
        }
    }
}
