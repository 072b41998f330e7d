public import NIOCore

/// Writes one flat JSON object of string fields straight into a `ByteBuffer`.
///
/// The fan-out hot path encodes every broadcast exactly once; this avoids `JSONEncoder`'s
/// per-call cost (~6 µs here) for the handful of string fields a hub message has.
public struct JSONObjectWriter {
    private var buffer: ByteBuffer
    private var isFirst = true

    /// Starts an object with room for `capacity` bytes.
    public init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
        buffer.writeInteger(UInt8(ascii: "{"))
    }

    /// Appends `"name": "value"` with the value escaped per RFC 8259.
    public mutating func field(_ name: String, _ value: String) {
        if !isFirst { buffer.writeInteger(UInt8(ascii: ",")) }
        isFirst = false
        writeString(name)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeString(value)
    }

    /// Closes the object and returns the bytes.
    public mutating func finish() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    private mutating func writeString(_ string: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        let utf8 = string.utf8
        let needsEscaping = utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if !needsEscaping {
            buffer.writeString(string)
        } else {
            for byte in utf8 { writeEscaped(byte) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
        case 0..<0x20:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hex[Int(byte >> 4)])
            buffer.writeInteger(hex[Int(byte & 0x0f)])
        default: buffer.writeInteger(byte)
        }
    }
}
