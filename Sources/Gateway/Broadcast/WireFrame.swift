import NIOCore
import NIOWebSocket

/// Server-to-client WebSocket frames as the bytes that go on the wire (RFC 6455 §5.2: FIN, opcode,
/// length, payload; a server never masks), built once per message.
///
/// Every client of a broadcast gets the same frame, so the hub encodes it once and each client's
/// writer hands that one buffer to the socket: no frame header allocated per client, one `iovec`
/// per frame, and SwiftNIO's frame encoder is not on the hub's write path.
enum WireFrame {
    /// A final text frame carrying `payload`.
    static func text(_ payload: ByteBuffer) -> ByteBuffer {
        frame(opcode: .text, payload)
    }

    /// A close frame: the code, then the reason in UTF-8 (cut to fit a 125-byte control frame).
    static func close(code: UInt16, reason: String?) -> ByteBuffer {
        frame(opcode: .connectionClose, WebSocketFrame.closeBody(code: code, reason: reason))
    }

    private static func frame(opcode: WebSocketOpcode, _ payload: ByteBuffer) -> ByteBuffer {
        let length = payload.readableBytes
        var frame = ByteBuffer()
        frame.reserveCapacity(length + 10)
        frame.writeInteger(0x80 | UInt8(webSocketOpcode: opcode))
        switch length {
        case ..<126:
            frame.writeInteger(UInt8(length))
        case ...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeImmutableBuffer(payload)
        return frame
    }
}

extension BroadcastMessage {
    /// The message as a final text frame's bytes, ready for every client's outbox.
    func wireFrame() -> ByteBuffer {
        WireFrame.text(encoded())
    }
}

extension WebSocketFrame {
    /// A close frame for the frame encoder (the answer to a client's close, a refusal).
    static func close(code: UInt16, reason: String?) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .connectionClose, data: closeBody(code: code, reason: reason))
    }

    /// A close frame's body: the code, then the reason in UTF-8, cut to fit a 125-byte control frame.
    static func closeBody(code: UInt16, reason: String?) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeInteger(code)
        if let reason {
            // At most 123 bytes, cut at a character boundary (never inside a UTF-8 sequence).
            let bytes = Array(reason.utf8)
            var end = min(bytes.count, 123)
            while end < bytes.count, end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            body.writeBytes(bytes[..<end])
        }
        return body
    }

    /// The code to answer a client's close with (RFC 6455 §7.4): 1000 for no code or a valid one,
    /// 1002 for a one-byte body or a code no endpoint may send.
    static func answerCode(toClose body: ByteBuffer) -> UInt16 {
        guard body.readableBytes > 0 else { return HubCloseCode.normal }
        guard let code = body.getInteger(at: body.readerIndex, as: UInt16.self) else { return HubCloseCode.protocolError }
        let sendable = (1000...1003).contains(code) || (1007...1011).contains(code) || (3000...4999).contains(code)
        return sendable ? HubCloseCode.normal : HubCloseCode.protocolError
    }
}
