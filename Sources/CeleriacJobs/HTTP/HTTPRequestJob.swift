// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import CeleriacHTTP
import CeleriacSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `http.request(url, method="GET", headers={}, body=None, timeout=30, expect=None,
/// max_body=65536, follow_redirects=True)`: one outgoing HTTP call, off the caller's request
/// path. Only the public internet is reachable unless allowed (``OutboundGuard``), redirects
/// included (followed here, five at most, each checked). A 5xx answer, a timeout or a
/// transport error is retried (3 times, 2 s doubling); a status outside `expect` (2xx when
/// not given) fails with `HTTPError`. Result `{status, headers, body, truncated, url,
/// duration_s}`: the body as JSON when the answer is JSON and fits `max_body`, else as text
/// (its first `max_body` bytes).
public struct HTTPRequestJob: Job {
    public let name = "http.request"
    let outbound: OutboundGuard
    let client: HTTPClient

    /// Its own transfer slots: the addresses it pins stay in its own handles' DNS caches.
    public static let sharedClient = HTTPClient(concurrency: 4, name: "http-out")

    public init(outbound: OutboundGuard = OutboundGuard(allowedHosts: []), client: HTTPClient = HTTPRequestJob.sharedClient) {
        self.outbound = outbound
        self.client = client
    }

    public var spec: JobSpec {
        JobSpec(
            name: name, summary: "Makes one HTTP request to a public address, with retries on 5xx and timeouts.",
            schema: JobSchema([
                .init("url", .string, required: true, maxLength: 8192, summary: "http:// or https://"),
                .init("method", .string, default: "GET", choices: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
                .init("headers", .object, default: .object([:]), maxLength: 100),
                .init("body", .any, summary: "a string is sent as is, anything else as JSON"),
                .init("timeout", .number, default: .int(30), minimum: 0.1, maximum: 300, summary: "seconds for the whole request"),
                .init("expect", .array, maxLength: 50, summary: "statuses that count as success (default 2xx)"),
                .init("max_body", .integer, default: 65_536, minimum: 0, maximum: 1_048_576, summary: "bytes of the body kept"),
                .init("follow_redirects", .boolean, default: true),
            ]),
            timeLimit: 600, retry: RetryPolicy(maxRetries: 3, backoff: 2, backoffMax: 60))
    }

    public func run(_ invocation: JobInvocation) async throws -> JSONValue {
        let arguments = try invocation.arguments(spec.schema)
        guard var url = HTTPURL(arguments["url"]?.stringValue ?? "") else {
            throw JobFailure.badArgument("url must be an http:// or https:// URL without credentials or spaces")
        }
        var method = arguments["method"]?.stringValue ?? "GET"
        var (headers, body) = try Self.content(arguments)
        let timeout = Duration.milliseconds(Int((arguments["timeout"]?.doubleValue ?? 30) * 1000))
        let maxBody = Int(arguments["max_body"]?.intValue ?? 65_536)
        let expected = try Self.expected(arguments["expect"])
        let started = ContinuousClock.now
        var hops = 0
        while true {
            let pinned = try await outbound.pin(url, timeout: timeout)
            let kept = Locked<(bytes: [UInt8], total: Int)>(([], 0))
            let response: HTTPClientResponse
            do {
                response = try await client.send(
                    HTTPClientRequest(
                        method: method, url: url.description, headers: headers, body: body, timeout: timeout,
                        maxResponseBytes: 64 << 20, resolve: pinned),
                    streamingTo: { chunk in
                        kept.withLock { kept in
                            kept.bytes.append(contentsOf: chunk.prefix(max(0, maxBody - kept.bytes.count)))
                            kept.total += chunk.count
                        }
                    })
            } catch let error as HTTPClientError {
                throw JobRetry(reason: "\(url.host): \(error)")
            }
            if arguments["follow_redirects"]?.boolValue != false, [301, 302, 303, 307, 308].contains(response.status),
                let location = response.header("Location")
            {
                hops += 1
                guard hops <= 5 else { throw JobFailure(type: "HTTPError", message: "more than 5 redirects", retryable: false) }
                guard let next = url.resolving(location) else {
                    throw JobFailure(type: "HTTPError", message: "redirect to an unusable location", retryable: false)
                }
                if response.status == 303 || ([301, 302].contains(response.status) && method == "POST") {
                    method = "GET"
                    body = nil
                    headers.removeAll { $0.0.lowercased() == "content-type" }
                }
                if next.host != url.host { headers.removeAll { $0.0.lowercased() == "authorization" || $0.0.lowercased() == "cookie" } }
                url = next
                continue
            }
            let ok = expected.map { $0.contains(response.status) } ?? (200..<300).contains(response.status)
            if !ok && response.status >= 500 { throw JobRetry(reason: "\(url.host) answered \(response.status)") }
            let (bytes, total) = kept.current
            if !ok {
                throw JobFailure(
                    type: "HTTPError", message: "\(url.host) answered \(response.status): \(String(decoding: bytes.prefix(300), as: UTF8.self))",
                    retryable: false)
            }
            return .object([
                "status": .int(Int64(response.status)), "headers": Self.headers(response.headers),
                "body": Self.body(bytes, complete: bytes.count == total, contentType: response.header("Content-Type")),
                "truncated": .bool(bytes.count < total), "url": .string(url.description),
                "duration_s": .double(Double((ContinuousClock.now - started).wholeMilliseconds) / 1000),
            ])
        }
    }

    /// The request headers and body: a string body as is, any other value as JSON (with
    /// its `Content-Type` unless one is given).
    static func content(_ arguments: [String: JSONValue]) throws -> ([(String, String)], [UInt8]?) {
        var headers: [(String, String)] = []
        for (name, value) in (arguments["headers"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let text = value.stringValue else { throw JobFailure.badArgument("headers: \(name.prefix(64)) must be a string") }
            headers.append((name, text))
        }
        let hasType = headers.contains { $0.0.lowercased() == "content-type" }
        switch arguments["body"] {
        case nil, .null?:
            return (headers, nil)
        case .string(let text)?:
            if !hasType { headers.append(("Content-Type", "text/plain; charset=utf-8")) }
            return (headers, Array(text.utf8))
        case let value?:
            if !hasType { headers.append(("Content-Type", "application/json")) }
            return (headers, Array(value.jsonText.utf8))
        }
    }

    static func expected(_ json: JSONValue?) throws -> Set<Int>? {
        guard case .array(let items)? = json else { return nil }
        let statuses = items.compactMap { $0.intValue.map(Int.init) }.filter { (100...599).contains($0) }
        guard statuses.count == items.count else { throw JobFailure.badArgument("expect must list HTTP statuses (100-599)") }
        return Set(statuses)
    }

    /// Header names lowercased; repeated ones joined with `, `.
    static func headers(_ fields: [(String, String)]) -> JSONValue {
        var merged: [String: String] = [:]
        for (name, value) in fields {
            let key = name.lowercased()
            merged[key] = merged[key].map { "\($0), \(value)" } ?? value
        }
        return .object(merged.mapValues(JSONValue.string))
    }

    static func body(_ bytes: [UInt8], complete: Bool, contentType: String?) -> JSONValue {
        if complete, contentType?.lowercased().contains("json") == true, let json = try? JSONValue.parse(bytes) { return json }
        return .string(String(decoding: bytes, as: UTF8.self))
    }
}
