import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle

/// Runs one WebSocket connection: a reader (this task) that applies the rate limit and routes
/// messages, and a ``ClientWriter`` that drains the client's ``ClientOutbox`` on the event loop.
///
/// Closing is always requested through the outbox, so a close frame is never written ahead of
/// frames queued before it.
struct ClientSession {
    let hub: BroadcastHub
    let client: HubClient
    let configuration: GatewayConfiguration.Broadcast
    let channel: any Channel
    let logger: Logger

    /// Serves the connection until it ends, then removes the client from the hub.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var reason = DisconnectReason.clientClosed
        defer { hub.disconnect(client, reason: reason) }
        ClientWriter(
            outbox: client.outbox, channel: channel, outbound: outbound, drainQueue: hub.drainQueues.queue(for: channel.eventLoop),
            closeTimeout: configuration.closeTimeout,
            logger: logger, clientID: client.id
        ).start()
        do {
            reason = try await readLoop(inbound) ?? (Task.isShuttingDownGracefully ? .serverShutdown : .clientClosed)
        } catch {
            reason = Self.reason(for: error)
            throw error
        }
    }

    /// Reads messages until the client closes; returns the reason when the server asked for the close.
    private func readLoop(_ inbound: WebSocketInboundStream) async throws -> DisconnectReason? {
        var bucket = TokenBucket(rate: configuration.messagesPerSecond, capacity: configuration.burst)
        var closeReason: DisconnectReason?
        for try await message in inbound.messages(maxSize: configuration.maxMessageBytes) {
            guard closeReason == nil else { continue }
            hub.received(from: client)
            guard bucket.take(now: .now) else {
                reply(error: "rate limit exceeded: at most \(Int(configuration.messagesPerSecond)) messages per second")
                client.outbox.requestClose(code: HubCloseCode.policyViolation, reason: "rate limit exceeded")
                closeReason = .rateLimited
                continue
            }
            guard case .text(let text) = message else {
                reply(error: "binary frames are not supported: send JSON text")
                continue
            }
            route(InboundMessage.parse(text, from: client.id))
        }
        return closeReason
    }

    /// Acts on one parsed message.
    private func route(_ message: InboundMessage) {
        switch message {
        case .broadcast(let message):
            hub.broadcast(message, source: .websocket)
        case .ping:
            hub.reply(BroadcastMessage(message: "pong", sender: "System", messageType: BroadcastMessage.Kind.pong), to: client)
        case .direct(let to, let message):
            if hub.send(message, toClientIDs: [to], source: .websocket) == 0 {
                reply(error: "no connected client with id '\(to)'")
            }
        case .invalid(let problem):
            reply(error: problem)
        }
    }

    private func reply(error: String) {
        hub.reply(BroadcastMessage(message: error, sender: "System", messageType: BroadcastMessage.Kind.error), to: client)
    }

    /// Classifies a connection error. WSCore's error type is package-scoped, so its description is the signal.
    private static func reason(for error: any Error) -> DisconnectReason {
        let text = String(describing: error)
        return text.contains("messageTooLarge") || text.contains("invalidFrameLength") ? .messageTooLarge : .error
    }
}
