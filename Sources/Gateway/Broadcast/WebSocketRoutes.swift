public import Hummingbird
import HTTPTypes
import HummingbirdWebSocket
import NIOWebSocket
public import Logging

/// `WS /ws` and `WS /ws/{client_id}`: admits the upgrade, registers the client, runs its session.
public struct WebSocketRoutes: Sendable {
    let hub: BroadcastHub
    let configuration: GatewayConfiguration.Broadcast
    let logger: Logger

    public init(hub: BroadcastHub, configuration: GatewayConfiguration.Broadcast, logger: Logger) {
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
    }

    /// Adds both routes to `router`.
    public func register(on router: Router<AppRequestContext>) {
        router.ws("/ws", shouldUpgrade: shouldUpgrade) { inbound, outbound, context in
            try await serve(requestedID: nil, inbound: inbound, outbound: outbound, context: context)
        }
        router.ws("/ws/{client_id}", shouldUpgrade: shouldUpgrade) { inbound, outbound, context in
            let requested = context.requestContext.parameters.get("client_id")
            try await serve(requestedID: requested, inbound: inbound, outbound: outbound, context: context)
        }
    }

    /// A plain GET gets 426 (JSON, from the router); a WebSocket handshake is always accepted.
    ///
    /// Refusals of a handshake (an unusable client id, a full hub) are sent as close codes after it:
    /// a refused handshake can only be a bare HTTP 400 from SwiftNIO's upgrader, and a browser's
    /// `WebSocket` cannot read an HTTP error anyway, while it does get a close code and reason.
    @Sendable private func shouldUpgrade(_ request: Request, _ context: AppRequestContext) async throws -> RouterShouldUpgrade {
        guard request.headers[.upgrade]?.lowercased() == "websocket" else {
            throw APIError(.upgradeRequired, code: "upgrade_required", message: "this is a WebSocket endpoint: connect with ws://", headers: [.upgrade: "websocket"])
        }
        context.releaseChannelWhenClosed()
        return .upgrade([:])
    }

    private func serve(
        requestedID: String?,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        context: WebSocketRouterContext<AppRequestContext>
    ) async throws {
        // First, so that the context (kept in a cycle by HummingbirdWebSocket) never holds the channel longer.
        let channel = context.requestContext.takeChannel()
        if let requestedID, !Self.isValidClientID(requestedID) {
            try await outbound.close(.policyViolation, reason: "client_id must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
            return
        }
        guard let channel else { return }
        guard let client = hub.connect(requestedID: requestedID) else {
            try await outbound.close(.init(codeNumber: 1013), reason: "hub is full")
            return
        }
        let session = ClientSession(hub: hub, client: client, configuration: configuration, channel: channel, logger: logger)
        try await session.run(inbound: inbound, outbound: outbound)
    }

    static func isValidClientID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }
}
