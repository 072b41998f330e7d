/// CRC-32 (IEEE 802.3: reflected polynomial `0xEDB88320`, initial value and final XOR `0xFFFFFFFF`),
/// the checksum of zlib, PNG and Ethernet; `"123456789"` gives `0xCBF43926`.
///
/// Table-driven, one byte per step: the journal checks every record it writes and reads, and a
/// 256-entry table is about eight times faster than the bitwise loop while staying small and obvious.
struct CRC32: Sendable, Equatable {
    /// The checksum so far (already finalised: ``value`` of the bytes given until now).
    private(set) var value: UInt32 = 0

    /// An empty checksum, to ``update(with:)`` piecewise.
    init() {}

    /// The checksum of `bytes` in one call.
    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(with: bytes)
        return crc.value
    }

    /// Adds `bytes` to the checksum, so that a record split in parts sums like the whole.
    mutating func update(with bytes: some Collection<UInt8>) {
        var crc = ~value
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            crc = Self.step(crc, over: buffer)
        }
        if done == nil {
            crc = Self.step(crc, over: Array(bytes))
        }
        value = ~crc
    }

    /// The inner loop over contiguous bytes, with the table read without bounds checks.
    private static func step(_ start: UInt32, over bytes: some Collection<UInt8>) -> UInt32 {
        Self.table.withUnsafeBufferPointer { table in
            var crc = start
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
            return crc
        }
    }

    /// Entry `n` is the CRC of the single byte `n`; built once, on first use (a `static let` is lazily
    /// and thread-safely initialised, and immutable afterwards).
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
        return crc
    }
}
