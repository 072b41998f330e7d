import NIOCore
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One connected WebSocket client as the hub sees it: identity, outbox and counters.
public final class HubClient: Sendable {
    /// The server-assigned id (the path's id when given and free).
    public let id: String
    /// The connection's number since start-up (`client #N` in the welcome).
    public let number: Int
    public let connectedAt: Date
    public let outbox: ClientOutbox
    private let messagesIn = Atomic<Int>(0)
    private let messagesOut = Atomic<Int>(0)

    init(id: String, number: Int, connectedAt: Date, outbox: ClientOutbox) {
        self.id = id
        self.number = number
        self.connectedAt = connectedAt
        self.outbox = outbox
    }

    /// Counts a message received from this client.
    func countIn() { messagesIn.add(1, ordering: .relaxed) }

    /// Queues a wire frame (``WireFrame``) for this client and counts it when it was queued.
    func send(_ frame: ByteBuffer) -> ClientOutbox.EnqueueResult {
        let result = outbox.enqueue(frame)
        if result == .queued { messagesOut.add(1, ordering: .relaxed) }
        return result
    }

    /// A snapshot for `/info`.
    public var info: ClientInfo {
        ClientInfo(
            clientID: id,
            connectedAt: connectedAt,
            messagesIn: messagesIn.load(ordering: .relaxed),
            messagesOut: messagesOut.load(ordering: .relaxed),
            queuedFrames: outbox.queuedFrames
        )
    }
}

/// A client as `/info` lists it.
public struct ClientInfo: Sendable, Codable, Equatable {
    public var clientID: String
    public var connectedAt: Date
    public var messagesIn: Int
    public var messagesOut: Int
    public var queuedFrames: Int

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case connectedAt = "connected_at"
        case messagesIn = "messages_in"
        case messagesOut = "messages_out"
        case queuedFrames = "queued_frames"
    }
}
