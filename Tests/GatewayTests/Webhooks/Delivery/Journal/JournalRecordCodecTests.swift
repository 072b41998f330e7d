import Testing
@testable import Gateway

/// The on-disk format: round trips, the documented byte layout, and every kind of damage.
@Suite struct JournalRecordCodecTests {
    @Test func crc32MatchesTheIEEECheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func crc32SummedInPiecesEqualsTheWhole() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        var crc = CRC32()
        crc.update(with: bytes[..<10])
        crc.update(with: bytes[10...])
        #expect(crc.value == CRC32.checksum(bytes))
        #expect(crc.value == 0x414F_A339)
    }

    @Test func crc32AgreesWithTheBitwiseDefinitionAtEveryLengthAndSplit() {
        // The table-driven (eight bytes per step) checksum against the plain bitwise one.
        func bitwise(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return ~crc
        }
        var generator = SystemRandomNumberGenerator()
        for length in 0..<80 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(CRC32.checksum(bytes) == bitwise(bytes), "length \(length)")
            let split = length / 3
            var crc = CRC32()
            crc.update(with: bytes[..<split])
            crc.update(with: bytes[split...].lazy.map { $0 })  // a non-contiguous collection
            #expect(crc.value == bitwise(bytes), "split at \(split) of \(length)")
        }
    }

    @Test func everyRecordKindRoundTrips() throws {
        for record in JournalSamples.everyKind {
            let bytes = try JournalRecordCodec.encode([record])
            let decoded = JournalRecordCodec.decodeFrames(bytes)
            #expect(decoded.records == [record])
            #expect(decoded.damage == nil)
            #expect(decoded.validBytes == bytes.count)
        }
    }

    @Test func aRunOfFramesDecodesInOrder() throws {
        let bytes = try JournalRecordCodec.encode(JournalSamples.everyKind)
        #expect(JournalRecordCodec.decodeFrames(bytes) == DecodedFrames(records: JournalSamples.everyKind, validBytes: bytes.count, damage: nil))
    }

    @Test func aFrameFollowsTheDocumentedLayout() throws {
        let bytes = try JournalRecordCodec.encode([.delivered(deliveryID: "d1", at: 0x0102_0304_0506_0708)])
        let payload: [UInt8] = [4, 2, 0, 0, 0, UInt8(ascii: "d"), UInt8(ascii: "1"), 8, 7, 6, 5, 4, 3, 2, 1]
        let crc = CRC32.checksum(payload)
        let header: [UInt8] = [15, 0, 0, 0, UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
        #expect(bytes == header + payload)
    }

    @Test func aFlippedPayloadByteIsAChecksumMismatch() throws {
        var bytes = try JournalRecordCodec.encode(JournalSamples.events(0..<2))
        let second = try JournalRecordCodec.encode([JournalSamples.event(0)]).count
        bytes[second + 12] ^= 0x01
        let decoded = JournalRecordCodec.decodeFrames(bytes)
        #expect(decoded.records == [JournalSamples.event(0)])
        #expect(decoded.damage == FrameDamage(kind: .checksumMismatch, offset: second))
        #expect(decoded.validBytes == second)
    }

    @Test func aCutFrameIsTornAtItsStart() throws {
        let bytes = try JournalRecordCodec.encode(JournalSamples.events(0..<2))
        let first = try JournalRecordCodec.encode([JournalSamples.event(0)]).count

        let cutPayload = JournalRecordCodec.decodeFrames(Array(bytes.dropLast(3)))
        #expect(cutPayload.records == [JournalSamples.event(0)])
        #expect(cutPayload.damage == FrameDamage(kind: .lengthPastEnd, offset: first))

        let cutHeader = JournalRecordCodec.decodeFrames(Array(bytes[..<(first + 5)]))
        #expect(cutHeader.damage == FrameDamage(kind: .truncatedHeader, offset: first))
        #expect(cutHeader.damage?.isTornWrite == true)
    }

    @Test func aZeroFilledTailIsDamageNotEmptyRecords() throws {
        let good = try JournalRecordCodec.encode([JournalSamples.event(0)])
        let decoded = JournalRecordCodec.decodeFrames(good + [UInt8](repeating: 0, count: 64))
        #expect(decoded.records == [JournalSamples.event(0)])
        #expect(decoded.damage == FrameDamage(kind: .emptyPayload, offset: good.count))
    }

    @Test func anUnknownTypeWithAValidChecksumIsUndecodableNotTorn() {
        let decoded = JournalRecordCodec.decodeFrames(Self.frame([99, 1, 2, 3]))
        #expect(decoded.records.isEmpty)
        #expect(decoded.damage?.kind == .undecodable("unknown record type 99"))
        #expect(decoded.damage?.isTornWrite == false)
    }

    @Test func trailingBytesOrBadUTF8InAPayloadAreUndecodable() {
        let delivered: [UInt8] = [4, 1, 0, 0, 0, UInt8(ascii: "d")] + [UInt8](repeating: 0, count: 8)
        #expect(JournalRecordCodec.decodeFrames(Self.frame(delivered)).records == [.delivered(deliveryID: "d", at: 0)])
        #expect(JournalRecordCodec.decodeFrames(Self.frame(delivered + [0])).damage?.isTornWrite == false)
        var badText = delivered
        badText[5] = 0xFF
        #expect(JournalRecordCodec.decodeFrames(Self.frame(badText)).damage?.kind == .undecodable("a str field is not UTF-8"))
    }

    @Test func aFieldLongerThanItsPayloadIsUndecodable() {
        let decoded = JournalRecordCodec.decodeFrames(Self.frame([4, 0xFF, 0xFF, 0xFF, 0x7F, 0]))
        #expect(decoded.damage?.isTornWrite == false)
        #expect(decoded.records.isEmpty)
    }

    /// A frame with a correct header around any payload.
    private static func frame(_ payload: [UInt8]) -> [UInt8] {
        var header: [UInt8] = []
        for value in [UInt32(payload.count), CRC32.checksum(payload)] {
            withUnsafeBytes(of: value.littleEndian) { header.append(contentsOf: $0) }
        }
        return header + payload
    }
}
