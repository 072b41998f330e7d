import HTTPTypes
import Configuration
import Gateway
import HummingbirdTesting
import Testing

/// A slow client cannot stall the hub: it is evicted, everyone else keeps up.
@Suite struct SlowClientTests {
    @Test func aClientThatNeverReadsIsEvictedWhileTwentyOthersReceiveEveryMessageInOrder() async throws {
        let overrides: [String: ConfigContent] = [
            "broadcast.outboxBytes": .int(64 * 1024),
            "broadcast.outboxFrames": .int(10_000),
            "broadcast.closeTimeoutSeconds": .double(0.5),
        ]
        try await withLiveApp(overrides) { client, port in
            try await withWebSockets(port: port, paths: Array(repeating: "/ws", count: 20)) { sockets in
                for socket in sockets { _ = try await socket.next(type: "welcome") }
                let silent = try SilentWebSocketClient(port: port)
                let padding = String(repeating: "x", count: 4096)
                var sent = 0
                var evicted = 0
                while evicted == 0, sent < 4000 {
                    let response = try await client.post("/broadcast", json: #"{"message": "\#(sent) \#(padding)"}"#)
                    #expect(response.status == .ok)
                    sent += 1
                    if sent % 10 == 0 { evicted = try await client.get("/stats").json["clients_evicted"] as? Int ?? 0 }
                }
                #expect(evicted == 1)
                _ = try await client.post("/broadcast", json: #"{"message": "done"}"#)
                for socket in sockets {
                    var expected = 0
                    while true {
                        let message = try await socket.next()
                        if message["message"] == "done" { break }
                        #expect(message["message"]?.hasPrefix("\(expected) ") == true)
                        expected += 1
                    }
                    #expect(expected == sent)
                }
                withExtendedLifetime(silent) {}
            }
        }
    }
}
