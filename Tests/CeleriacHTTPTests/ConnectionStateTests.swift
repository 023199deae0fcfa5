// Celeriac — a Celery-compatible job service in Swift.

@testable import CeleriacHTTPServer
import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// ``ConnectionStateHandler`` and ``DirectRouteHandler`` on a test channel whose clock the
/// tests move: idle connections close, connections with a request being answered do not,
/// and graceful shutdown waits for a direct reply.
struct ConnectionStateTests {
    static let idleTimeout = TimeAmount.seconds(60)

    /// An active channel with both handlers; `POST /tasks` answers 201 once `gate` yields.
    private func channel(gate: AsyncStream<Void> = AsyncStream { $0.finish() }) async throws -> NIOAsyncTestingChannel {
        let route = DirectRoute(.post, "/tasks", maxBodyBytes: 1024) { _, _ in
            for await _ in gate { break }
            return Reply.json("{}", status: .created)
        }
        let channel = try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.addHandler(ConnectionStateHandler(idleTimeout: Self.idleTimeout))
            try channel.pipeline.syncOperations.addHandler(
                DirectRouteHandler(routes: [route], serverName: nil, eventLoop: channel.eventLoop))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        return channel
    }

    private func request(_ method: HTTPMethod, _ uri: String, on channel: NIOAsyncTestingChannel, end: Bool = true)
        async throws
    {
        try await channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: uri)))
        if end { try await channel.writeInbound(HTTPServerRequestPart.end(nil)) }
    }

    /// Lets the channel's loop finish what was queued on it.
    private func settle(_ channel: NIOAsyncTestingChannel) async throws {
        try await (channel.eventLoop as! NIOAsyncTestingEventLoop).executeInContext {}
    }

    private func advance(_ channel: NIOAsyncTestingChannel, by amount: TimeAmount) async throws {
        await (channel.eventLoop as! NIOAsyncTestingEventLoop).advanceTime(by: amount)
        try await settle(channel)
    }

    @Test func anIdleConnectionClosesAfterTheTimeout() async throws {
        let channel = try await channel()
        try await advance(channel, by: .seconds(59))
        #expect(channel.isActive)
        try await advance(channel, by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aRequestBeingAnsweredKeepsItsConnectionThenTheClockStartsAgain() async throws {
        let channel = try await channel()
        try await request(.GET, "/health", on: channel)  // passed on: the router would answer it
        #expect(try await channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        try await advance(channel, by: .seconds(120))
        #expect(channel.isActive)
        try await channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try await channel.writeOutbound(HTTPServerResponsePart.end(nil))
        try await advance(channel, by: .seconds(59))
        #expect(channel.isActive)
        try await advance(channel, by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aRequestStuckHalfReadClosesAfterTheTimeout() async throws {
        let channel = try await channel()
        try await request(.POST, "/tasks", on: channel, end: false)
        try await advance(channel, by: .seconds(61))
        #expect(!channel.isActive)
    }

    @Test func shutdownClosesAnIdleConnectionAtOnce() async throws {
        let channel = try await channel()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try await settle(channel)
        #expect(!channel.isActive)
    }

    @Test func shutdownWaitsForADirectReplyThenCloses() async throws {
        let (gate, open) = AsyncStream<Void>.makeStream()
        let channel = try await channel(gate: gate)
        try await request(.POST, "/tasks", on: channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try await settle(channel)
        #expect(channel.isActive)
        // The direct request is not idle either.
        try await advance(channel, by: .seconds(120))
        #expect(channel.isActive)
        open.yield()
        guard case .head(let head) = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) else {
            Issue.record("expected a response head")
            return
        }
        #expect(head.status == .created)
        #expect(head.headers.first(name: "content-length") == "2")
        _ = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self)  // body
        #expect(try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) == .end(nil))
        try await settle(channel)
        #expect(!channel.isActive)
    }
}
