// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
import CeleriacHTTPServer
import CeleriacPostgres
import CeleriacRedis
public import CeleriacSystem
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
    ///   - clock: where time comes from (tests pass a ``ManualClock``).
    ///   - onListening: called with the bound port once the server accepts connections
    ///     (useful with port 0 in tests).
    public static func makeApplication(
        settings: Settings, logger: Logger, clock: any WallClock = SystemClock(),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let api = APIContext(settings: settings, clock: clock, logger: logger)
        let routes = makeRoutes(api: api)
        return Application(
            router: routes.router,
            server: .http1(limits: ConnectionLimits(settings.limits), direct: [routes.tasks.directEnqueue], serverName: serverName),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: serverName),
            services: [
                MigrationService(migrations: api.migrations), api.history, MoverService(mover: api.mover),
                WaiterService(waiters: api.waiters),
                TokenRefresher(
                    tokens: api.tokens, repository: TokenRepository(client: api.postgres), migrations: api.migrations,
                    clock: clock, logger: logger),
            ] + HistoryRetention.services(for: api),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }

    /// The router with every route, each added through ``RouteTable`` with its access, and
    /// the task routes (whose direct `POST /tasks` is served beside the router).
    static func makeRoutes(api: APIContext) -> (router: Router<APIRequestContext>, table: RouteTable, tasks: TaskRoutes) {
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(ProblemMiddleware())
        let table = RouteTable(router: router, authorizer: api.authorizer)
        let tasks = TaskRoutes(api: api)
        tasks.register(on: table)
        TaskBatchRoutes(api: api).register(on: table)
        RevokeRoutes(api: api).register(on: table)
        PeriodicTaskRoutes(api: api).register(on: table)
        ScheduleRoutes(api: api).register(on: table)
        ReportRoutes(api: api).register(on: table)
        HealthRoutes(api: api).register(on: table)
        TaskListRoutes(api: api).register(on: table)
        QueueRoutes(api: api).register(on: table)
        RegisteredTaskRoutes(api: api).register(on: table)
        TokenRoutes(api: api).register(on: table)
        // Last, so it sees only the requests no route took.
        router.middlewares.add(MethodNotAllowedMiddleware(routes: router.routes))
        return (router, table, tasks)
    }
}

/// Queues parked tasks when due (``ScheduledMover``), until shutdown.
struct MoverService: Service {
    let mover: ScheduledMover

    func run() async throws {
        await cancelWhenGracefulShutdown { await mover.run() }
    }
}

/// Keeps the long-polls' subscription connected until shutdown.
struct WaiterService: Service {
    let waiters: ResultWaiters

    func run() async throws {
        waiters.start()
        try? await gracefulShutdown()
        waiters.stop()
    }
}

/// Runs the schema migrations at start (retrying while PostgreSQL is away), then stays until
/// shutdown: a service that returned would stop the application.
struct MigrationService: Service {
    let migrations: SchemaMigrations

    func run() async throws {
        await cancelWhenGracefulShutdown { await migrations.run() }
        try? await gracefulShutdown()
    }
}
