public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The request context of every route: WebSocket-capable, and carrying the connection's channel so
/// that the hub can drop a client that stopped reading.
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The TCP connection this request arrived on.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.channel = source.channel
    }

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
