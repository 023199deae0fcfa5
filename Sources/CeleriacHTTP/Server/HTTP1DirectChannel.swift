// Celeriac — a Celery-compatible job service in Swift.

public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 channel (`HTTP1Channel`, same request loop) with a
/// ``DirectRouteHandler`` between NIO's HTTP/1 codec and the conversion to HTTPTypes, after
/// a ``ConnectionStateHandler`` that does what hummingbird's connection state handler does
/// there (which, on HTTPTypes parts, would not see direct requests) and a
/// ``RequestGuardHandler`` that answers what the decoder refuses. `HTTP1Channel`'s own
/// `additionalChannelHandlers` cannot go there. In front of the decoder, a
/// ``HeadTimeoutHandler``, or for a connection over the limit a ``ConnectionRefusalHandler``.
public struct HTTP1DirectChannel: HTTPChannelHandler {
    public typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    public let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let connections: OpenConnections
    let routes: [DirectRoute]
    let serverName: String?

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = connections.admit()
        if admitted { channel.closeFuture.whenComplete { [connections] _ in connections.release() } }
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            if admitted {
                try pipeline.addHandler(HeadTimeoutHandler(timeout: limits.headerTimeout))
            } else {
                try pipeline.addHandler(
                    ConnectionRefusalHandler(limit: connections.limit, timeout: limits.headerTimeout, serverName: serverName))
            }
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
            decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
            decoderLimits.maxHeaderFieldCount = limits.maxHeaderCount
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // the request loop reads one request at a time
                withErrorHandling: false,  // RequestGuardHandler answers parse errors
                withOutboundHeaderValidation: false,  // HTTPFields validates
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits)
            try pipeline.addHandler(ConnectionStateHandler(idleTimeout: limits.idleTimeout))
            try pipeline.addHandler(RequestGuardHandler(maxURIBytes: limits.maxURIBytes, serverName: serverName))
            try pipeline.addHandler(DirectRouteHandler(routes: routes, serverName: serverName, eventLoop: channel.eventLoop))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    public func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with `routes` served on the channel pipeline (``DirectRoute``) and the rest
    /// by the router, within `limits`. `serverName` is the `Server` header of direct replies
    /// and refusals (the router's come from the application's configuration).
    public static func http1(limits: ConnectionLimits, direct routes: [DirectRoute], serverName: String?) -> HTTPServerBuilder {
        let connections = OpenConnections(limit: limits.maxConnections)
        return .init { responder in
            HTTP1DirectChannel(
                responder: responder, limits: limits, connections: connections, routes: routes, serverName: serverName)
        }
    }
}
