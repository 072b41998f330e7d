/// A block of addresses written `address/prefix-length`, such as `10.0.0.0/8` or `fe80::/10`.
///
/// Host bits are accepted and cleared (`10.1.2.3/8` is `10.0.0.0/8`). A block inside the
/// IPv4-mapped range with a prefix of 96 or more is stored as the IPv4 block it maps
/// (`::ffff:10.0.0.0/104` is `10.0.0.0/8`), and ``contains(_:)`` likewise sees a mapped address as
/// its IPv4 address. So an IPv4 block matches `::ffff:a.b.c.d` while an IPv6 block never does,
/// not even `::/0`: list `0.0.0.0/0` as well to open every IPv4 destination.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block: host bits cleared, never an IPv4-mapped IPv6 address.
    let network: IPAddress
    /// The number of leading bits that are fixed: 0…32 for IPv4, 0…128 for IPv6.
    let prefixLength: Int

    /// Parses `address/length`, or a bare address meaning `/32` (IPv4) or `/128` (IPv6).
    ///
    /// The address follows ``IPAddress/init(_:)``; the length is decimal without sign or leading
    /// zeros and at most 32 or 128. No whitespace is trimmed. Returns `nil` for anything else.
    public init?(_ string: String) {
        let bytes = Array(string.utf8)
        var addressText = bytes[...]
        var prefixText: ArraySlice<UInt8>?
        if let slash = bytes.lastIndex(of: AddressASCII.slash) {
            addressText = bytes[..<slash]
            prefixText = bytes[(slash + 1)...]
        }
        guard let address = IPAddress(utf8: addressText) else { return nil }
        let maximum = Self.maximumPrefixLength(of: address)
        var length = maximum
        if let prefixText {
            guard let parsed = Self.parsePrefixLength(prefixText), parsed <= maximum else { return nil }
            length = parsed
        }
        self.init(network: address, prefixLength: length)
    }

    /// The block of `prefixLength` leading bits of `network`, with host bits cleared.
    ///
    /// `prefixLength` is clamped to the address family's range; a mapped block becomes IPv4 as
    /// described on the type.
    init(network: IPAddress, prefixLength: Int) {
        var address = network
        var length = min(max(prefixLength, 0), Self.maximumPrefixLength(of: network))
        if let mapped = network.mappedIPv4, length >= 96 {
            address = .v4(mapped)
            length -= 96
        }
        switch address {
        case .v4(let value):
            self.network = .v4(value & Self.ipv4Mask(length))
        case .v6(let bytes):
            self.network = .v6(Self.masked(bytes, length))
        }
        self.prefixLength = length
    }

    /// `network/prefixLength` in canonical text, e.g. `10.0.0.0/8` or `2001:db8::/32`.
    public var description: String {
        "\(network)/\(prefixLength)"
    }

    /// Whether `address` lies in this block; an IPv4-mapped IPv6 address is tested as its IPv4 address.
    public func contains(_ address: IPAddress) -> Bool {
        switch (network, address.unmapped) {
        case (.v4(let block), .v4(let value)):
            return value & Self.ipv4Mask(prefixLength) == block
        case (.v6(let block), .v6(let bytes)):
            return bytes.count == 16 && Self.masked(bytes, prefixLength) == block
        default:
            return false
        }
    }

    /// 32 for IPv4, 128 for IPv6.
    private static func maximumPrefixLength(of address: IPAddress) -> Int {
        if case .v4 = address { 32 } else { 128 }
    }

    /// A decimal length of one to three digits without leading zeros, or `nil`.
    private static func parsePrefixLength(_ text: ArraySlice<UInt8>) -> Int? {
        guard (1...3).contains(text.count), text.allSatisfy(AddressASCII.isDigit) else { return nil }
        guard text.count == 1 || text.first != AddressASCII.zero else { return nil }
        return text.reduce(0) { $0 * 10 + Int($1 - AddressASCII.zero) }
    }

    /// The IPv4 netmask of `length` leading one bits.
    private static func ipv4Mask(_ length: Int) -> UInt32 {
        length <= 0 ? 0 : UInt32.max << UInt32(32 - min(length, 32))
    }

    /// `bytes` with every bit after the first `length` cleared; malformed input gives an empty array.
    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        guard bytes.count == 16 else { return [] }
        return bytes.enumerated().map { index, byte in
            let kept = min(max(length - index * 8, 0), 8)
            return kept == 8 ? byte : byte & ~(0xFF >> UInt8(kept))
        }
    }
}
