#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a client's text frame asks the hub to do. Parsing is a pure function of the text.
enum InboundMessage: Equatable {
    /// Fan out to everyone.
    case broadcast(BroadcastMessage)
    /// Answer `pong` to the sender only.
    case ping
    /// Deliver to one client only.
    case direct(to: String, BroadcastMessage)
    /// Tell the sender what was wrong; nothing is sent to others.
    case invalid(String)

    /// The JSON shape a client may send.
    private struct Frame: Decodable {
        var message: String?
        var sender: String?
        var messageType: String?
        var to: String?

        enum CodingKeys: String, CodingKey {
            case message, sender, to
            case messageType = "message_type"
        }
    }

    /// Interprets one text frame from `clientID`.
    ///
    /// A frame that is not a JSON object is a `chat` with that text, as the seed did.
    static func parse(_ text: String, from clientID: String, now: Date = Date()) -> InboundMessage {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard trimmed.first == "{" else {
            return .broadcast(BroadcastMessage(message: text, sender: clientID, messageType: BroadcastMessage.Kind.chat, timestamp: now))
        }
        let frame: Frame
        do {
            frame = try JSONDecoder().decode(Frame.self, from: Data(text.utf8))
        } catch {
            return .invalid("invalid message: expected a JSON object with string fields message, sender, message_type, to")
        }
        let type = frame.messageType ?? BroadcastMessage.Kind.chat
        if type == "ping" { return .ping }
        guard let text = frame.message else { return .invalid("field 'message' is required") }
        let sender = frame.sender ?? clientID
        if type == BroadcastMessage.Kind.privateMessage {
            guard let to = frame.to, !to.isEmpty else { return .invalid("field 'to' is required for a private message") }
            return .direct(to: to, BroadcastMessage(message: text, sender: sender, messageType: type, timestamp: now))
        }
        if BroadcastMessage.Kind.reservedForServer.contains(type) {
            return .invalid("message_type '\(type)' is reserved for the server")
        }
        return .broadcast(BroadcastMessage(message: text, sender: sender, messageType: type, timestamp: now))
    }
}
