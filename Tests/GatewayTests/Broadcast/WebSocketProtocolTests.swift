import Configuration
import Foundation
import Gateway
import HummingbirdTesting
import Testing

/// The WebSocket protocol as the hub speaks it on the wire, against the real app on a live port:
/// raw client frames (fragments, control frames, close codes, reserved opcodes) and handshakes a
/// client library would not send, with what comes back read byte for byte.
@Suite struct WebSocketProtocolTests {
    /// Opens a connection, upgrades it on `path` and reads the welcome.
    /// - Returns: the socket and the client id the welcome assigned.
    private func openSocket(port: Int, path: String = "/ws") async throws -> (socket: RawWebSocket, clientID: String) {
        let socket = try await RawWebSocket.connect(port: port)
        let handshake = try await socket.upgrade(path: path)
        #expect(handshake.status == 101)
        #expect(handshake.headers["sec-websocket-accept"] == RawWebSocket.sampleAccept)
        let welcome = try await socket.readFrame()
        #expect(welcome.opcode == 0x1)
        #expect(welcome.json["message_type"] == "welcome")
        return (socket, try #require(welcome.json["client_id"]))
    }

    /// The number of connected WebSocket clients, from `GET /stats`.
    private func activeConnections(_ client: any TestClientProtocol) async throws -> Int {
        try await client.get("/stats").json["active_connections"] as? Int ?? -1
    }

    @Test func aTextMessageInThreeFragmentsIsBroadcastAsOneChat() async throws {
        try await withLiveApp { _, port in
            let (socket, clientID) = try await openSocket(port: port)
            defer { socket.close() }
            let json = Array(#"{"message":"hello in parts"}"#.utf8)
            try await socket.sendFrame(opcode: 0x1, fin: false, Array(json[..<9]))
            try await socket.sendFrame(opcode: 0x0, fin: false, Array(json[9..<20]))
            try await socket.sendFrame(opcode: 0x0, fin: true, Array(json[20...]))
            let chat = try await socket.readFrame()
            #expect(chat.fin)
            #expect(chat.opcode == 0x1)
            #expect(!chat.isMasked, "a server never masks")
            #expect(chat.json["message_type"] == "chat")
            #expect(chat.json["message"] == "hello in parts")
            #expect(chat.json["sender"] == clientID)
        }
    }

    @Test func aFragmentedMessageOverMaxMessageBytesClosesWith1009() async throws {
        try await withLiveApp(["broadcast.maxFrameBytes": .int(1024), "broadcast.maxMessageBytes": .int(1024)]) { _, port in
            let (socket, _) = try await openSocket(port: port)
            defer { socket.close() }
            let fragment = [UInt8](repeating: UInt8(ascii: "x"), count: 600)
            try await socket.sendFrame(opcode: 0x1, fin: false, fragment)
            try await socket.sendFrame(opcode: 0x0, fin: false, fragment)
            try await socket.sendFrame(opcode: 0x0, fin: true, fragment)
            let close = try await socket.readFrame()
            #expect(close.opcode == 0x8)
            #expect(close.closeCode == 1009)
        }
    }

    @Test func aClientsCloseIsAnsweredThenTheConnectionEndsAndTheClientLeaves() async throws {
        try await withLiveApp { client, port in
            let (socket, _) = try await openSocket(port: port)
            defer { socket.close() }
            #expect(try await activeConnections(client) == 1)
            try await socket.sendClose(code: 1000)
            let answer = try await socket.readFrame()
            #expect(answer.opcode == 0x8)
            #expect(answer.closeCode == 1000)
            #expect(try await socket.readUntilClosed(within: .seconds(5)).isEmpty, "nothing after the close, then the server ends the TCP connection")
            #expect(try await poll({ try await activeConnections(client) }, until: { $0 == 0 }) == 0)
        }
    }

    @Test(arguments: [1005, 999, 5000] as [UInt16])
    func aCloseWithACodeNoEndpointMaySendIsAnsweredWith1002(code: UInt16) async throws {
        try await withLiveApp { _, port in
            let (socket, _) = try await openSocket(port: port)
            defer { socket.close() }
            try await socket.sendClose(code: code)
            let answer = try await socket.readFrame()
            #expect(answer.opcode == 0x8)
            #expect(answer.closeCode == 1002)
            _ = try await socket.readUntilClosed(within: .seconds(5))
        }
    }

    @Test(arguments: [0x3, 0xB] as [UInt8])
    func aFrameWithAReservedOpcodeClosesWith1002(opcode: UInt8) async throws {
        try await withLiveApp { _, port in
            let (socket, _) = try await openSocket(port: port)
            defer { socket.close() }
            try await socket.sendFrame(opcode: opcode, Array("reserved".utf8))
            let close = try await socket.readFrame()
            #expect(close.opcode == 0x8)
            #expect(close.closeCode == 1002)
        }
    }

    @Test func aPingIsAnsweredWithAPongCarryingItsPayload() async throws {
        try await withLiveApp { _, port in
            let (socket, _) = try await openSocket(port: port)
            defer { socket.close() }
            try await socket.sendFrame(opcode: 0x9, Array("abc".utf8))
            let pong = try await socket.readFrame()
            #expect(pong.fin)
            #expect(pong.opcode == 0xA)
            #expect(pong.text == "abc")
        }
    }

    @Test func aHandshakeOnAnotherPathIsRefusedWith400() async throws {
        try await withLiveApp { _, port in
            let socket = try await RawWebSocket.connect(port: port)
            defer { socket.close() }
            let refusal = try await socket.upgrade(path: "/nope")
            #expect(refusal.status == 400)
            #expect(refusal.headers["upgrade"] == nil)
            #expect(try await socket.readUntilClosed(within: .seconds(5)).isEmpty, "the server ends the connection after its 400")
        }
    }

    @Test func aHandshakeAfterAnotherRequestOnTheSameConnectionIsRedirectedToItsPath() async throws {
        try await withLiveApp { _, port in
            let socket = try await RawWebSocket.connect(port: port)
            defer { socket.close() }
            try await socket.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let health = try await socket.readResponse()
            #expect(health.status == 200)
            #expect(String(decoding: health.body, as: UTF8.self).contains("healthy"))
            let redirect = try await socket.upgrade(path: "/ws/late?room=a")
            #expect(redirect.status == 307)
            #expect(redirect.headers["location"] == "/ws/late?room=a")
            #expect(redirect.headers["connection"]?.lowercased() == "close")
            #expect(try await socket.readUntilClosed(within: .seconds(5)).isEmpty, "the client is sent to a new connection")
        }
    }

    @Test func aClientThatNeverAnswersPingsLeavesWithReasonPingTimeout() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { receiverPort in
            let overrides = deliveryOverrides(["broadcast.pingIntervalSeconds": .int(1), "broadcast.closeTimeoutSeconds": .double(0.5)])
            try await withLiveApp(overrides) { client, port in
                _ = try await client.subscribe("http://127.0.0.1:\(receiverPort)/events", events: ["client-disconnected"])
                let silent = try SilentWebSocketClient(port: port, path: "/ws/silent")
                // A ping after 1 s, unanswered at the next tick; the close handshake then times out after 0.5 s.
                let disconnected = try await receiver.requests.next(type: "client-disconnected", within: .seconds(15))
                #expect(disconnected.data["client_id"] as? String == "silent")
                #expect(disconnected.data["reason"] as? String == "ping_timeout")
                withExtendedLifetime(silent) {}
            }
        }
    }

    @Test func aClientThatEndsTheTCPConnectionWithoutACloseFrameLeavesAtOnce() async throws {
        // No pings, no traffic: only the FIN itself can tell the server that the client is gone.
        try await withLiveApp(["broadcast.pingIntervalSeconds": .int(0)]) { client, port in
            let (socket, _) = try await openSocket(port: port)
            defer { socket.close() }
            #expect(try await activeConnections(client) == 1)
            try await socket.closeOutput()
            #expect(try await poll({ try await activeConnections(client) }, until: { $0 == 0 }) == 0)
            _ = try await socket.readUntilClosed(within: .seconds(5))
        }
    }

    @Test func framesAfterTheClientsCloseAreNotActedOn() async throws {
        try await withLiveApp { client, port in
            let (listener, _) = try await openSocket(port: port)
            defer { listener.close() }
            let (socket, _) = try await openSocket(port: port)
            defer { socket.close() }
            // The close, then a chat and a ping, in one write: the server reads them together.
            let close = RawWebSocket.maskedFrame(opcode: 0x8, fin: true, payload: [0x03, 0xE8])
            let chat = RawWebSocket.maskedFrame(opcode: 0x1, fin: true, payload: Array(#"{"message":"after close"}"#.utf8))
            let ping = RawWebSocket.maskedFrame(opcode: 0x9, fin: true, payload: Array("late".utf8))
            try await socket.send(bytes: close + chat + ping)
            let answer = try await socket.readFrame()
            #expect(answer.opcode == 0x8)
            #expect(answer.closeCode == 1000)
            #expect(try await socket.readUntilClosed(within: .seconds(5)).isEmpty, "no pong and no second close after the close")
            // A message the listener can receive, to know that anything sent before it has arrived.
            _ = try await client.post("/broadcast", json: #"{"message":"marker"}"#)
            let next = try await listener.readFrame()
            #expect(next.json["message"] == "marker", "the chat after the close was not broadcast")
            let stats = try await client.get("/stats").json
            #expect(stats["messages_received"] as? Int == 0)
        }
    }
}
