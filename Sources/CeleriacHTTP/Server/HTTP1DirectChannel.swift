// Celeriac — a Celery-compatible job service in Swift.

public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 channel (`HTTP1Channel`, same pipeline and request loop) with a
/// ``DirectRouteHandler`` after the connection state handler. `HTTP1Channel`'s own
/// `additionalChannelHandlers` go before that handler, where idle timeouts and graceful
/// shutdown would not see direct requests.
public struct HTTP1DirectChannel: HTTPChannelHandler {
    public typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    public let responder: HTTPChannelHandler.Responder
    let configuration: HTTP1Channel.Configuration
    let routes: [DirectRoute]
    let serverName: String?

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = configuration.httpDecoder.maxHeaderFieldSize
            limits.maxHeaderListSize = configuration.httpDecoder.maxHeaderListSize
            limits.maxHeaderFieldCount = configuration.httpDecoder.maxHeaderFieldCount
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // the request loop reads one request at a time
                withErrorHandling: false,  // the request loop answers parse errors
                withOutboundHeaderValidation: false,  // HTTPFields validates
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits)
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try channel.pipeline.syncOperations.addHandler(
                HTTPConnectionStateHandler(idleTimeout: configuration.idleTimeout.map { .init($0) }, logger: logger))
            try channel.pipeline.syncOperations.addHandler(DirectRouteHandler(routes: routes, serverName: serverName, eventLoop: channel.eventLoop))
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
    /// by the router. `serverName` is the `Server` header of direct replies (the router's
    /// come from the application's configuration).
    public static func http1(
        configuration: HTTP1Channel.Configuration, direct routes: [DirectRoute], serverName: String?
    ) -> HTTPServerBuilder {
        .init { responder in
            HTTP1DirectChannel(responder: responder, configuration: configuration, routes: routes, serverName: serverName)
        }
    }
}
