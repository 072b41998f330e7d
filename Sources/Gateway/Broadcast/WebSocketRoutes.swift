public import Hummingbird
import HTTPTypes

/// `GET /ws` and `GET /ws/{client_id}` without a WebSocket handshake: 426 with a JSON error.
///
/// Handshakes never reach the router: the server's first request on a connection goes to SwiftNIO's
/// upgrader, and ``HubUpgrade`` serves `/ws` from there (see ``GatewayServerChannel``).
public struct WebSocketRoutes: Sendable {
    public init() {}

    /// Adds both routes to `router`.
    public func register(on router: Router<AppRequestContext>) {
        for path in ["/ws", "/ws/{client_id}"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                throw APIError(.upgradeRequired, code: "upgrade_required", message: "this is a WebSocket endpoint: connect with ws://", headers: [.upgrade: "websocket"])
            }
        }
    }
}
