import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Admits WebSocket handshakes to the hub: which paths upgrade (`/ws`, `/ws/{client_id}`), and what
/// serves the connection after the `101`.
///
/// A handshake on those paths is always accepted; refusals (an unusable client id, a full hub) are
/// close codes right after it: a refused handshake could only be a bare HTTP 400, which a browser's
/// `WebSocket` cannot read, while it does get a close code and reason.
struct HubUpgrade: Sendable {
    let hub: BroadcastHub
    let configuration: GatewayConfiguration.Broadcast
    let logger: Logger

    /// What a hub handshake's path asks for.
    enum Target: Equatable {
        /// `/ws`: the hub assigns the id.
        case assignedID
        /// `/ws/{client_id}`: this id (or, when taken, a `-N` variant of it).
        case requestedID(String)
    }

    /// Whether this handshake is for the hub.
    func accepts(_ head: HTTPRequestHead) -> Bool {
        Self.target(uri: head.uri) != nil
    }

    /// After the `101`, on the channel's event loop: registers the client and puts its handler in the
    /// pipeline, or sends the refusal's close.
    func start(on channel: any Channel, head: HTTPRequestHead) throws {
        let operations = channel.pipeline.syncOperations
        guard let target = Self.target(uri: head.uri) else { return }
        var requested: String?
        if case .requestedID(let id) = target {
            guard Self.isValidClientID(id) else {
                return try operations.addHandler(
                    RefusedSocketHandler(code: HubCloseCode.policyViolation, reason: "client_id must be 1 to 64 characters of A-Z a-z 0-9 . _ -", closeTimeout: configuration.closeTimeout)
                )
            }
            requested = id
        }
        // Everything that can fail comes before the client is registered, so that a failure cannot
        // leave a client in the hub with no connection behind it.
        let wire = try operations.context(handlerType: WebSocketFrameEncoder.self)
        guard channel.isActive else { return }
        guard let client = hub.connect(requestedID: requested) else {
            let reason = hub.isShuttingDown ? "server shutting down" : "hub is full"
            return try operations.addHandler(RefusedSocketHandler(code: HubCloseCode.tryAgainLater, reason: reason, closeTimeout: configuration.closeTimeout))
        }
        do {
            try operations.addHandler(HubSocketHandler(hub: hub, client: client, wire: wire, configuration: configuration, logger: logger))
        } catch {
            hub.disconnect(client, reason: .error)
            throw error
        }
    }

    /// What a path asks of the hub; `nil` for any other path. The query is ignored; a trailing `/` is
    /// allowed, as by the router.
    static func target(uri: String) -> Target? {
        var path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if path == "/ws" { return .assignedID }
        guard path.hasPrefix("/ws/") else { return nil }
        let id = path.dropFirst(4)
        guard !id.contains("/") else { return nil }
        return .requestedID(String(id))
    }

    /// 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    static func isValidClientID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }
}

/// A WebSocket connection the hub refused after its handshake: sends the close with the refusal's
/// code and reason, ignores everything but the client's close, and drops the connection when that
/// arrives or after `closeTimeout`.
final class RefusedSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let code: UInt16
    private let reason: String
    private let closeTimeout: Duration

    init(code: UInt16, reason: String, closeTimeout: Duration) {
        self.code = code
        self.reason = reason
        self.closeTimeout = closeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(.close(code: code, reason: reason)), promise: nil)
        context.channel.close(after: closeTimeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if unwrapInboundIn(data).opcode == .connectionClose { context.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client closed its side of the TCP connection: the handshake cannot finish.
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }
}
