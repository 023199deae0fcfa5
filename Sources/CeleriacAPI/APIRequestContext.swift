// Celeriac — a Celery-compatible job service in Swift.

public import CeleriacCore
public import Hummingbird

/// The per-request context of the API's router: hummingbird's core storage plus who is
/// calling (set by ``RouteTable`` before the handler runs).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, once authorized; nil only before the route's check has run.
    public var identity: Identity?
    /// The peer's IP address (failed authentications are counted per address).
    public let remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}
