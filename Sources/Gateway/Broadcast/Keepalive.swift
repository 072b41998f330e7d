import NIOCore

/// The keepalive ping of one connection: at every tick a ping with a fresh random payload, unless
/// the previous one is still unanswered, in which case the client has timed out. A pong counts only
/// when it carries the payload of the outstanding ping (RFC 6455 §5.5.3).
struct Keepalive {
    /// What the tick asks for.
    enum Tick: Equatable {
        case ping(ByteBuffer)
        case timedOut
    }

    /// The payload of the ping not yet answered.
    private var outstanding: ByteBuffer?

    /// The next ping, or the end of a client that did not answer the last one.
    mutating func tick() -> Tick {
        guard outstanding == nil else { return .timedOut }
        var payload = ByteBuffer()
        payload.writeInteger(UInt64.random(in: .min ... .max))
        payload.writeInteger(UInt64.random(in: .min ... .max))
        outstanding = payload
        return .ping(payload)
    }

    /// A pong from the client.
    mutating func receivedPong(_ payload: ByteBuffer) {
        if payload == outstanding { outstanding = nil }
    }
}
