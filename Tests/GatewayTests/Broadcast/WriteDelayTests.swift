import Configuration
import Gateway
import HTTPTypes
import HummingbirdTesting
import Testing

/// `broadcast.writeDelayMilliseconds`: the broadcasts of one window reach a client together, in one
/// write, in order, and none before the window has passed.
@Suite struct WriteDelayTests {
    @Test func theBroadcastsOfOneWindowArriveTogetherInOrderAndNotBeforeTheWindowEnds() async throws {
        let milliseconds = 1000
        let window = Duration.milliseconds(milliseconds)
        try await withLiveApp(["broadcast.writeDelayMilliseconds": .int(milliseconds)]) { client, port in
            let socket = try await RawWebSocket.connect(port: port)
            defer { socket.close() }
            #expect(try await socket.upgrade(path: "/ws").status == 101)
            #expect(try await socket.readFrame().json["message_type"] == "welcome")

            let started = ContinuousClock.now
            for index in 0..<5 {
                #expect(try await client.post("/broadcast", json: #"{"message": "m\#(index)"}"#).status == .ok)
            }
            let frames = try await socket.framesOfNextRead()
            let waited = started.duration(to: .now)

            // One write of five frames arrives in one read; without the delay each would come on its own.
            #expect(frames.map { $0.json["message"] } == ["m0", "m1", "m2", "m3", "m4"])
            #expect(frames.allSatisfy { $0.json["message_type"] == "api_broadcast" })
            // The window opens with the first broadcast, after `started`, and is never cut short.
            #expect(waited >= window * 0.95, "arrived after \(waited)")
        }
    }
}
