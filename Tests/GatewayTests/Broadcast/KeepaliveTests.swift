import Configuration
import Gateway
import HummingbirdTesting
import Testing

/// The keepalive ping: a client that never answers is dropped; one that answers stays.
@Suite struct KeepaliveTests {
    @Test func aClientThatNeverAnswersPingsIsDisconnected() async throws {
        try await withLiveApp(["broadcast.pingIntervalSeconds": .int(2), "broadcast.closeTimeoutSeconds": .double(0.5)]) { client, port in
            try await withWebSockets(port: port, paths: ["/ws/answers"]) { sockets in
                _ = try await sockets[0].next(type: "welcome")
                let silent = try SilentWebSocketClient(port: port)
                _ = try await poll({ try await client.get("/stats").json["active_connections"] as? Int ?? 0 }, until: { $0 == 2 })
                // Pings go out every 2 s (slack for a loaded machine); the silent client misses the first pong and is closed.
                let remaining = try await poll(within: .seconds(15), { try await client.get("/stats").json["active_connections"] as? Int ?? 0 }, until: { $0 == 1 })
                #expect(remaining == 1)
                // The client that answers pings (HummingbirdWSClient does) is still connected and served.
                sockets[0].send(json: ["message_type": "ping"])
                #expect(try await sockets[0].next(type: "pong")["message"] == "pong")
                withExtendedLifetime(silent) {}
            }
        }
    }
}
