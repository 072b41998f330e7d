/// An IP address as plain numbers, independent of any socket API.
///
/// Parse text with ``init(_:)``; build from a `sockaddr` with `.v4(UInt32(bigEndian: sin.sin_addr.s_addr))`
/// or ``init(bytes:)``. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stays `.v6` as parsed, so two
/// spellings of one host are not `==`; rules that must treat them alike go through ``unmapped``.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address in host byte order: `127.0.0.1` is `0x7F00_0001`.
    case v4(UInt32)
    /// An IPv6 address as its 16 bytes in network (big-endian) order.
    ///
    /// An array of any other length is malformed: it prints as `invalid-ipv6(n bytes)`, classifies
    /// as reserved and lies in no ``CIDR``.
    case v6([UInt8])

    /// An IPv4 address from its four octets, most significant first: `IPAddress(127, 0, 0, 1)`.
    init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self = .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    /// An address from its raw bytes in network order, as found in `sin_addr` or `sin6_addr`.
    ///
    /// - Returns: `.v4` for 4 bytes, `.v6` for 16 bytes, `nil` for any other count.
    init?(bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        switch array.count {
        case 4: self = .v4(Self.uint32(array, at: 0))
        case 16: self = .v6(array)
        default: return nil
        }
    }

    /// The canonical text: dotted decimal for IPv4; for IPv6 the RFC 5952 form (lowercase hex, no
    /// leading zeros, the longest run of two or more zero groups, the first on a tie, written `::`),
    /// with IPv4-mapped addresses in mixed notation (`::ffff:10.0.0.1`) as RFC 5952 §5 recommends.
    public var description: String {
        switch self {
        case .v4(let value):
            return Self.dottedQuad(value)
        case .v6(let bytes):
            guard bytes.count == 16 else { return "invalid-ipv6(\(bytes.count) bytes)" }
            if let mapped = mappedIPv4 { return "::ffff:" + Self.dottedQuad(mapped) }
            return Self.compressedHex(Self.groups(bytes))
        }
    }

    /// The 16 bytes of a well-formed `.v6` address; `nil` for `.v4` and for malformed arrays.
    var v6Bytes: [UInt8]? {
        guard case .v6(let bytes) = self, bytes.count == 16 else { return nil }
        return bytes
    }

    /// The IPv4 address carried by an IPv4-mapped IPv6 address (`::ffff:0:0/96`), if this is one.
    var mappedIPv4: UInt32? {
        guard let bytes = v6Bytes, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return Self.uint32(bytes, at: 12)
    }

    /// This address, with an IPv4-mapped IPv6 address replaced by the IPv4 address it carries.
    ///
    /// A socket opened on `::ffff:127.0.0.1` reaches 127.0.0.1, so every IPv4 rule must see it as such.
    var unmapped: IPAddress {
        mappedIPv4.map { IPAddress.v4($0) } ?? self
    }

    /// Reads four bytes starting at `index` as a big-endian `UInt32`; the caller guarantees the bounds.
    static func uint32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        let high = UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16
        return high | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
    }

    /// `a.b.c.d` for an IPv4 address in host byte order.
    static func dottedQuad(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// The eight 16-bit groups of 16 IPv6 bytes.
    static func groups(_ bytes: [UInt8]) -> [UInt16] {
        stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    }

    /// Lowercase hex groups with the first longest run (two or more) of zero groups written as `::`.
    static func compressedHex(_ groups: [UInt16]) -> String {
        var bestStart = 0
        var bestLength = 0
        var runStart: Int?
        for index in 0...groups.count {
            if index < groups.count, groups[index] == 0 {
                if runStart == nil { runStart = index }
            } else if let start = runStart {
                if index - start > bestLength {
                    bestStart = start
                    bestLength = index - start
                }
                runStart = nil
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
