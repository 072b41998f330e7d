import HTTPTypes
import Configuration
import Gateway
import Testing

/// The hub through real WebSocket connections on a live port.
@Suite struct WebSocketHubTests {
    @Test func welcomeCarriesAServerAssignedIDAndTheClientNumber() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: ["/ws", "/ws"]) { sockets in
                let first = try await sockets[0].next()
                let second = try await sockets[1].next()
                #expect(first["message_type"] == "welcome")
                #expect(first["sender"] == "System")
                #expect(first["message"]?.hasPrefix("Welcome! You are client #") == true)
                #expect(first["timestamp"]?.hasSuffix("Z") == true)
                let ids = [first["client_id"], second["client_id"]].compactMap { $0 }
                #expect(ids.count == 2)
                #expect(Set(ids).count == 2)
            }
        }
    }

    @Test func pathIDIsUsedAndMadeUniqueWhenTaken() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: ["/ws/alice"]) { first in
                #expect(try await first[0].next()["client_id"] == "alice")
                try await withWebSockets(port: port, paths: ["/ws/alice"]) { second in
                    let welcome = try await second[0].next()
                    #expect(welcome["client_id"] == "alice-2")
                }
            }
        }
    }

    @Test func chatIsFannedOutToFiftyClientsWithTheSendersID() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: Array(repeating: "/ws", count: 50)) { sockets in
                var ids: [String] = []
                for socket in sockets { ids.append(try await socket.next(type: "welcome")["client_id"] ?? "") }
                sockets[7].send(json: ["message": "hello all"])
                for socket in sockets {
                    let chat = try await socket.next()
                    #expect(chat["message"] == "hello all")
                    #expect(chat["message_type"] == "chat")
                    #expect(chat["sender"] == ids[7])
                }
            }
        }
    }

    @Test func pingIsAnsweredWithPongToTheSenderOnly() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: ["/ws", "/ws"]) { sockets in
                for socket in sockets { _ = try await socket.next(type: "welcome") }
                sockets[0].send(json: ["message_type": "ping"])
                #expect(try await sockets[0].next()["message_type"] == "pong")
                sockets[0].send(json: ["message": "marker"])
                // The other client's very next message is the marker: it never saw the pong.
                #expect(try await sockets[1].next()["message"] == "marker")
            }
        }
    }

    @Test func privateMessageReachesOnlyItsRecipient() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: ["/ws/a", "/ws/b", "/ws/c"]) { sockets in
                for socket in sockets { _ = try await socket.next(type: "welcome") }
                sockets[0].send(json: ["message_type": "private", "to": "c", "message": "psst"])
                let received = try await sockets[2].next()
                #expect(received["message"] == "psst")
                #expect(received["message_type"] == "private")
                #expect(received["sender"] == "a")
                sockets[0].send(json: ["message": "marker"])
                #expect(try await sockets[1].next()["message"] == "marker")
                #expect(try await sockets[0].next()["message"] == "marker")
            }
        }
    }

    @Test func privateMessageToAnUnknownClientIsAnErrorToTheSender() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: ["/ws/a"]) { sockets in
                _ = try await sockets[0].next(type: "welcome")
                sockets[0].send(json: ["message_type": "private", "to": "nobody", "message": "psst"])
                let error = try await sockets[0].next()
                #expect(error["message_type"] == "error")
                #expect(error["message"]?.contains("nobody") == true)
            }
        }
    }

    @Test func nonJSONTextIsAChatMessage() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: ["/ws/a", "/ws/b"]) { sockets in
                for socket in sockets { _ = try await socket.next(type: "welcome") }
                sockets[0].send("just text, not JSON")
                let chat = try await sockets[1].next()
                #expect(chat["message"] == "just text, not JSON")
                #expect(chat["message_type"] == "chat")
                #expect(chat["sender"] == "a")
            }
        }
    }

    @Test func invalidJSONObjectsAndReservedTypesAreErrorsToTheSenderOnly() async throws {
        try await withLiveApp { _, port in
            try await withWebSockets(port: port, paths: ["/ws/a", "/ws/b"]) { sockets in
                for socket in sockets { _ = try await socket.next(type: "welcome") }
                sockets[0].send(#"{"message": 42}"#)
                #expect(try await sockets[0].next()["message_type"] == "error")
                sockets[0].send(json: ["message": "fake", "message_type": "welcome"])
                #expect(try await sockets[0].next()["message"]?.contains("reserved") == true)
                sockets[0].send(json: ["sender": "x"])
                #expect(try await sockets[0].next()["message"]?.contains("'message' is required") == true)
                sockets[0].send(json: ["message": "marker"])
                #expect(try await sockets[1].next()["message"] == "marker")
            }
        }
    }

    @Test func anUnusableClientIDIsClosedWith1008RightAfterTheHandshake() async throws {
        try await withLiveApp { _, port in
            let refusal = try await Self.closeAfterHandshake(port: port, path: "/ws/" + String(repeating: "a", count: 65))
            #expect(refusal.code == 1008)
            #expect(refusal.reason.hasPrefix("client_id must be"))
            try await withWebSockets(port: port, paths: ["/ws/fine"]) { sockets in
                let welcome = try await sockets[0].next(type: "welcome")
                #expect(welcome["client_id"] == "fine")
            }
        }
    }

    /// Performs a WebSocket handshake on a raw connection and returns the close frame that follows it.
    /// Read on the wire: a close frame can share a TCP segment with the 101, which a client library may
    /// not report; the bytes are what a browser sees.
    static func closeAfterHandshake(port: Int, path: String) async throws -> (code: UInt16, reason: String) {
        let connection = try await RawConnection.open(
            port: port,
            request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        defer { Task { await connection.close() } }
        let bytes = try await connection.read { bytes in
            guard let end = headerEnd(bytes), bytes.count >= end + 2 else { return false }
            return bytes.count >= end + 2 + Int(bytes[end + 1] & 0x7F)  // the whole close frame (unmasked, short)
        }
        let end = try #require(headerEnd(bytes))
        #expect(String(decoding: bytes[..<end], as: UTF8.self).hasPrefix("HTTP/1.1 101"))
        #expect(bytes[end] == 0x88, "a close frame follows the handshake")
        return (UInt16(bytes[end + 2]) << 8 | UInt16(bytes[end + 3]), String(decoding: bytes[(end + 4)...], as: UTF8.self))
    }

    /// The index just past the blank line that ends the HTTP head, if it has arrived.
    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == marker }.map { $0 + 4 }
    }

    @Test func oversizeFrameClosesWith1009() async throws {
        try await withLiveApp(["broadcast.maxFrameBytes": .int(1024), "broadcast.maxMessageBytes": .int(1024)]) { _, port in
            try await withWebSockets(port: port, paths: ["/ws"]) { sockets in
                _ = try await sockets[0].next(type: "welcome")
                sockets[0].send(String(repeating: "x", count: 4000))
                #expect(try await sockets[0].closeCode() == 1009)
            }
        }
    }

    @Test func tooManyMessagesPerSecondGetAnErrorThenClose1008() async throws {
        try await withLiveApp(["broadcast.messagesPerSecond": .int(1), "broadcast.burst": .int(3)]) { _, port in
            try await withWebSockets(port: port, paths: ["/ws"]) { sockets in
                _ = try await sockets[0].next(type: "welcome")
                for index in 0..<10 { sockets[0].send(json: ["message": "m\(index)"]) }
                let error = try await sockets[0].next(type: "error")
                #expect(error["message"]?.contains("rate limit") == true)
                #expect(try await sockets[0].closeCode() == 1008)
            }
        }
    }

    @Test func connectionsBeyondMaxConnectionsAreClosedWith1013() async throws {
        try await withLiveApp(["broadcast.maxConnections": .int(1)]) { client, port in
            try await withWebSockets(port: port, paths: ["/ws"]) { first in
                _ = try await first[0].next(type: "welcome")
                let refusal = try await Self.closeAfterHandshake(port: port, path: "/ws")
                #expect(refusal.code == 1013)
                let stats = try await client.get("/stats").json
                #expect(stats["connections_refused"] as? Int == 1)
                #expect(stats["active_connections"] as? Int == 1)
            }
        }
    }
}
