public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The request context of every route: WebSocket-capable, and carrying the connection's channel so
/// that the hub can write to a client and drop one that stopped reading.
///
/// The channel is held weakly. HummingbirdWebSocket 2.8.1 keeps a WebSocket route's context in a box
/// that the context itself references (`WebSocketHandlerReference`), a cycle that is never broken; a
/// strong channel here made every WebSocket connection leak its whole NIO channel (about 5 KiB each,
/// see docs/PERFORMANCE.md). Weakly held, only the small context leaks (about 1 KiB, upstream).
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    private let connection: WeakChannel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.connection = WeakChannel(source.channel)
    }

    /// The TCP connection this request arrived on, while it is open.
    public var channel: (any Channel)? { connection.channel }

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

/// A channel held weakly (see ``AppRequestContext``).
final class WeakChannel: Sendable {
    weak let channel: (any Channel)?

    init(_ channel: any Channel) {
        self.channel = channel
    }
}
