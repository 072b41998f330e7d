import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import ServiceLifecycle

/// Makes the close frame sent on graceful shutdown carry 1001 (going away) instead of 1000.
///
/// HummingbirdWebSocket closes every connection with 1000 when the server shuts down gracefully,
/// from a task that inherits the shutdown state. This non-negotiated extension sees every outgoing
/// frame; it rewrites a server close with code 1000 sent while shutting down into 1001, so clients
/// can tell "the server is going away" from "you are done". No other frame is touched.
struct GoingAwayOnShutdown: WebSocketExtension {
    let name = "gateway-going-away"

    func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame { frame }

    func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        guard frame.opcode == .connectionClose, Task.isShuttingDownGracefully else { return frame }
        var data = frame.unmaskedData
        guard data.readWebSocketErrorCode() == .normalClosure else { return frame }
        var buffer = ByteBufferAllocator().buffer(capacity: 32)
        buffer.write(webSocketErrorCode: .goingAway)
        buffer.writeString("server shutting down")
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer)
    }

    func shutdown() async {}
}
