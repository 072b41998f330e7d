#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A hub message as a WebSocket client receives it: `{message, sender, timestamp, message_type}`,
/// plus `client_id` on the welcome. The decoding side of ``BroadcastMessage``, for `gateway client`.
///
/// Decoding is lenient on purpose: a client prints whatever the hub says, so a missing field becomes
/// a placeholder instead of a dropped message; only a frame that is not a JSON object fails.
public struct ReceivedMessage: Sendable, Equatable {
    public var message: String
    public var sender: String
    public var messageType: String
    /// When the hub stamped it; `nil` if the frame had no readable `timestamp`.
    public var timestamp: Date?
    /// The id the hub assigned to the receiving client (the welcome only).
    public var clientID: String?

    /// Creates a message.
    public init(message: String, sender: String, messageType: String, timestamp: Date? = nil, clientID: String? = nil) {
        self.message = message
        self.sender = sender
        self.messageType = messageType
        self.timestamp = timestamp
        self.clientID = clientID
    }

    /// Decodes one text frame; `nil` if it is not a JSON object. Fields that are missing or not
    /// strings read as `?` (sender, type) or the empty string (message).
    public init?(frame text: String) {
        guard let object = try? JSONDecoder().decode([String: LenientString].self, from: Data(text.utf8)) else { return nil }
        self.message = object["message"]?.value ?? ""
        self.sender = object["sender"]?.value ?? "?"
        self.messageType = object["message_type"]?.value ?? "?"
        self.timestamp = object["timestamp"]?.value.flatMap(ISO8601.date(from:))
        self.clientID = object["client_id"]?.value
    }

    /// A JSON value kept only when it is a string, so one odd field does not fail the whole frame.
    private struct LenientString: Decodable {
        var value: String?

        init(from decoder: any Decoder) throws {
            value = try? decoder.singleValueContainer().decode(String.self)
        }
    }
}
