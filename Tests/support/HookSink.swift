// Celeriac — a Celery-compatible job service in Swift.

import Foundation
import Hummingbird
import NIOCore
public import Synchronization

/// A webhook receiver on a loopback port (Slack's stand-in): records every body posted to
/// `/hook` and answers each with the next scripted status (200 when the script is spent; a
/// 429 carries `Retry-After: 1`).
public final class HookSink: Sendable {
    public let posted = Mutex<[String]>([])
    private let statuses: Mutex<[Int]>

    init(statuses: [Int]) { self.statuses = Mutex(statuses) }

    /// Runs a sink while `body` runs; `body` gets its URL.
    public static func run(_ statuses: [Int] = [], _ body: @Sendable (String, HookSink) async throws -> Void) async throws {
        let sink = HookSink(statuses: statuses)
        let router = Router()
        router.post("/hook") { request, _ in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            sink.posted.withLock { $0.append(text) }
            let status = sink.statuses.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            var headers = HTTPFields()
            if status == 429 { headers[.retryAfter] = "1" }
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        try await LoopbackServer.run(router) { base in try await body(base + "/hook", sink) }
    }

    /// The bodies posted so far, once there are `count` of them (or `timeout` passed).
    public func waitForPosts(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while posted.withLock({ $0.count }) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return posted.withLock { $0 }
    }
}
