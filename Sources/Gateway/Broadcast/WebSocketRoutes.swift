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

    /// Refuses the upgrade: 426 for a plain GET, 422 for an unusable client id, 503 when the hub is full.
    ///
    /// A refused upgrade is answered by the same router, so the refusal is a JSON error like any other.
    @Sendable private func shouldUpgrade(_ request: Request, _ context: AppRequestContext) async throws -> RouterShouldUpgrade {
        guard request.headers[.upgrade]?.lowercased() == "websocket" else {
            throw APIError(.upgradeRequired, code: "upgrade_required", message: "this is a WebSocket endpoint: connect with ws://", headers: [.upgrade: "websocket"])
        }
        if let id = context.parameters.get("client_id"), !Self.isValidClientID(id) {
            throw APIError.invalidField("client_id", "must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
        }
        guard hub.admit() else {
            throw APIError(.serviceUnavailable, code: "too_many_connections", message: "the hub is at broadcast.maxConnections")
        }
        return .upgrade([:])
    }

    private func serve(
        requestedID: String?,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        context: WebSocketRouterContext<AppRequestContext>
    ) async throws {
        guard let client = hub.connect(requestedID: requestedID) else {
            try await outbound.close(.init(codeNumber: 1013), reason: "hub is full")
            return
        }
        let session = ClientSession(hub: hub, client: client, configuration: configuration, channel: context.requestContext.channel, logger: logger)
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
