public import NIOCore

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A message as the seed's clients know it: `{message, sender, timestamp, message_type}`, plus
/// `client_id` on the welcome message.
///
/// The hub encodes a message once (``encoded()``) and hands the same bytes to every connection, so
/// encoding is hand-written over a `ByteBuffer` rather than going through `JSONEncoder` per send.
public struct BroadcastMessage: Sendable, Equatable {
    /// The well-known `message_type` values. Clients may send other types; these are reserved for the server.
    public enum Kind {
        public static let welcome = "welcome"
        public static let chat = "chat"
        public static let broadcast = "broadcast"
        public static let apiBroadcast = "api_broadcast"
        public static let pong = "pong"
        public static let privateMessage = "private"
        public static let error = "error"
        public static let system = "system"
        /// Types a client may not claim for its own messages.
        public static let reservedForServer: Set<String> = [welcome, apiBroadcast, pong, error, system]
    }

    public var message: String
    public var sender: String
    public var timestamp: Date
    public var messageType: String
    /// Set on the welcome message only: the id the server assigned to the receiving client.
    public var clientID: String?

    /// Creates a message.
    public init(message: String, sender: String, messageType: String, timestamp: Date = Date(), clientID: String? = nil) {
        self.message = message
        self.sender = sender
        self.timestamp = timestamp
        self.messageType = messageType
        self.clientID = clientID
    }

    /// The JSON text-frame payload, built once per message.
    public func encoded() -> ByteBuffer {
        var writer = JSONObjectWriter(capacity: 96 + message.utf8.count + sender.utf8.count)
        writer.field("message", message)
        writer.field("sender", sender)
        writer.field("timestamp", ISO8601.string(from: timestamp))
        writer.field("message_type", messageType)
        if let clientID { writer.field("client_id", clientID) }
        return writer.finish()
    }
}
