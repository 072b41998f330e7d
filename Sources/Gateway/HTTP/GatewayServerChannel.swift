import Hummingbird
public import HummingbirdCore
import HTTPTypes
public import Logging
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// The server's connections: HTTP/1.1 for the REST API and the UI, and the hub's WebSocket upgrade
/// served at the pipeline level.
///
/// Each connection starts as HTTP. A handshake on `/ws` or `/ws/{client_id}` is upgraded by SwiftNIO's
/// upgrader, and ``HubUpgrade`` puts the hub's handler in the pipeline; the connection's task then
/// ends, and the connection lives on in its pipeline alone (HummingbirdWebSocket keeps a task, an
/// async stream and an actor per connection: about 20 KiB of task memory each, measured). Every other
/// request is served by Hummingbird, as by its `HTTP1Channel`.
public struct GatewayServerChannel: ServerChildChannel, HTTPChannelHandler {
    /// What the first request of a connection turned it into.
    public enum Negotiated: Sendable {
        /// Upgraded: the hub's handler serves it from now on.
        case webSocket
        /// A plain HTTP connection.
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// A WebSocket handshake that was not accepted (any other path, a bad handshake): HTTP 400.
        case refusedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    /// A connection being set up.
    public struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        public let channel: any Channel
    }

    public let responder: HTTPChannelHandler.Responder
    let upgrade: HubUpgrade
    let http1 = HTTP1Channel.Configuration()

    init(responder: @escaping HTTPChannelHandler.Responder, upgrade: HubUpgrade) {
        self.responder = Self.reconnectingUpgrades(responder)
        self.upgrade = upgrade
    }

    /// A server builder for `Application(server:)`.
    static func builder(upgrade: HubUpgrade) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in GatewayServerChannel(responder: responder, upgrade: upgrade) }
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let upgradeAttempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let upgrade = self.upgrade
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: upgrade.configuration.maxFrameBytes,
                shouldUpgrade: { channel, head in
                    upgradeAttempted.value = true
                    return channel.eventLoop.makeSucceededFuture(upgrade.accepts(head) ? HTTPHeaders() : nil)
                },
                upgradePipelineHandler: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        try upgrade.start(on: channel, head: head)
                        return .webSocket
                    }
                }
            )
            let http1 = self.http1
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(
                upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let operations = channel.pipeline.syncOperations
                            try operations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                            try operations.addHandlers(http1.additionalChannelHandlers())
                            try operations.addHandler(HTTPConnectionStateHandler(idleTimeout: http1.idleTimeout.map { .init($0) }, logger: logger))
                            let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)
                            )
                            return upgradeAttempted.value ? .refusedUpgrade(asyncChannel) : .http(asyncChannel)
                        }
                    }
                )
            )
            configuration.enablePipelining = false  // HTTP is pipelined by NIOAsyncChannel
            configuration.enableErrorHandling = false  // Hummingbird handles errors
            configuration.enableResponseHeaderValidation = false  // HTTPTypes already validates
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            try channel.pipeline.syncOperations.addHandler(UnnegotiatedConnectionCloser(), name: UnnegotiatedConnectionCloser.name)
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            negotiated.whenComplete { _ in
                channel.pipeline.removeHandler(name: UnnegotiatedConnectionCloser.name, promise: nil)
            }
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .webSocket:
                return  // the pipeline serves it; no task stays behind
            case .http(let asyncChannel):
                await handleHTTP(asyncChannel: asyncChannel, logger: logger)
            case .refusedUpgrade(let asyncChannel):
                try await asyncChannel.executeThenClose { _, outbound in
                    let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
                    try await outbound.write(contentsOf: [.head(head), .end(nil)])
                }
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("Connection closed before its first request")
        } catch {
            // A connection closed before its first request (at shutdown, say) is not a failure.
            if value.channel.isActive {
                logger.debug("Connection setup failed", metadata: ["error": "\(error)"])
            } else {
                logger.trace("Connection closed before its first request was negotiated", metadata: ["error": "\(error)"])
            }
            value.channel.close(promise: nil)
        }
    }

    /// SwiftNIO's upgrader sees only a connection's first request. A WebSocket handshake sent later on
    /// a kept-alive connection gets a redirect to the same path with `Connection: close`, so that the
    /// client opens a new connection (as HummingbirdWebSocket does).
    private static func reconnectingUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, responseWriter, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, responseWriter, channel)
            }
            let location = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
            try await responseWriter.writeResponse(HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location]))
            throw ReconnectForUpgrade()
        }
    }
}

/// Ends a kept-alive connection after its redirect for a late WebSocket handshake.
private struct ReconnectForUpgrade: Error {}

/// Closes a connection whose first request has not been negotiated yet (nothing sent, or a request head
/// still arriving) when the server starts to shut down: SwiftNIO's upgrade handler ignores the quiesce
/// event, so such a connection would otherwise hold the graceful shutdown until its client leaves.
/// Removed once the first request is negotiated; from then on the HTTP connection's state handler or the
/// hub's handler answers the quiesce.
final class UnnegotiatedConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    static let name = "gateway.unnegotiated-closer"

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { return context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }
}
