@testable import Gateway
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

/// The hub's own framing pieces, without sockets: wire frames byte for byte against SwiftNIO's
/// encoder, message assembly and its bound, the keepalive's ping and pong rules, close answers, paths.
@Suite struct WebSocketFramingTests {
    /// What SwiftNIO's `WebSocketFrameEncoder` writes for `frame`, as one byte array.
    private func encodedByNIO(_ frame: WebSocketFrame) throws -> [UInt8] {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        try channel.writeOutbound(frame)
        var bytes: [UInt8] = []
        while var part = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += part.readBytes(length: part.readableBytes) ?? []
        }
        _ = try channel.finish()
        return bytes
    }

    @Test(arguments: [0, 1, 125, 126, 127, 65_535, 65_536, 70_000])
    func aTextWireFrameIsWhatSwiftNIOsEncoderWrites(length: Int) throws {
        let payload = ByteBuffer(bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let wire = WireFrame.text(payload)
        #expect(Array(wire.readableBytesView) == (try encodedByNIO(WebSocketFrame(fin: true, opcode: .text, data: payload))))
    }

    @Test func aCloseWireFrameCarriesTheCodeAndAShortenedReason() throws {
        let reason = String(repeating: "r", count: 200)
        var wire = WireFrame.close(code: 4001, reason: reason)
        let expected = try encodedByNIO(.close(code: 4001, reason: reason))
        #expect(Array(wire.readableBytesView) == expected)
        #expect(wire.readInteger(as: UInt8.self) == 0x88)
        #expect(wire.readInteger(as: UInt8.self) == 125, "a control frame's payload is at most 125 bytes")
        #expect(wire.readInteger(as: UInt16.self) == 4001)
    }

    @Test func aLongCloseReasonIsCutAtACharacterBoundary() {
        let reason = String(repeating: "é", count: 100)  // 200 bytes of 2-byte characters
        var body = WebSocketFrame.closeBody(code: 1001, reason: reason)
        #expect(body.readInteger(as: UInt16.self) == 1001)
        let text = body.readString(length: body.readableBytes)
        #expect(text == String(repeating: "é", count: 61), "122 bytes: the 123rd would split a character")
    }

    private func frame(_ opcode: WebSocketOpcode, fin: Bool, _ text: String) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text))
    }

    @Test func fragmentsAreJoinedIntoOneMessage() {
        var assembler = MessageAssembler(maxBytes: 100)
        #expect(assembler.append(frame(.text, fin: false, "hel")) == .incomplete)
        #expect(assembler.append(frame(.continuation, fin: false, "lo ")) == .incomplete)
        #expect(assembler.append(frame(.continuation, fin: true, "there")) == .complete(isText: true, ByteBuffer(string: "hello there")))
        // And the next message starts afresh.
        #expect(assembler.append(frame(.binary, fin: true, "b")) == .complete(isText: false, ByteBuffer(string: "b")))
    }

    @Test func aMessageOverTheBoundIsRefusedWhetherWholeOrInFragments() {
        var assembler = MessageAssembler(maxBytes: 10)
        #expect(assembler.append(frame(.text, fin: true, String(repeating: "x", count: 11))) == .tooLarge)
        #expect(assembler.append(frame(.text, fin: false, "123456")) == .incomplete)
        #expect(assembler.append(frame(.continuation, fin: true, "12345")) == .tooLarge)
        #expect(assembler.append(frame(.text, fin: true, String(repeating: "x", count: 10))) == .complete(isText: true, ByteBuffer(string: String(repeating: "x", count: 10))))
    }

    @Test func framesOutOfSequenceAreAProtocolError() {
        var assembler = MessageAssembler(maxBytes: 100)
        #expect(assembler.append(frame(.continuation, fin: true, "stray")) == .outOfSequence)
        #expect(assembler.append(frame(.text, fin: false, "a")) == .incomplete)
        #expect(assembler.append(frame(.text, fin: true, "b")) == .outOfSequence, "a new message before the last one ended")
    }

    @Test func keepaliveTimesOutOnlyAClientThatDidNotAnswerTheLastPing() throws {
        var keepalive = Keepalive()
        guard case .ping(let first) = keepalive.tick() else { Issue.record("first tick pings"); return }
        #expect(first.readableBytes == 16)
        keepalive.receivedPong(ByteBuffer(string: "not the payload"))
        #expect(keepalive.tick() == .timedOut, "a pong with another payload does not count")

        var answered = Keepalive()
        guard case .ping(let payload) = answered.tick() else { Issue.record("first tick pings"); return }
        answered.receivedPong(payload)
        guard case .ping(let next) = answered.tick() else { Issue.record("an answered ping is followed by another"); return }
        #expect(next != payload, "every ping has a fresh payload")
    }

    @Test func aClientsCloseIsAnsweredWith1000OrWith1002ForACodeNoEndpointMaySend() {
        func body(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
        #expect(WebSocketFrame.answerCode(toClose: body([])) == 1000)
        #expect(WebSocketFrame.answerCode(toClose: body([0x03, 0xE8])) == 1000)  // 1000
        #expect(WebSocketFrame.answerCode(toClose: body([0x0F, 0xA1, 0x68, 0x69])) == 1000)  // 4001 "hi"
        #expect(WebSocketFrame.answerCode(toClose: body([0x03])) == 1002, "a one-byte body")
        #expect(WebSocketFrame.answerCode(toClose: body([0x03, 0xED])) == 1002, "1005 is never sent")
        #expect(WebSocketFrame.answerCode(toClose: body([0x03, 0xE7])) == 1002, "999")
        #expect(WebSocketFrame.answerCode(toClose: body([0x13, 0x88])) == 1002, "5000")
    }

    @Test func onlyTheHubsPathsUpgrade() {
        #expect(HubUpgrade.target(uri: "/ws") == .assignedID)
        #expect(HubUpgrade.target(uri: "/ws/") == .assignedID)
        #expect(HubUpgrade.target(uri: "/ws?token=x") == .assignedID)
        #expect(HubUpgrade.target(uri: "/ws/alice") == .requestedID("alice"))
        #expect(HubUpgrade.target(uri: "/ws/alice/?a=b") == .requestedID("alice"))
        #expect(HubUpgrade.target(uri: "/ws/a/b") == nil)
        #expect(HubUpgrade.target(uri: "/wss") == nil)
        #expect(HubUpgrade.target(uri: "/") == nil)
        #expect(HubUpgrade.target(uri: "/api/ws") == nil)
    }
}
