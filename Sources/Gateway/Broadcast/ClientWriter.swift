import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// Drains one client's ``ClientOutbox`` into its channel, on the channel's event loop, with no task
/// of its own: an idle connection costs no task stack for its writer.
///
/// Woken by the outbox when work arrives, it takes everything queued, writes it with one flush, and
/// takes again only when that flush has completed: one batch in flight per client. That completion
/// is the backpressure: a client that stops reading stops its writer there, its outbox fills, and the
/// hub evicts it. Once a close is requested (or the client evicted) a timer on the event loop drops
/// the TCP connection if the close handshake has not finished within `closeTimeout`.
final class ClientWriter: Sendable {
    private let outbox: ClientOutbox
    private let channel: any Channel
    private let outbound: WebSocketOutboundWriter
    private let closeTimeout: Duration
    private let logger: Logger
    private let clientID: String
    private let drainQueue: DrainQueue

    init(
        outbox: ClientOutbox, channel: any Channel, outbound: WebSocketOutboundWriter, drainQueue: DrainQueue, closeTimeout: Duration,
        logger: Logger, clientID: String
    ) {
        self.outbox = outbox
        self.drainQueue = drainQueue
        self.channel = channel
        self.outbound = outbound
        self.closeTimeout = closeTimeout
        self.logger = logger
        self.clientID = clientID
    }

    /// Connects the writer to the outbox; from now on it writes whatever the hub queues.
    func start() {
        outbox.attach(
            wake: { [self] in drainQueue.add(self) },
            closeRequested: { [self] in boundCloseHandshake() }
        )
    }

    /// Takes and writes batches until the outbox is empty or a flush is pending. On the event loop.
    func drain() {
        guard let batch = outbox.take() else { return }
        switch batch {
        case .finished:
            return
        case .frames(let frames):
            write(frames).whenComplete { [self] result in
                // A failed write means the connection is going away; its reader finishes the outbox.
                if case .success = result { drain() }
            }
        case .close(let frames, let code, let reason):
            let outbound = self.outbound
            write(frames).whenComplete { _ in
                // The close frame goes through HummingbirdWebSocket, after the frames before it.
                Task { try? await outbound.close(.init(codeNumber: Int(code)), reason: reason) }
            }
        }
    }

    /// Writes frames back to back, the same buffer every other client got, as text frames, with one
    /// flush (one `writev` for many frames).
    private func write(_ frames: [ByteBuffer]) -> EventLoopFuture<Void> {
        guard let last = frames.last else { return channel.eventLoop.makeSucceededVoidFuture() }
        for frame in frames.dropLast() {
            channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: nil)
        }
        return channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: last))
    }

    /// Gives the client `closeTimeout` to finish the close handshake, then drops the TCP connection
    /// (a client that does not read at all would otherwise hold it forever).
    private func boundCloseHandshake() {
        let channel = self.channel
        let logger = self.logger
        let clientID = self.clientID
        channel.eventLoop.scheduleTask(in: TimeAmount(closeTimeout)) {
            guard channel.isActive else { return }
            logger.debug("Close handshake timed out", metadata: ["ws.client.id": "\(clientID)"])
            channel.close(promise: nil)
        }
    }
}
