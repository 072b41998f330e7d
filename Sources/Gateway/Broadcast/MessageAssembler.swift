import NIOCore
import NIOWebSocket

/// Joins a WebSocket message's frames (a text or binary frame, then continuation frames up to one
/// with FIN) into one buffer. Bound: `maxBytes` per message; a larger message is refused
/// (``Step/tooLarge``) and the connection is closed with 1009 by its handler.
struct MessageAssembler {
    /// What one frame did.
    enum Step: Equatable {
        /// More frames to come.
        case incomplete
        /// A whole message.
        case complete(isText: Bool, ByteBuffer)
        /// The message would exceed `maxBytes`.
        case tooLarge
        /// A continuation with no message started, or a new message before the last one ended.
        case outOfSequence
    }

    let maxBytes: Int
    /// The message being assembled: its kind and the bytes so far.
    private var partial: (isText: Bool, data: ByteBuffer)?

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Adds a data frame (text, binary or continuation).
    mutating func append(_ frame: WebSocketFrame) -> Step {
        let data = frame.unmaskedData
        switch (frame.opcode, partial) {
        case (.continuation, nil), (.text, .some), (.binary, .some):
            partial = nil
            return .outOfSequence
        case (.continuation, .some(var message)):
            guard message.data.readableBytes + data.readableBytes <= maxBytes else {
                partial = nil
                return .tooLarge
            }
            partial = nil  // so that the buffer below is uniquely referenced and grows in place
            var bytes = data
            message.data.writeBuffer(&bytes)
            guard frame.fin else {
                partial = message
                return .incomplete
            }
            return .complete(isText: message.isText, message.data)
        default:
            guard data.readableBytes <= maxBytes else { return .tooLarge }
            let isText = frame.opcode == .text
            guard frame.fin else {
                partial = (isText, data)
                return .incomplete
            }
            return .complete(isText: isText, data)
        }
    }
}
