// Celeriac — a Celery-compatible job service in Swift.

import Hummingbird
import NIOCore
import NIOHTTP1

extension Reply {
    /// The HTTP/1.1 head of this reply as written on the channel by the handlers that answer
    /// without hummingbird (direct routes, refusals): `Content-Length`, `Date`, `Server`, and
    /// `Connection: close` when the connection ends after it.
    func http1Head(serverName: String?, close: Bool) -> HTTPResponseHead {
        var fields = HTTPHeaders()
        fields.reserveCapacity(headers.count + 4)
        for field in headers { fields.add(name: field.name.rawName, value: field.value) }
        fields.add(name: "Content-Length", value: String(body.readableBytes))
        fields.add(name: "Date", value: HTTPDate.now)
        if let serverName { fields.add(name: "Server", value: serverName) }
        if close { fields.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase)
        return HTTPResponseHead(version: .http1_1, status: status, headers: fields)
    }
}
