public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The request context of every route: WebSocket-capable, and carrying the connection's channel so
/// that the hub can write to a client and drop one that stopped reading.
///
/// The WebSocket route takes the channel out (``takeChannel()``) as its first step. HummingbirdWebSocket
/// 2.8.1 keeps a WebSocket route's context in a box that the context itself references
/// (`WebSocketHandlerReference`), a cycle that is never broken; a channel left in the context made
/// every WebSocket connection leak its whole NIO channel (about 5 KiB each, see docs/PERFORMANCE.md).
/// Taken out, only the small context leaks (about 1 KiB, upstream). Not a `weak` reference: that gives
/// the channel a side table, and every retain and release of it on the write path (several per frame)
/// then takes the runtime's slow path (measured: 14 % of the hub's CPU in fan-out).
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    private let connection: ChannelSlot

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.connection = ChannelSlot(source.channel)
    }

    /// The TCP connection this request arrived on; the first call gets it, later calls get `nil`
    /// (so that the context, which may outlive the connection, no longer holds it).
    public func takeChannel() -> (any Channel)? { connection.take() }

    /// For a request that will be upgraded to a WebSocket: the context lets go of the channel when it
    /// closes, even if the route never runs (a client that leaves before the `101` is written; the
    /// context is then still in HummingbirdWebSocket's cycle).
    public func releaseChannelWhenClosed() { connection.clearWhenClosed() }

    /// JSON with ISO-8601 dates (milliseconds, UTC) and stable key order, like every gateway payload.
    public var responseEncoder: JSONEncoder { JSONEncoder.gateway }
}

extension JSONEncoder {
    /// The encoder for REST responses and files: ISO-8601 dates with milliseconds, sorted keys.
    public static var gateway: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        return encoder
    }
}

/// A channel that can be taken out once (see ``AppRequestContext``).
final class ChannelSlot: Sendable {
    private let channel: Mutex<(any Channel)?>

    init(_ channel: any Channel) {
        self.channel = Mutex(channel)
    }

    /// Empties the slot once the channel in it closes (the callback holds the slot, not the channel).
    func clearWhenClosed() {
        guard let channel = channel.withLock({ $0 }) else { return }
        channel.closeFuture.whenComplete { [self] _ in _ = take() }
    }

    func take() -> (any Channel)? {
        channel.withLock { channel in
            defer { channel = nil }
            return channel
        }
    }
}
