// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import Hummingbird

extension Request {
    /// Reads the body, at most `limit` bytes.
    /// - Throws: ``DomainError`` `tooLarge` over the limit (by `Content-Length` before reading, or while
    ///   reading a chunked body), `malformed` when empty.
    public func bodyBytes(limit: Int) async throws -> ByteBuffer {
        let buffer = try await optionalBodyBytes(limit: limit)
        guard buffer.readableBytes > 0 else { throw DomainError.emptyBody }
        return buffer
    }

    /// Reads the body, at most `limit` bytes; empty when there is none.
    /// - Throws: ``DomainError`` `tooLarge` over the limit.
    public func optionalBodyBytes(limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw DomainError.tooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw DomainError.tooLarge(limit: limit)
        }
        return buffer
    }
}

/// A request body as JSON. Any content type is accepted, so `curl -d '{...}'` (form-encoded
/// by default) works.
public enum JSONBody {
    /// - Throws: ``DomainError`` `malformed` when empty, not JSON, or beyond `limits`.
    public static func parse(_ buffer: ByteBuffer, limits: JSONLimits) throws -> JSONValue {
        guard buffer.readableBytes > 0 else { throw DomainError.emptyBody }
        do {
            return try JSONValue.parse(buffer.readableBytesView, limits: limits)
        } catch {
            throw DomainError.malformed("request", "request body is not valid JSON: \(error.reason)")
        }
    }
}

extension DomainError {
    static let emptyBody = DomainError.malformed("request", "request body is empty; send a JSON object")
}
