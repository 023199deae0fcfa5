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
/// there (which, on HTTPTypes parts, would not see direct requests). `HTTP1Channel`'s own
/// `additionalChannelHandlers` cannot go there.
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
            try channel.pipeline.syncOperations.addHandler(
                ConnectionStateHandler(idleTimeout: configuration.idleTimeout))
            try channel.pipeline.syncOperations.addHandler(DirectRouteHandler(routes: routes, serverName: serverName, eventLoop: channel.eventLoop))
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
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
