// Celeriac — a Celery-compatible job service in Swift.

public import Hummingbird
public import HummingbirdCore

/// A Hummingbird server on a free loopback port for the length of `body`, which gets its
/// base URL (`http://127.0.0.1:<port>`): the peer tests talk to instead of a mock.
public enum LoopbackServer {
    public static func run(
        _ router: Router<BasicRequestContext>, server: HTTPServerBuilder = .http1(), _ body: @Sendable (String) async throws -> Void
    ) async throws {
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in sink.yield(channel.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
