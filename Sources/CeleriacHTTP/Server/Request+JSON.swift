// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import Hummingbird

extension Request {
    /// Reads the body, at most `limit` bytes.
    /// - Throws: ``Problem`` 413 over the limit (by `Content-Length` before reading, or while
    ///   reading a chunked body), 400 when empty.
    public func bodyBytes(limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Problem.tooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.tooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { throw Problem.badRequest("request body is empty; send a JSON object") }
        return buffer
    }

    /// Reads the body (at most `limit` bytes) and parses it as JSON.
    ///
    /// Any content type is accepted, so `curl -d '{...}'` (form-encoded by default) works.
    /// - Throws: ``Problem`` 413 over the limit, 400 when empty or not JSON.
    public func jsonBody(limit: Int) async throws -> JSONValue {
        let buffer = try await bodyBytes(limit: limit)
        do {
            return try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw Problem.badRequest("request body is not valid JSON: \(error.reason)")
        }
    }
}

extension Response {
    /// A JSON response from pre-encoded text.
    public static func json(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
