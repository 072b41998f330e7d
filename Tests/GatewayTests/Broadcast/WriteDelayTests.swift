import Configuration
import Gateway
import Testing

/// `broadcast.writeDelayMilliseconds`: the broadcasts of one window reach a client together, in one
/// write, in order, and none before the window has passed; a close is never held back.
@Suite struct WriteDelayTests {
    /// Upgrades a raw connection and reads its welcome (itself held for one window).
    private func connect(port: Int) async throws -> RawWebSocket {
        let socket = try await RawWebSocket.connect(port: port)
        #expect(try await socket.upgrade(path: "/ws").status == 101)
        #expect(try await socket.readFrame().json["message_type"] == "welcome")
        return socket
    }

    @Test func theBroadcastsOfOneWindowArriveTogetherInOrderAndNotBeforeTheWindowEnds() async throws {
        let milliseconds = 300
        try await withLiveApp(["broadcast.writeDelayMilliseconds": .int(milliseconds)]) { _, port in
            let socket = try await connect(port: port)
            defer { socket.close() }
            // Five chat messages in one TCP write: the hub broadcasts them within microseconds, and
            // the sender receives its own messages like every client.
            let started = ContinuousClock.now
            try await socket.send(bytes: (0..<5).flatMap { RawWebSocket.maskedFrame(opcode: 0x1, fin: true, payload: Array(#"{"message": "m\#($0)"}"#.utf8)) })
            let frames = try await socket.framesOfNextRead()
            let waited = started.duration(to: .now)

            #expect(frames.map { $0.json["message"] } == ["m0", "m1", "m2", "m3", "m4"], "one write of five frames arrives in one read")
            #expect(frames.allSatisfy { $0.json["message_type"] == "chat" })
            // The window opens with the first broadcast, after `started`, and is never cut short.
            #expect(waited >= .milliseconds(milliseconds) * 0.95, "arrived after \(waited)")
        }
    }

    @Test func aCloseIsWrittenAtOnceNotWithTheNextWindow() async throws {
        // A window twice the close timeout: a close frame that waited for it would come after the
        // server had already dropped the connection.
        let overrides: [String: ConfigContent] = [
            "broadcast.writeDelayMilliseconds": .int(1000), "broadcast.closeTimeoutSeconds": .double(0.5),
            "broadcast.messagesPerSecond": .int(1), "broadcast.burst": .int(2),
        ]
        try await withLiveApp(overrides) { _, port in
            let socket = try await connect(port: port)
            defer { socket.close() }
            try await socket.send(bytes: (0..<5).flatMap { RawWebSocket.maskedFrame(opcode: 0x1, fin: true, payload: Array(#"{"message": "m\#($0)"}"#.utf8)) })
            var frames: [ServerFrame] = []
            while !frames.contains(where: { $0.opcode == 0x8 }) { frames += try await socket.framesOfNextRead() }
            let kinds = frames.map { $0.opcode == 0x8 ? "close" : $0.json["message_type"] ?? "?" }
            #expect(kinds == ["chat", "chat", "error", "close"], "the burst's two, the error, then the close")
            #expect(frames.last?.closeCode == 1008)
        }
    }
}
