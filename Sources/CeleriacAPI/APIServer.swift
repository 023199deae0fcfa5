// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTPServer
public import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle

/// Builds the API application: routes, problem+json errors, limits, background services.
public enum APIServer {
    /// The `Server` header.
    static let serverName = "celeriac"

    /// - Parameters:
    ///   - settings: address, stores, limits.
    ///   - onListening: called with the bound port once the server accepts connections
    ///     (useful with port 0 in tests).
    public static func makeApplication(
        settings: Settings, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let api = APIContext(settings: settings, logger: logger)
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(ProblemMiddleware())
        let tasks = TaskRoutes(api: api)
        tasks.register(on: router)
        ReportRoutes(api: api).register(on: router)
        HealthRoutes(api: api).register(on: router)
        // Last, so it sees only the requests no route took.
        router.middlewares.add(MethodNotAllowedMiddleware(routes: router.routes))
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    idleTimeout: .seconds(60),
                    httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 16 * 1024)),
                direct: [tasks.directEnqueue], serverName: serverName),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: serverName),
            services: [api.history],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }
}
