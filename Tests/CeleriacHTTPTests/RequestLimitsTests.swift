// Celeriac — a Celery-compatible job service in Swift.

import CeleriacHTTPServer
import Foundation
import Hummingbird
import NIOCore
import TestSupport
import Testing

/// The server's limits on a real socket: oversized targets and heads, bytes that are not
/// HTTP, trickling clients, more connections than allowed. Each refusal is a problem+json
/// that closes the connection, after the answers owed to earlier requests.
@Suite struct RequestLimitsTests {
    /// A server with `GET /hello` on the router and a direct `POST /tasks`, within `limits`.
    static func serve(_ limits: ConnectionLimits, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/hello") { _, _ in "hello" }
        // As in the API, the router serves what the direct path steps aside for.
        router.post("/tasks") { _, _ in Reply.json(#"{"id": "1"}"#, status: .created).response }
        let direct = DirectRoute(.post, "/tasks", maxBodyBytes: 1024) { _, _ in Reply.json(#"{"id": "1"}"#, status: .created) }
        try await LoopbackServer.run(router, server: .http1(limits: limits, direct: [direct], serverName: "celeriac")) { url in
            try await body(Int(url.split(separator: ":").last ?? "") ?? 0)
        }
    }

    static let small = ConnectionLimits(maxHeaderBytes: 4096, maxHeaderCount: 20, maxURIBytes: 1024)

    @Test func oversizedTargetsAndHeadsAndNonHTTPAreProblemsThatClose() async throws {
        try await Self.serve(Self.small) { port in
            let cases: [(String, Int, String)] = [
                (RawHTTP.request("GET", "/hello?q=" + String(repeating: "a", count: 1100)), 414, "/problems/uri-too-long"),
                (RawHTTP.request("GET", "/hello", headers: ["X-Big: " + String(repeating: "b", count: 5000)]), 431,
                 "/problems/headers-too-large"),
                (RawHTTP.request("GET", "/hello", headers: (0..<30).map { "X-\($0): v" }), 431, "/problems/headers-too-large"),
                ("\u{1}\u{2} this is not HTTP\r\n\r\n", 400, "/problems/malformed-http"),
                ("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400, "/problems/malformed-http"),
                // A body cut short by bad chunking, on the direct route and on the router.
                ("POST /tasks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nab\r\n", 400,
                 "/problems/malformed-http"),
                ("GET /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\nzz\r\n", 400,
                 "/problems/malformed-http"),
                // The direct route's target over the limit is refused the same way.
                (RawHTTP.request("POST", "/tasks?" + String(repeating: "t", count: 1100), body: "{}"), 414, "/problems/uri-too-long"),
            ]
            for (request, status, type) in cases {
                let (bytes, closed) = try await RawHTTP.exchange(Array(request.utf8), port: port)
                let reply = try #require(try RawHTTP.replies(in: bytes).first, "\(request.prefix(40))")
                #expect(reply.status == status, "\(request.prefix(40))")
                #expect(reply.headers["content-type"] == "application/problem+json")
                #expect(reply.headers["connection"] == "close")
                let problem = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
                #expect(problem?["type"] as? String == type && problem?["status"] as? Int == status, "\(reply.body)")
                #expect(closed, "a refusal closes the connection")
            }
            // Within the limits, the same server answers.
            #expect(try await RawHTTP.send("GET", "/hello?q=" + String(repeating: "a", count: 900), port: port).status == 200)
        }
    }

    @Test func aRefusalComesAfterTheAnswersOwedToEarlierRequests() async throws {
        try await Self.serve(Self.small) { port in
            let requests = [
                RawHTTP.request("GET", "/hello"), RawHTTP.request("POST", "/tasks", body: "{}"), RawHTTP.request("GET", "/hello"),
                RawHTTP.request("GET", "/hello", headers: ["X-Big: " + String(repeating: "b", count: 5000)]),
                RawHTTP.request("GET", "/hello"),  // after the refusal: never answered
            ]
            let (bytes, closed) = try await RawHTTP.exchange(Array(requests.joined().utf8), port: port)
            #expect(try RawHTTP.replies(in: bytes).map(\.status) == [200, 201, 200, 431], "\(String(decoding: bytes, as: UTF8.self))")
            #expect(closed)
        }
    }

    @Test func connectionsOverTheLimitAreAnswered503AndTheLimitFreesUp() async throws {
        try await Self.serve(ConnectionLimits(maxConnections: 5)) { port in
            var held = try (0..<5).map { _ in try LoopbackSocket(port: port) }
            try await Task.sleep(for: .milliseconds(300))  // accepted and counted
            let (bytes, closed) = try await RawHTTP.exchange(Array(RawHTTP.request("GET", "/hello").utf8), port: port)
            let reply = try #require(try RawHTTP.replies(in: bytes).first)
            #expect(reply.status == 503 && reply.headers["retry-after"] == "1" && closed)
            #expect(reply.headers["content-type"] == "application/problem+json")
            #expect(reply.body.contains("/problems/too-many-connections") && reply.body.contains("5 connections"), "\(reply.body)")
            held.removeAll()
            // A server whose connection tasks wait for a busy pool sees the closes late.
            var status = 0
            for _ in 0..<500 where status != 200 {
                try await Task.sleep(for: .milliseconds(20))
                status = try await RawHTTP.send("GET", "/hello", port: port).status
            }
            #expect(status == 200)
        }
    }
}

/// Slow clients against the server's clocks. `make test` runs this suite on its own, after
/// the others: with the whole parallel run loading both cores, "answered within a second"
/// measures the test run rather than the server.
@Suite struct SlowClientTests {
    /// 200 clients trickle header lines; a normal client is answered well within a second
    /// all along, and each trickler is cut off once its head has taken the header timeout.
    @Test func slowHeadersAreCutOffAndDoNotSlowOtherClients() async throws {
        let limits = ConnectionLimits(headerTimeout: .seconds(1), idleTimeout: .seconds(30))
        try await RequestLimitsTests.serve(limits) { port in
            let clock = ContinuousClock()
            let started = clock.now
            let tricklers = try (0..<200).map { _ in try LoopbackSocket(port: port) }
            for socket in tricklers { socket.send("GET /hello HTTP/1.1\r\nHost: x\r\n") }
            var closedAfter = [Duration?](repeating: nil, count: tricklers.count)
            var slowest = Duration.zero
            while clock.now - started < .seconds(6), closedAfter.contains(where: { $0 == nil }) || clock.now - started < .seconds(2) {
                for (index, socket) in tricklers.enumerated() where closedAfter[index] == nil {
                    if socket.closedByServer { closedAfter[index] = clock.now - started } else { socket.send("X-Slow: 1\r\n") }
                }
                let asked = clock.now
                #expect(try await RawHTTP.send("GET", "/hello", port: port).status == 200)
                slowest = max(slowest, clock.now - asked)
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(slowest < .seconds(1), "a normal client waited \(slowest)")
            #expect(closedAfter.allSatisfy { $0 != nil }, "\(closedAfter.filter { $0 == nil }.count) tricklers still open")
            let latest = closedAfter.compactMap { $0 }.max() ?? .zero
            let earliest = closedAfter.compactMap { $0 }.min() ?? .zero
            #expect(earliest >= .milliseconds(900) && latest < .milliseconds(3000), "cut off after \(earliest) to \(latest)")
        }
    }

    /// The header timeout runs from a head's first byte: a kept-alive connection idle for
    /// longer is still served.
    @Test func anIdleKeptAliveConnectionIsNotCutOffByTheHeaderTimeout() async throws {
        let limits = ConnectionLimits(headerTimeout: .seconds(1), idleTimeout: .seconds(30))
        try await RequestLimitsTests.serve(limits) { port in
            let socket = try LoopbackSocket(port: port)
            for round in 0..<2 {
                #expect(socket.send(RawHTTP.request("GET", "/hello")))
                var received: [UInt8] = []
                for _ in 0..<100 where (try? RawHTTP.replies(in: received))?.count != 1 {
                    try await Task.sleep(for: .milliseconds(20))
                    received += socket.available()
                }
                #expect(try RawHTTP.replies(in: received).map(\.status) == [200], "round \(round)")
                try await Task.sleep(for: .milliseconds(1500))
                #expect(!socket.closedByServer)
            }
        }
    }
}
