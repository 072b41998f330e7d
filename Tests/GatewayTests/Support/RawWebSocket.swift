import Foundation
import NIOCore
import NIOPosix

/// A WebSocket client at the byte level, on a TCP connection to 127.0.0.1: it sends the frames a test
/// builds, masked as RFC 6455 §5.3 requires of a client, including frames no client library would send
/// (fragments, reserved opcodes, invalid close codes), and parses what the server writes back. It
/// speaks just enough HTTP/1.1 for a handshake and for plain requests before one on the same connection.
///
/// Not `Sendable`: one test task reads it, and it keeps the bytes read past the last frame or response.
final class RawWebSocket {
    /// The sample key of RFC 6455 §1.3, and the `Sec-WebSocket-Accept` a server must answer it with.
    static let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="
    static let sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    private let channel: any Channel
    private let chunks: TestMailbox<[UInt8]>
    /// Bytes read from the socket and not yet consumed by a frame or response.
    private var pending: [UInt8] = []

    private init(channel: any Channel, chunks: TestMailbox<[UInt8]>) {
        self.channel = channel
        self.chunks = chunks
    }

    /// Opens a TCP connection to `port` on 127.0.0.1; nothing is sent yet.
    static func connect(port: Int) async throws -> RawWebSocket {
        let chunks = TestMailbox<[UInt8]>()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ChunkCollector(chunks: chunks)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawWebSocket(channel: channel, chunks: chunks)
    }

    /// A WebSocket handshake request for `path`, with ``sampleKey``.
    static func handshake(path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(sampleKey)\r\n\r\n"
    }

    /// Sends the handshake for `path` and returns the server's answer (`101` when upgraded).
    func upgrade(path: String) async throws -> RawHTTPResponse {
        try await send(Self.handshake(path: path))
        return try await readResponse()
    }

    /// Sends `text` as it is (an HTTP request).
    func send(_ text: String) async throws {
        try await send(bytes: Array(text.utf8))
    }

    /// Sends `bytes` as they are.
    func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Sends one frame, masked with a random key.
    /// - Parameters:
    ///   - opcode: the 4-bit opcode (0x0 continuation, 0x1 text, 0x8 close, 0x9 ping, or a reserved one).
    ///   - fin: whether this is the message's last frame.
    ///   - payload: the unmasked payload.
    func sendFrame(opcode: UInt8, fin: Bool = true, _ payload: [UInt8]) async throws {
        try await send(bytes: Self.maskedFrame(opcode: opcode, fin: fin, payload: payload))
    }

    /// Closes the client's sending side of the TCP connection (a FIN) and keeps reading.
    func closeOutput() async throws {
        try await channel.close(mode: .output)
    }

    /// Sends a close frame with `code` and no reason.
    func sendClose(code: UInt16) async throws {
        try await sendFrame(opcode: 0x8, [UInt8(code >> 8), UInt8(code & 0xFF)])
    }

    /// A client frame on the wire (RFC 6455 §5.2): FIN and opcode, the mask bit and length, the 4-byte
    /// masking key, then the payload XORed with it.
    static func maskedFrame(opcode: UInt8, fin: Bool, payload: [UInt8], key: [UInt8] = (0..<4).map { _ in .random(in: 0...255) }) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | (opcode & 0x0F)]
        switch payload.count {
        case ..<126:
            frame.append(0x80 | UInt8(payload.count))
        case ...Int(UInt16.max):
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> ($0 * 8)) }
        }
        frame += key
        frame += payload.enumerated().map { $1 ^ key[$0 % 4] }
        return frame
    }

    /// The next HTTP response: head, then a body by `Content-Length` or chunked (none for a `1xx`).
    func readResponse(within timeout: Duration = .seconds(10)) async throws -> RawHTTPResponse {
        let deadline = ContinuousClock.now + timeout
        let headEnd = try await fill(until: deadline) { Self.headEnd($0) }
        var response = RawHTTPResponse(head: String(decoding: pending[..<headEnd], as: UTF8.self))
        pending.removeFirst(headEnd)
        if response.status / 100 == 1 { return response }
        if let length = response.headers["content-length"].flatMap(Int.init) {
            _ = try await fill(until: deadline) { $0.count >= length ? length : nil }
            response.body = Array(pending.prefix(length))
            pending.removeFirst(length)
        } else if response.headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let size = Int(try await line(until: deadline), radix: 16), size > 0 {
                _ = try await fill(until: deadline) { $0.count >= size + 2 ? size : nil }
                response.body += pending.prefix(size)
                pending.removeFirst(size + 2)
            }
            _ = try await line(until: deadline)  // the blank line after the last chunk
        }
        return response
    }

    /// The next frame the server sent.
    func readFrame(within timeout: Duration = .seconds(10)) async throws -> ServerFrame {
        let deadline = ContinuousClock.now + timeout
        var frame: ServerFrame?
        let length = try await fill(until: deadline) { bytes in
            frame = ServerFrame.parse(bytes)
            return frame?.wireLength
        }
        pending.removeFirst(length)
        guard let frame else { throw TestFailure("no frame") }
        return frame
    }

    /// The whole frames that the next read from the socket completes (what arrived earlier and was not
    /// consumed, then one more read); a partial frame stays for the next call.
    func framesOfNextRead(within timeout: Duration = .seconds(10)) async throws -> [ServerFrame] {
        guard let chunk = try await chunks.next(within: timeout) else { throw TestFailure("connection ended") }
        pending += chunk
        var frames: [ServerFrame] = []
        while let frame = ServerFrame.parse(pending) {
            frames.append(frame)
            pending.removeFirst(frame.wireLength)
        }
        return frames
    }

    /// Waits for the server to close the connection; returns what it sent that was not read yet.
    func readUntilClosed(within timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while let chunk = try await chunks.next(within: deadline - .now) { pending += chunk }
        defer { pending = [] }
        return pending
    }

    /// Closes the TCP connection.
    func close() {
        channel.close(promise: nil)
    }

    /// Reads until `complete` finds a whole unit in `pending` and returns its length.
    private func fill(until deadline: ContinuousClock.Instant, _ complete: ([UInt8]) -> Int?) async throws -> Int {
        while true {
            if let length = complete(pending) { return length }
            guard let chunk = try await chunks.next(within: deadline - .now) else {
                throw TestFailure("connection ended with \(pending.count) unread bytes")
            }
            pending += chunk
        }
    }

    /// The next CRLF-terminated line, without its CRLF.
    private func line(until deadline: ContinuousClock.Instant) async throws -> String {
        let end = try await fill(until: deadline) { bytes in
            bytes.indices.dropLast().first { bytes[$0] == 13 && bytes[$0 + 1] == 10 }.map { $0 + 2 }
        }
        defer { pending.removeFirst(end) }
        return String(decoding: pending[..<(end - 2)], as: UTF8.self)
    }

    /// The index just past the blank line that ends an HTTP head, if it has arrived.
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }.map { $0 + 4 }
    }
}

/// An HTTP/1.1 response as read from the wire.
struct RawHTTPResponse {
    /// The status code, 0 if the status line could not be read.
    var status: Int
    /// The header fields, by lowercased name.
    var headers: [String: String]
    var body: [UInt8] = []

    init(head: String) {
        let lines = head.components(separatedBy: "\r\n")
        status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        headers = Dictionary(
            lines.dropFirst().compactMap { line in
                line.firstIndex(of: ":").map { (line[..<$0].lowercased(), line[line.index(after: $0)...].trimmingCharacters(in: .whitespaces)) }
            }
        ) { $1 }
    }
}

/// A frame from the server, parsed from the wire (RFC 6455 §5.2).
struct ServerFrame {
    var fin: Bool
    var opcode: UInt8
    /// Whether the mask bit was set: a server must never set it.
    var isMasked: Bool
    /// The payload, unmasked if it was masked.
    var payload: [UInt8]
    /// The frame's size on the wire.
    var wireLength: Int

    /// The frame at the start of `bytes`, if it has arrived whole.
    static func parse(_ bytes: [UInt8]) -> ServerFrame? {
        guard bytes.count >= 2 else { return nil }
        let isMasked = bytes[1] & 0x80 != 0
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        let key = isMasked ? Array(bytes.dropFirst(offset).prefix(4)) : []
        offset += key.count
        guard key.count == (isMasked ? 4 : 0), bytes.count >= offset + length else { return nil }
        let payload = bytes[offset..<(offset + length)].enumerated().map { isMasked ? $1 ^ key[$0 % 4] : $1 }
        return ServerFrame(fin: bytes[0] & 0x80 != 0, opcode: bytes[0] & 0x0F, isMasked: isMasked, payload: payload, wireLength: offset + length)
    }

    /// The payload as UTF-8 text.
    var text: String { String(decoding: payload, as: UTF8.self) }

    /// A close frame's status code, if it has one.
    var closeCode: UInt16? {
        guard opcode == 0x8, payload.count >= 2 else { return nil }
        return UInt16(payload[0]) << 8 | UInt16(payload[1])
    }

    /// A text frame's payload decoded as a JSON object with its string fields.
    var json: [String: String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any]
        return object?.compactMapValues { $0 as? String } ?? [:]
    }
}

/// Hands every chunk read to a mailbox, and finishes it when the connection ends.
private final class ChunkCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let chunks: TestMailbox<[UInt8]>

    init(chunks: TestMailbox<[UInt8]>) {
        self.chunks = chunks
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        chunks.push(Array(unwrapInboundIn(data).readableBytesView))
    }

    func channelInactive(context: ChannelHandlerContext) {
        chunks.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
