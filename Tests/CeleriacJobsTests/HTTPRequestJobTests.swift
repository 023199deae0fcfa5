// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import CeleriacHTTP
import CeleriacJobs
import CeleriacSystem
import Hummingbird
import Logging
import TestSupport
import Testing

/// `http.request` against a real HTTP server on loopback: statuses, bodies, timeouts and
/// retries, and the SSRF guard: loopback is refused unless allowed, by a URL and by a
/// redirect, whatever name leads there.
@Suite struct HTTPRequestJobTests {
    static let client = HTTPClient(concurrency: 2, name: "test-http-out")

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .init("X-Seen")!: "yes"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"ok": true, "items": [1, 2]}"#)))
        }
        router.post("/echo") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let type = request.headers[.contentType] ?? ""
            return Response(status: .created, headers: [.contentType: "text/plain"],
                            body: .init(byteBuffer: ByteBuffer(string: type + "|" + String(buffer: body))))
        }
        router.get("/big") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: "[" + String(repeating: "1,", count: 50_000) + "1]")))
        }
        router.get("/status/:code") { _, context in
            Response(status: .init(code: Int(context.parameters.get("code") ?? "500") ?? 500))
        }
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }
        router.get("/redirect") { request, _ in
            Response(status: .found, headers: [.location: request.uri.queryParameters["to"].map(String.init) ?? "/json"])
        }
        return router
    }

    func run(_ kwargs: [String: JSONValue], allow: [String] = ["127.0.0.1"]) async throws -> JSONValue {
        let job = HTTPRequestJob(outbound: OutboundGuard(allowedHosts: allow), client: Self.client)
        return try await job.run(
            JobInvocation(taskID: "t1", task: job.name, args: [], kwargs: kwargs, retries: 0, logger: Logger(label: "test")))
    }

    @Test func aJSONAnswerIsParsedAndABodyIsSentAsJSONOrText() async throws {
        try await LoopbackServer.run(Self.router()) { base in
            let result = try await run(["url": .string(base + "/json")])
            #expect(result["status"] == 200 && result["body"] == ["ok": true, "items": [1, 2]] && result["truncated"] == false)
            #expect(result["headers"]?["x-seen"] == "yes")
            let posted = try await run(["url": .string(base + "/echo"), "method": "POST", "body": ["a": 1]])
            #expect(posted["status"] == 201 && posted["body"] == #"application/json|{"a": 1}"#)
            let text = try await run(["url": .string(base + "/echo"), "method": "POST", "body": "plain ✓"])
            #expect(text["body"] == "text/plain; charset=utf-8|plain ✓")
            let big = try await run(["url": .string(base + "/big"), "max_body": 10])
            #expect(big["truncated"] == true && big["body"] == "[1,1,1,1,1")
        }
    }

    @Test func statusesOutsideExpectFailAndServerErrorsAndTimeoutsAreRetried() async throws {
        try await LoopbackServer.run(Self.router()) { base in
            await #expect(throws: JobFailure.self) { _ = try await run(["url": .string(base + "/status/404")]) }
            let expected = try await run(["url": .string(base + "/status/404"), "expect": [404]])
            #expect(expected["status"] == 404)
            await #expect(throws: JobRetry.self) { _ = try await run(["url": .string(base + "/status/503")]) }
            let started = ContinuousClock.now
            await #expect(throws: JobRetry.self) { _ = try await run(["url": .string(base + "/slow"), "timeout": .double(0.5)]) }
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test func loopbackIsRefusedUnlessAllowedAlsoThroughARedirect() async throws {
        try await LoopbackServer.run(Self.router()) { base in
            let port = base.split(separator: ":").last!
            // Not allowed: the literal, and a name that resolves to it.
            for url in [base + "/json", "http://localhost:\(port)/json"] {
                do {
                    _ = try await run(["url": .string(url)], allow: [])
                    Issue.record("\(url) was reached")
                } catch let failure as JobFailure {
                    #expect(failure.type == "PermissionError" && failure.message.contains("loopback") && !failure.retryable)
                }
            }
            // Allowed by name: the redirect to another name for the same address is checked anew.
            let followed = try await run(["url": .string(base + "/redirect?to=/json")])
            #expect(followed["status"] == 200 && followed["url"] == .string(base + "/json"))
            do {
                _ = try await run(["url": .string(base + "/redirect?to=http://localhost:\(port)/json")])
                Issue.record("the redirect to localhost was followed")
            } catch let failure as JobFailure {
                #expect(failure.type == "PermissionError")
            }
            // Not followed when asked not to: the 302 is the answer (expected here).
            let unfollowed = try await run(["url": .string(base + "/redirect"), "follow_redirects": false, "expect": [302]])
            #expect(unfollowed["status"] == 302)
        }
    }

    @Test(arguments: [
        ("127.0.0.1", "a loopback address"), ("10.1.2.3", "a private address"), ("172.20.0.1", "a private address"),
        ("192.168.1.1", "a private address"), ("169.254.169.254", "a link-local address"), ("100.64.0.1", "a carrier-grade NAT address"),
        ("0.0.0.0", "a 'this network' address"), ("224.0.0.1", "a multicast address"), ("::1", "a loopback address"),
        ("fd00::1", "a private (unique local) address"), ("fe80::1", "a link-local address"), ("::ffff:127.0.0.1", "a loopback address"),
        ("64:ff9b::a00:1", "a private address"),
    ])
    func nonPublicAddressesAreNamed(address: String, what: String) async throws {
        let resolved = try await HostResolverProbe.bytes(address)
        #expect(AddressPolicy.refusal(resolved) == what)
    }

    @Test func publicAddressesPass() async throws {
        for address in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "151.101.1.69"] {
            #expect(AddressPolicy.refusal(try await HostResolverProbe.bytes(address)) == nil, "\(address)")
        }
    }

    @Test func urlsAreCheckedAndRedirectsResolved() throws {
        let url = try #require(HTTPURL("https://Example.com:8443/a/b?c=1#frag"))
        #expect(url.host == "example.com" && url.port == 8443 && url.target == "/a/b?c=1")
        #expect(url.resolving("/x")?.description == "https://example.com:8443/x")
        #expect(url.resolving("d")?.description == "https://example.com:8443/a/d")
        #expect(url.resolving("http://other.org/")?.description == "http://other.org/")
        #expect(HTTPURL("http://[::1]:8080/")?.host == "::1")
        for bad in ["ftp://x/", "http://user:pw@host/", "http://ho st/", "http://host:0/", "gopher://x", "http://"] {
            #expect(HTTPURL(bad) == nil, "\(bad)")
        }
    }
}

/// IP literals through the real resolver (`getaddrinfo` answers them without DNS).
enum HostResolverProbe {
    static func bytes(_ literal: String) async throws -> [UInt8] {
        try await HostResolver.addresses(of: literal, timeout: .seconds(5))[0].bytes
    }
}
