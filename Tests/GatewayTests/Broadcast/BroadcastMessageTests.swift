import Foundation
@testable import Gateway
import NIOCore
import Testing

/// The wire format: hand-written JSON that any JSON parser reads back exactly.
@Suite struct BroadcastMessageTests {
    @Test(arguments: ["plain", "quote \" backslash \\ slash /", "line\nbreak\ttab\r", "\u{01}\u{1f} control", "emoji 🎉 ünïcödé", ""])
    func encodedMessagesRoundTrip(text: String) throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.5)
        let message = BroadcastMessage(message: text, sender: "s\"x", messageType: "chat", timestamp: date, clientID: "c-1")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(message.encoded().readableBytesView)) as? [String: String])
        #expect(object == ["message": text, "sender": "s\"x", "message_type": "chat", "client_id": "c-1", "timestamp": "2023-11-14T22:13:20.500Z"])
    }

    @Test func parsingClientFrames() {
        let now = Date(timeIntervalSince1970: 0)
        #expect(InboundMessage.parse("hello", from: "c1", now: now) == .broadcast(.init(message: "hello", sender: "c1", messageType: "chat", timestamp: now)))
        #expect(InboundMessage.parse(#"{"message_type": "ping"}"#, from: "c1", now: now) == .ping)
        #expect(
            InboundMessage.parse(#"{"message": "m", "message_type": "broadcast", "sender": "bob"}"#, from: "c1", now: now)
                == .broadcast(.init(message: "m", sender: "bob", messageType: "broadcast", timestamp: now))
        )
        #expect(
            InboundMessage.parse(#"{"message": "m", "message_type": "private", "to": "c2"}"#, from: "c1", now: now)
                == .direct(to: "c2", .init(message: "m", sender: "c1", messageType: "private", timestamp: now))
        )
        #expect(InboundMessage.parse(#"{"message": "m", "message_type": "private"}"#, from: "c1", now: now) == .invalid("field 'to' is required for a private message"))
        #expect(InboundMessage.parse(#"{"message": "m", "message_type": "pong"}"#, from: "c1", now: now) == .invalid("message_type 'pong' is reserved for the server"))
        #expect(InboundMessage.parse("42", from: "c1", now: now) == .broadcast(.init(message: "42", sender: "c1", messageType: "chat", timestamp: now)))
    }
}
