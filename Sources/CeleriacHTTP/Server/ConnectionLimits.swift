// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import NIOCore
import Synchronization

/// What one connection may send, how long it may take, and how many may be open at once
/// (docs/security.md lists the variables that set them).
public struct ConnectionLimits: Sendable {
    /// One header field, and all of a head together, at most this many bytes (431).
    public var maxHeaderBytes: Int
    /// Header fields in one head (431).
    public var maxHeaderCount: Int
    /// The request target (path and query) at most this many bytes (414). Over
    /// ``maxHeaderBytes`` the decoder stops first, and the answer is 431.
    public var maxURIBytes: Int
    /// A request head must be read whole within this time of its first byte (slowloris).
    public var headerTimeout: TimeAmount
    /// A connection with nothing in progress closes after this long.
    public var idleTimeout: TimeAmount
    /// Open connections; one more is answered 503 and closed.
    public var maxConnections: Int

    /// The limits `CELERIAC_*` configured (``RequestLimits``, whose defaults these are too).
    public init(_ limits: RequestLimits) {
        self.init(
            maxHeaderBytes: limits.maxHeaderBytes, maxHeaderCount: limits.maxHeaderCount, maxURIBytes: limits.maxURIBytes,
            headerTimeout: .seconds(Int64(limits.headerTimeoutSeconds)), idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)),
            maxConnections: limits.maxConnections)
    }

    public init(
        maxHeaderBytes: Int = RequestLimits.default.maxHeaderBytes, maxHeaderCount: Int = RequestLimits.default.maxHeaderCount,
        maxURIBytes: Int = RequestLimits.default.maxURIBytes,
        headerTimeout: TimeAmount = .seconds(Int64(RequestLimits.default.headerTimeoutSeconds)),
        idleTimeout: TimeAmount = .seconds(Int64(RequestLimits.default.idleTimeoutSeconds)),
        maxConnections: Int = RequestLimits.default.maxConnections
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxURIBytes = maxURIBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }
}

/// The server's count of open connections, against ``ConnectionLimits/maxConnections``.
final class OpenConnections: Sendable {
    private let open = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection; false (and not counted) when the limit is reached.
    func admit() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { open.subtract(1, ordering: .relaxed) }
}
