/// The binary form of ``JournalRecord``s in the outbox journal's segment files: the on-disk format.
///
/// A segment file (`segment-<16-digit sequence>.log`) is a run of frames and nothing else: no file
/// header, because the name carries the order and every frame checks itself.
///
/// ```
/// frame    = length:u32 crc:u32 payload        (8-byte header, then `length` bytes)
///   length = bytes in payload, >= 1            (0 is damage: it is what a zero-filled tail reads as)
///   crc    = CRC-32/IEEE of payload            (see CRC32)
/// payload  = type:u8 fields...
///   1 event      eventID:str type:str timestamp:i64 payload:bytes
///   2 enqueued   deliveryID:str eventID:str subscriptionID:str createdAt:i64 attempts:i64 nextAttemptAt:i64
///   3 attempted  deliveryID:str attempt:i64 at:i64 durationMillis:i64 statusCode:i64 error:str
///                responseSnippet:bytes nextAttemptAt:i64
///   4 delivered  deliveryID:str at:i64
///   5 dead       deliveryID:str at:i64 reason:str
///   6 idempotency key:str fingerprint:str storedAt:i64 recipients:i64 timestamp:str
/// u8 / u32 / i64 = fixed width, little-endian (i64 two's complement; Swift `Int` fields are stored as i64)
/// str            = u32 byte count, then that many bytes of UTF-8
/// bytes          = u32 byte count, then the bytes
/// ```
///
/// A payload is consumed exactly (trailing bytes are damage). Type codes never change meaning: a new
/// kind of record takes a new code, and an unknown code decodes as ``FrameDamage/Kind/undecodable``,
/// which recovery reports but never truncates (a newer gateway may have written it).
///
/// Encoding appends into a caller's buffer, so that a batch of records becomes one contiguous
/// write without intermediate arrays; no Foundation, no JSON.
public enum JournalRecordCodec {
    /// Bytes before each payload: length and CRC.
    public static let frameHeaderBytes = 8

    /// Type codes of the payload's first byte.
    enum TypeCode: UInt8 {
        case event = 1
        case enqueued = 2
        case attempted = 3
        case delivered = 4
        case dead = 5
        case idempotencyKey = 6
    }

    /// Encodes `records` as consecutive frames.
    /// - Throws: ``JournalError`` when a field does not fit a `u32` length (over 4 GiB).
    public static func encode(_ records: [JournalRecord]) throws(JournalError) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(records.count * 128)
        for record in records {
            try encode(record, into: &buffer)
        }
        return buffer
    }

    /// Appends one frame (header and payload) for `record` to `buffer`.
    ///
    /// The header is reserved first and patched once the payload is in place, so the payload is
    /// written exactly once and summed in place.
    /// - Throws: ``JournalError`` when a field does not fit a `u32` length (over 4 GiB).
    public static func encode(_ record: JournalRecord, into buffer: inout [UInt8]) throws(JournalError) {
        let start = buffer.count
        var writer = JournalFieldWriter(buffer: buffer)
        buffer = []  // the writer now holds the only reference: appends do not copy
        writer.buffer.append(contentsOf: repeatElement(0, count: frameHeaderBytes))
        do {
            try writePayload(of: record, to: &writer)
            try writer.sealFrame(startingAt: start)
        } catch {
            writer.buffer.removeSubrange(start...)
            buffer = writer.buffer
            throw error
        }
        buffer = writer.buffer
    }

    /// The type byte and fields of `record`, in the order of the table above.
    private static func writePayload(of record: JournalRecord, to writer: inout JournalFieldWriter) throws(JournalError) {
        switch record {
        case .event(let event):
            writer.byte(TypeCode.event.rawValue)
            try writer.string(event.eventID)
            try writer.string(event.type)
            writer.int64(event.timestamp)
            try writer.bytes(event.payload)
        case .enqueued(let delivery):
            writer.byte(TypeCode.enqueued.rawValue)
            try writer.string(delivery.deliveryID)
            try writer.string(delivery.eventID)
            try writer.string(delivery.subscriptionID)
            writer.int64(delivery.createdAt)
            writer.int64(Int64(delivery.attempts))
            writer.int64(delivery.nextAttemptAt)
        case .attempted(let attempt):
            writer.byte(TypeCode.attempted.rawValue)
            try writer.string(attempt.deliveryID)
            writer.int64(Int64(attempt.attempt))
            writer.int64(attempt.at)
            writer.int64(attempt.durationMillis)
            writer.int64(Int64(attempt.statusCode))
            try writer.string(attempt.error)
            try writer.bytes(attempt.responseSnippet)
            writer.int64(attempt.nextAttemptAt)
        case .delivered(let deliveryID, let at):
            writer.byte(TypeCode.delivered.rawValue)
            try writer.string(deliveryID)
            writer.int64(at)
        case .dead(let deliveryID, let at, let reason):
            writer.byte(TypeCode.dead.rawValue)
            try writer.string(deliveryID)
            writer.int64(at)
            try writer.string(reason)
        case .idempotencyKey(let answer):
            writer.byte(TypeCode.idempotencyKey.rawValue)
            try writer.string(answer.key)
            try writer.string(answer.fingerprint)
            writer.int64(answer.storedAt)
            writer.int64(Int64(answer.recipients))
            try writer.string(answer.timestamp)
        }
    }
}

/// Appends little-endian fields to a byte buffer that it owns for the duration of one encode
/// (moved in and out, so the array is never copied).
struct JournalFieldWriter {
    var buffer: [UInt8]

    mutating func byte(_ value: UInt8) {
        buffer.append(value)
    }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    /// A `str` field: UTF-8 byte count, then the bytes (native strings copy without transcoding).
    mutating func string(_ value: String) throws(JournalError) {
        try bytes(value.utf8)
    }

    /// A `bytes` field: count, then the bytes.
    mutating func bytes(_ value: some Collection<UInt8>) throws(JournalError) {
        guard let count = UInt32(exactly: value.count) else { throw .recordTooLarge(bytes: value.count) }
        uint32(count)
        buffer.append(contentsOf: value)
    }

    /// Writes the frame header reserved at `start`: the payload's length and CRC-32.
    mutating func sealFrame(startingAt start: Int) throws(JournalError) {
        let payloadStart = start + JournalRecordCodec.frameHeaderBytes
        let payloadCount = buffer.count - payloadStart
        guard let length = UInt32(exactly: payloadCount) else { throw .recordTooLarge(bytes: payloadCount) }
        let crc = CRC32.checksum(buffer[payloadStart...])
        for shift in 0..<4 {
            buffer[start + shift] = UInt8(truncatingIfNeeded: length >> (8 * shift))
            buffer[start + 4 + shift] = UInt8(truncatingIfNeeded: crc >> (8 * shift))
        }
    }
}
