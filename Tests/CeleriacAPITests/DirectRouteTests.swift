// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacRedis
@testable import CeleriacHTTPServer
import Foundation
import TestSupport
import Testing

/// `POST /tasks` is answered on the channel pipeline (DirectRouteHandler), every other
/// request by the router: over one connection, answers stay in request order and HTTP/1.1's
/// connection rules hold for both.
@Suite(.enabled(if: TestServices.enabled, "needs the test Redis and PostgreSQL (make test)"), .redisDatabase(6))
struct DirectRouteTests {
    static let task = #"{"task": "celeriac.echo", "args": [1]}"#

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let requests = [
                stack.raw("POST", "/tasks", body: Self.task),
                stack.raw("GET", "/health"),
                stack.raw("POST", "/tasks", body: Self.task),  // behind a router request: the router answers
                stack.raw("POST", "/tasks?source=test", body: #"{"task": 1}"#),
                stack.raw("GET", "/tasks/no-such-task"),
                stack.raw("POST", "/tasks", body: Self.task, headers: ["Connection: close"]),
                stack.raw("GET", "/health"),  // after the close: never answered
            ]
            let (bytes, closed) = try await RawHTTP.exchange(Array(requests.joined().utf8), port: stack.port)
            let replies = try RawHTTP.replies(in: bytes)
            #expect(replies.map(\.status) == [201, 200, 201, 422, 404, 201], "\(replies)")
            #expect(closed, "Connection: close must close the connection")
            let ids = replies.filter { $0.status == 201 }.compactMap { try? JSONValue.parse(Array($0.body.utf8))["id"]?.stringValue }
            #expect(Set(ids).count == 3)
            for id in ids { #expect(try await stack.redis.command("EXISTS", "celeriac:task:\(id)").integer == 1) }
        }
    }

    /// HTTP/1.0 closes after each reply unless the client asks to keep the connection.
    @Test(arguments: [(nil, true), ("Connection: keep-alive", false)])
    func http10ClosesUnlessAskedToKeepAlive(_ header: String?, _ closes: Bool) async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let request = stack.raw("POST", "/tasks", body: Self.task, headers: header.map { [$0] } ?? [])
                .replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0")
            // Waiting long for a close that comes costs nothing; a full parallel run once took
            // over 2 s to close.
            let (bytes, closed) = try await RawHTTP.exchange(Array(request.utf8), port: stack.port, timeout: closes ? 10 : 2)
            #expect(try RawHTTP.replies(in: bytes).first?.status == 201)
            #expect(closed == closes)
        }
    }

    @Test func directRepliesCarryTheRouterHeaders() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let request = stack.raw("POST", "/tasks", body: Self.task, headers: ["Connection: close"])
            let (bytes, closed) = try await RawHTTP.exchange(Array(request.utf8), port: stack.port)
            let reply = try #require(try RawHTTP.replies(in: bytes).first)
            #expect(reply.status == 201)
            #expect(closed, "Connection: close must close the connection")
            #expect(reply.headers["server"] == "celeriac")
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.headers["location"]?.hasPrefix("/tasks/") == true)
            #expect(reply.headers["content-length"] == String(reply.body.utf8.count))
            let date = try #require(reply.headers["date"])
            #expect(date.hasSuffix(" GMT") && date.count == 29, "\(date)")
        }
    }

    @Test func anOversizedChunkedBodyIs413AndTheConnectionGoesOn() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            // LiveStack's limit is 4096 bytes; no Content-Length, so it is found while reading.
            let chunk = String(repeating: "x", count: 3000)
            let chunked = "POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n\(stack.authorizationLine)\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "bb8\r\n\(chunk)\r\nbb8\r\n\(chunk)\r\n0\r\n\r\n"
            let declared = stack.raw("POST", "/tasks", headers: ["Content-Length: 5000"]) + String(repeating: "y", count: 5000)
            let requests = chunked + declared + stack.raw("GET", "/health", headers: ["Connection: close"])
            let replies = try RawHTTP.replies(in: await RawHTTP.exchange(Array(requests.utf8), port: stack.port).bytes)
            #expect(replies.map(\.status) == [413, 413, 200], "\(replies)")
            #expect(replies.first?.headers["content-type"] == "application/problem+json")
            #expect(try JSONValue.parse(Array(replies[0].body.utf8))["status"]?.intValue == 413)
        }
    }

    @Test func garbageAfterADirectRequestIsAnsweredAfterIt() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let requests = stack.raw("POST", "/tasks", body: Self.task) + "NOT HTTP AT ALL\r\n\r\n"
            let (bytes, closed) = try await RawHTTP.exchange(Array(requests.utf8), port: stack.port)
            let replies = try RawHTTP.replies(in: bytes)
            #expect(replies.map(\.status) == [201, 400], "\(replies)")
            #expect(closed)
        }
    }

    @Test func aClientGoneBeforeTheReplyLeavesTheServerServing() async throws {
        try await LiveStack.run(startWorker: false) { stack in
            let body = #"{"task": "celeriac.echo", "queue": "\#(stack.queue)"}"#
            try await RawHTTP.sendAndHangUp(Array(stack.raw("POST", "/tasks", body: body).utf8), port: stack.port)
            #expect(try await RawHTTP.send("GET", "/health", port: stack.port).status == 200)
            // The request was whole, so it is enqueued though nobody reads the answer.
            var queued: Int64 = 0
            for _ in 0..<50 where queued == 0 {
                queued = try await stack.redis.command("LLEN", stack.queue).integer ?? 0
                try await Task.sleep(for: .milliseconds(40))
            }
            #expect(queued == 1)
        }
    }

    @Test func theDateHeaderIsAnIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")  // RFC 9110's example
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(1_798_761_599) == "Thu, 31 Dec 2026 23:59:59 GMT")
    }
}
