import Foundation
import Gateway
import Testing

/// The pure parts of `gateway client`: the line format, what a typed line sends, the backoff, the URLs.
@Suite struct ClientFormattingTests {
    private let utc = TimeZone(identifier: "UTC")!
    private let welcome = #"{"message": "Welcome! You are client #3", "sender": "System", "timestamp": "2026-11-29T08:37:22.123Z", "message_type": "welcome", "client_id": "client-3"}"#

    @Test func aLineIsTimeSenderTypeAndTextWithoutColor() {
        let plain = ClientLineFormatter(color: false, timeZone: utc)
        #expect(plain.line(frame: welcome, receivedAt: Date()) == "08:37:22 System [welcome] Welcome! You are client #3")
        let paris = ClientLineFormatter(color: false, timeZone: TimeZone(secondsFromGMT: 3600)!)
        #expect(paris.line(frame: welcome, receivedAt: Date()).hasPrefix("09:37:22 System"))
        #expect(plain.status("connected") == "* connected")
    }

    @Test func colorWrapsTheFieldsInANSIAndOnlyWhenAsked() {
        let colored = ClientLineFormatter(color: true, timeZone: utc).line(frame: welcome, receivedAt: Date())
        #expect(colored.contains("\u{1B}[32m[welcome]\u{1B}[0m"))
        let withoutEscapes = colored.replacing(/\x{1B}\[\d+m/, with: "")
        #expect(withoutEscapes == "08:37:22 System [welcome] Welcome! You are client #3")
        #expect(!ClientLineFormatter(color: false).line(frame: welcome, receivedAt: Date()).contains("\u{1B}"))
    }

    @Test func controlCharactersFromTheHubAreEscapedOntoOneLine() {
        let frame = #"{"message": "two\nlines \u001b[31mred", "sender": "m\u0007llory", "message_type": "chat", "timestamp": "2026-11-29T08:37:22Z"}"#
        let line = ClientLineFormatter(color: false, timeZone: utc).line(frame: frame, receivedAt: Date())
        #expect(line == #"08:37:22 m\u{7}llory [chat] two\nlines \u{1B}[31mred"#)
    }

    @Test func aFrameWithoutTimestampOrNotJSONUsesTheReceiveTime() {
        let received = Date(timeIntervalSince1970: 3600 * 5 + 60 * 4 + 3)
        let formatter = ClientLineFormatter(color: false, timeZone: utc)
        #expect(formatter.line(frame: #"{"message": "hi", "sender": "bob", "message_type": "chat"}"#, receivedAt: received) == "05:04:03 bob [chat] hi")
        #expect(formatter.line(frame: "not json", receivedAt: received) == "05:04:03 ? [?] not json")
    }

    @Test func typedLinesBecomeFrames() {
        #expect(ClientInput(line: "hello") == .send(#"{"message":"hello"}"#))
        #expect(ClientInput(line: #"{"message_type": "pong"}"#) == .send(#"{"message":"{\"message_type\": \"pong\"}"}"#))
        #expect(ClientInput(line: "//etc/hosts") == .send(#"{"message":"/etc/hosts"}"#))
        #expect(ClientInput(line: "/ping") == .send(#"{"message_type":"ping"}"#))
        #expect(ClientInput(line: "/private bob see you  at 5") == .send(#"{"message":"see you  at 5","message_type":"private","to":"bob"}"#))
        #expect(ClientInput(line: "/private bob") == .problem("usage: /private ID text"))
        #expect(ClientInput(line: "/quit") == .quit)
        #expect(ClientInput(line: "/help") == .help)
        #expect(ClientInput(line: "   ") == .nothing)
        #expect(ClientInput(line: "/nope") == .problem("unknown command /nope: /help lists the commands"))
    }

    @Test func backoffDoublesFromHalfASecondToTenWithJitter() {
        let backoff = ReconnectBackoff()
        let nominal = (1...7).map { seconds(backoff.delay(afterFailures: $0, random: 0.5)) }
        #expect(nominal == [0.5, 1, 2, 4, 8, 10, 10])
        #expect(seconds(backoff.delay(afterFailures: 1, random: 0)) == 0.4)
        #expect(seconds(backoff.delay(afterFailures: 1, random: 0.999_999)) <= 0.6)
        #expect(seconds(backoff.delay(afterFailures: 100, random: 0.999_999)) < 12)
        #expect(ReconnectBackoff.isFinal(closeCode: 1008))
        #expect(!ReconnectBackoff.isFinal(closeCode: 1001) && !ReconnectBackoff.isFinal(closeCode: 1013) && !ReconnectBackoff.isFinal(closeCode: 4001))
    }

    @Test func endpointsComeFromTheURLAndTheID() throws {
        let plain = try HubEndpoint(url: "ws://127.0.0.1:8000/ws", id: nil)
        #expect(plain.webSocketURL == "ws://127.0.0.1:8000/ws")
        #expect(plain.broadcastURL == "http://127.0.0.1:8000/broadcast")
        let named = try HubEndpoint(url: "wss://hub.example:8443/ws/", id: "al ice")
        #expect(named.webSocketURL == "wss://hub.example:8443/ws/al%20ice")
        #expect(named.broadcastURL == "https://hub.example:8443/broadcast")
        #expect(throws: HubEndpoint.Invalid.self) { try HubEndpoint(url: "http://127.0.0.1:8000/ws", id: nil) }
        #expect(throws: HubEndpoint.Invalid.self) { try HubEndpoint(url: "ws://127.0.0.1:8000/chat", id: "bob") }
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return ((Double(whole) + Double(fraction) / 1e18) * 1e6).rounded() / 1e6
    }
}
