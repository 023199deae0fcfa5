// Celeriac — a Celery-compatible job service in Swift.

/// The last `limit` bytes of a stream (a child's stderr, for its error), safe to append to
/// from the thread that reads the stream.
public final class TailBuffer: Sendable {
    private let bytes = Locked<[UInt8]>([])
    private let limit: Int

    public init(limit: Int) { self.limit = limit }

    public func append(_ chunk: [UInt8]) {
        bytes.withLock { bytes in
            bytes.append(contentsOf: chunk.suffix(limit))
            if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
        }
    }

    public var contents: [UInt8] { bytes.current }

    /// The tail as text (invalid UTF-8 replaced), without surrounding blank lines.
    public var text: String {
        var text = String(decoding: contents, as: UTF8.self)
        while text.last?.isWhitespace == true { text.removeLast() }
        while text.first?.isNewline == true { text.removeFirst() }
        return text
    }
}
