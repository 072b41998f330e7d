import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle

/// Runs one WebSocket connection: a reader that applies the rate limit and routes messages, and a
/// writer that drains the client's ``ClientOutbox`` into the socket.
///
/// The two run in one task group so that neither outlives the connection. Closing is always
/// requested through the outbox, so a close frame is never written ahead of frames queued before it.
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
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await writeLoop(outbound) }
            group.addTask { await watchdog() }
            do {
                reason = try await readLoop(inbound) ?? (Task.isShuttingDownGracefully ? .serverShutdown : .clientClosed)
            } catch {
                reason = Self.reason(for: error)
                group.cancelAll()
                throw error
            }
            client.outbox.finish()
            group.cancelAll()
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

    /// Writes batches until the outbox finishes; on a close request, closes and bounds the handshake.
    private func writeLoop(_ outbound: WebSocketOutboundWriter) async {
        while true {
            switch await client.outbox.next() {
            case .finished:
                return
            case .frames(let frames):
                guard (try? await write(frames, to: outbound)) != nil else { return }
            case .close(let frames, let code, let reason):
                try? await write(frames, to: outbound)
                try? await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                return
            }
        }
    }

    /// Writes frames back to back; the same buffer every other client got, as a text frame.
    ///
    /// The batch goes to the channel in one event-loop turn with a single flush (one `writev` for
    /// many frames), rather than one flush per frame through WebSocketOutboundWriter. Awaiting the
    /// flush is the backpressure: a client that stops reading stops its writer here, its outbox
    /// fills, and the watchdog evicts it. Control frames (close, ping, pong) still go through
    /// HummingbirdWebSocket; a close is requested only after the frames before it were written.
    private func write(_ frames: [ByteBuffer], to outbound: WebSocketOutboundWriter) async throws {
        guard let last = frames.last else { return }
        let channel = self.channel
        try await channel.eventLoop.flatSubmit {
            for frame in frames.dropLast() {
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: nil)
            }
            return channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: last))
        }.get()
    }

    /// Once a close is requested (or the client evicted), gives the client `closeTimeout` to finish
    /// the handshake, then drops the TCP connection. A client that does not read at all would
    /// otherwise hold its connection forever. A cancelled wait means the connection ended on its own.
    private func watchdog() async {
        await client.outbox.closeRequested()
        do {
            try await Task.sleep(for: configuration.closeTimeout)
            logger.debug("Close handshake timed out", metadata: ["ws.client.id": "\(client.id)"])
            channel.close(promise: nil)
        } catch {}
    }

    /// Classifies a connection error. WSCore's error type is package-scoped, so its description is the signal.
    private static func reason(for error: any Error) -> DisconnectReason {
        let text = String(describing: error)
        return text.contains("messageTooLarge") || text.contains("invalidFrameLength") ? .messageTooLarge : .error
    }
}
