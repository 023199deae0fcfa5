// Celeriac — a Celery-compatible job service in Swift.

import CeleriacHTTP
import CeleriacSystem
import Hummingbird
import NIOCore
import TestSupport
import Testing

/// The libcurl client against a real HTTP server (Hummingbird on a loopback port): response
/// headers come back, and a body can be streamed to a sink instead of held.
@Suite struct HTTPClientTests {
    struct Sent: Error {}

    static func withServer(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.get("/limited") { _, _ in
            var headers = HTTPFields()
            headers[.retryAfter] = "7"
            headers[.contentLanguage] = "a b"
            return Response(status: .tooManyRequests, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "slow down")))
        }
        router.get("/big") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "a"), count: 1 << 20)))
        }
        try await LoopbackServer.run(router, body)
    }

    @Test func responseHeadersComeBackWithTheStatusAndBody() async throws {
        try await Self.withServer { base in
            let response = try await HTTPClient(concurrency: 1).send(HTTPClientRequest(url: base + "/limited"))
            #expect(response.status == 429)
            #expect(response.header("retry-after") == "7")
            #expect(response.header("CONTENT-LANGUAGE") == "a b")
            #expect(response.text == "slow down")
        }
    }

    @Test func aBodyStreamedToASinkIsNotHeld() async throws {
        try await Self.withServer { base in
            let received = Locked(0)
            let response = try await HTTPClient(concurrency: 1).send(HTTPClientRequest(url: base + "/big")) { chunk in
                received.withLock { $0 += chunk.count }
            }
            #expect(response.status == 200 && response.body.isEmpty)
            #expect(received.current == 1 << 20)
        }
    }

    @Test func aThrowingSinkAbortsTheTransferWithItsError() async throws {
        try await Self.withServer { base in
            await #expect(throws: Sent.self) {
                try await HTTPClient(concurrency: 1).send(HTTPClientRequest(url: base + "/big")) { _ in throw Sent() }
            }
        }
    }

    @Test func theSizeLimitHoldsForStreamedBodiesToo() async throws {
        try await Self.withServer { base in
            let client = HTTPClient(concurrency: 1)
            await #expect(throws: HTTPClientError.responseTooLarge(limit: 1000)) {
                try await client.send(HTTPClientRequest(url: base + "/big", maxResponseBytes: 1000)) { _ in }
            }
            await #expect(throws: HTTPClientError.responseTooLarge(limit: 1000)) {
                try await client.send(HTTPClientRequest(url: base + "/big", maxResponseBytes: 1000))
            }
        }
    }

    @Test func aBadURLNamesWhatFailed() async throws {
        await #expect(throws: HTTPClientError.self) {
            try await HTTPClient(concurrency: 1).send(HTTPClientRequest(url: "notascheme://x", timeout: .seconds(2)))
        }
    }

    /// Nothing a job passes on can add a header or a request: the request is refused before a
    /// byte is sent.
    @Test func headersAndURLsWithLineBreaksAreRefused() async throws {
        try await Self.withServer { base in
            let client = HTTPClient(concurrency: 1)
            let requests = [
                HTTPClientRequest(url: base + "/limited", headers: [("X-Note", "a\r\nX-Injected: 1")]),
                HTTPClientRequest(url: base + "/limited", headers: [("X-Note\nX-Injected", "1")]),
                HTTPClientRequest(url: base + "/limited", headers: [("X-Note", "a\u{0}b")]),
                HTTPClientRequest(url: base + "/limited HTTP/1.1\r\nX-Injected: 1\r\n"),
            ]
            for request in requests {
                await #expect(throws: HTTPClientError.self) { try await client.send(request) }
            }
            let fine = try await client.send(HTTPClientRequest(url: base + "/limited", headers: [("X-Note", "fine")]))
            #expect(fine.status == 429)  // what /limited always answers: the request went out
        }
    }
}
