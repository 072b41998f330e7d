/// Where and why reading a run of frames stopped before the end of its bytes.
public struct FrameDamage: Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the frame at ``offset``.
    public enum Kind: Sendable, Equatable {
        /// Fewer than 8 bytes remain: the header itself was cut.
        case truncatedHeader
        /// The length runs past the end of the bytes: the payload was cut (or the length is garbage).
        case lengthPastEnd
        /// A zero length: never written by the encoder; what a zero-filled tail looks like.
        case emptyPayload
        /// The payload's CRC-32 differs from the header's.
        case checksumMismatch
        /// The checksum holds but the payload does not parse (unknown type code, short field, bad UTF-8).
        case undecodable(String)
    }

    public var kind: Kind
    /// Byte offset of the damaged frame's header: every byte before it belongs to good frames.
    public var offset: Int

    /// Whether this is what an interrupted write leaves (cut or unchecked bytes), which recovery may
    /// truncate; an ``Kind/undecodable`` frame passed its checksum, so it is kept for a newer reader.
    public var isTornWrite: Bool {
        if case .undecodable = kind { return false }
        return true
    }

    public var description: String {
        switch kind {
        case .truncatedHeader: "truncated frame header at byte \(offset)"
        case .lengthPastEnd: "frame at byte \(offset) runs past the end of the segment"
        case .emptyPayload: "empty frame at byte \(offset)"
        case .checksumMismatch: "CRC-32 mismatch in frame at byte \(offset)"
        case .undecodable(let reason): "undecodable record at byte \(offset): \(reason)"
        }
    }
}

/// The records read from a run of frames, and where reading stopped if it stopped early.
public struct DecodedFrames: Sendable, Equatable {
    public var records: [JournalRecord]
    /// Bytes covered by good frames: the length to truncate a damaged tail to.
    public var validBytes: Int
    /// `nil` when every byte belonged to a good frame.
    public var damage: FrameDamage?
}

extension JournalRecordCodec {
    /// Decodes consecutive frames from the start of `bytes`, stopping at the first damaged one.
    public static func decodeFrames(_ bytes: [UInt8]) -> DecodedFrames {
        bytes.withUnsafeBytes { raw in
            var result = DecodedFrames(records: [], validBytes: 0, damage: nil)
            var offset = 0
            while offset < raw.count {
                let remaining = raw.count - offset
                guard remaining >= frameHeaderBytes else {
                    result.damage = FrameDamage(kind: .truncatedHeader, offset: offset)
                    break
                }
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let crc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                let payloadStart = offset + frameHeaderBytes
                let damage: FrameDamage.Kind? =
                    if length == 0 {
                        .emptyPayload
                    } else if length > remaining - frameHeaderBytes {
                        .lengthPastEnd
                    } else if CRC32.checksum(raw[payloadStart..<payloadStart + length]) != crc {
                        .checksumMismatch
                    } else {
                        nil
                    }
                if let damage {
                    result.damage = FrameDamage(kind: damage, offset: offset)
                    break
                }
                do throws(JournalError) {
                    let payload = UnsafeRawBufferPointer(rebasing: raw[payloadStart..<payloadStart + length])
                    result.records.append(try decodePayload(payload))
                } catch {
                    result.damage = FrameDamage(kind: .undecodable(error.message), offset: offset)
                    break
                }
                offset = payloadStart + length
                result.validBytes = offset
            }
            return result
        }
    }

    /// Decodes one payload (type byte and fields), which must be consumed exactly.
    static func decodePayload(_ payload: UnsafeRawBufferPointer) throws(JournalError) -> JournalRecord {
        var reader = JournalFieldReader(payload)
        let code = try reader.byte()
        let record: JournalRecord
        switch TypeCode(rawValue: code) {
        case .event:
            record = .event(
                EventRecord(eventID: try reader.string(), type: try reader.string(), timestamp: try reader.int64(), payload: try reader.bytes())
            )
        case .enqueued:
            record = .enqueued(
                DeliveryRecord(
                    deliveryID: try reader.string(), eventID: try reader.string(), subscriptionID: try reader.string(),
                    createdAt: try reader.int64(), attempts: try reader.int(), nextAttemptAt: try reader.int64()
                )
            )
        case .attempted:
            record = .attempted(
                AttemptRecord(
                    deliveryID: try reader.string(), attempt: try reader.int(), at: try reader.int64(), durationMillis: try reader.int64(),
                    statusCode: try reader.int(), error: try reader.string(), responseSnippet: try reader.bytes(), nextAttemptAt: try reader.int64()
                )
            )
        case .delivered:
            record = .delivered(deliveryID: try reader.string(), at: try reader.int64())
        case .dead:
            record = .dead(deliveryID: try reader.string(), at: try reader.int64(), reason: try reader.string())
        case .idempotencyKey:
            record = .idempotencyKey(
                IdempotencyRecord(key: try reader.string(), fingerprint: try reader.string(), storedAt: try reader.int64(), recipients: try reader.int(), timestamp: try reader.string())
            )
        case nil:
            throw .undecodable("unknown record type \(code)")
        }
        guard reader.remaining == 0 else { throw .undecodable("\(reader.remaining) trailing bytes after a type \(code) record") }
        return record
    }
}

/// Reads little-endian fields from one payload, checking every length against what remains.
/// Swift evaluates arguments left to right, so reading fields inside an initializer call keeps the
/// on-disk order.
struct JournalFieldReader {
    let buffer: UnsafeRawBufferPointer
    private var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    var remaining: Int { buffer.count - offset }

    mutating func byte() throws(JournalError) -> UInt8 {
        try need(1, for: "type")
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func int64() throws(JournalError) -> Int64 {
        try need(8, for: "i64")
        defer { offset += 8 }
        return Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    /// An `i64` field read into a Swift `Int` (which it came from).
    mutating func int() throws(JournalError) -> Int {
        let value = try int64()
        guard let int = Int(exactly: value) else { throw .undecodable("integer \(value) does not fit Int") }
        return int
    }

    /// A `str` field; bytes that are not UTF-8 make the record undecodable rather than being repaired.
    mutating func string() throws(JournalError) -> String {
        let range = try lengthPrefixed()
        guard let string = String(validating: buffer[range], as: UTF8.self) else { throw .undecodable("a str field is not UTF-8") }
        return string
    }

    /// A `bytes` field, copied out of the segment buffer.
    mutating func bytes() throws(JournalError) -> [UInt8] {
        [UInt8](buffer[try lengthPrefixed()])
    }

    /// Reads a `u32` count and returns the range of the bytes it announces, after checking they exist.
    private mutating func lengthPrefixed() throws(JournalError) -> Range<Int> {
        try need(4, for: "length")
        let count = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        offset += 4
        try need(count, for: "field")
        defer { offset += count }
        return offset..<offset + count
    }

    /// Fails unless `count` more bytes remain.
    private func need(_ count: Int, for what: String) throws(JournalError) {
        guard count <= remaining else { throw .undecodable("\(what) needs \(count) bytes, \(remaining) left") }
    }
}
