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

/// What kind of destination an address is, as far as the webhook SSRF guard cares.
///
/// The raw values are short stable names for logs and metrics.
public enum AddressCategory: String, Sendable, CaseIterable {
    case publicAddress = "public"
    case loopback
    case privateNetwork = "private"
    case linkLocal = "link-local"
    case sharedAddressSpace = "cgnat"
    case multicast
    case unspecified
    case broadcast
    case cloudMetadata = "cloud-metadata"
    case uniqueLocal = "unique-local"
    case reserved
    case documentation

    /// A short human description naming the ranges of this category, e.g. "loopback (127.0.0.0/8, ::1/128)".
    public var rule: String {
        switch self {
        case .publicAddress: "public (outside every special-purpose range)"
        case .loopback: "loopback (127.0.0.0/8, ::1/128)"
        case .privateNetwork: "private network (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"
        case .linkLocal: "link-local (169.254.0.0/16, fe80::/10)"
        case .sharedAddressSpace: "carrier-grade NAT shared address space (100.64.0.0/10)"
        case .multicast: "multicast (224.0.0.0/4, ff00::/8)"
        case .unspecified: "unspecified (0.0.0.0/8, ::/128)"
        case .broadcast: "limited broadcast (255.255.255.255/32)"
        case .cloudMetadata: "cloud metadata service (169.254.169.254/32, fd00:ec2::254/128)"
        case .uniqueLocal: "unique-local (fc00::/7)"
        case .reserved: "reserved (240.0.0.0/4, 192.0.0.0/24, 198.18.0.0/15, ::/96, 100::/64)"
        case .documentation: "documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)"
        }
    }

    /// The category as a noun phrase with its article, for messages: "a loopback address".
    var phrase: String {
        switch self {
        case .publicAddress: "a public address"
        case .loopback: "a loopback address"
        case .privateNetwork: "a private-network address"
        case .linkLocal: "a link-local address"
        case .sharedAddressSpace: "a carrier-grade NAT (shared address space) address"
        case .multicast: "a multicast address"
        case .unspecified: "an unspecified address"
        case .broadcast: "the broadcast address"
        case .cloudMetadata: "a cloud metadata service address"
        case .uniqueLocal: "a unique-local address"
        case .reserved: "a reserved address"
        case .documentation: "a documentation-only address"
        }
    }
}

/// The webhook SSRF guard's address rules: which destinations a delivery may connect to.
///
/// Used when a URL with a literal IP host is registered and again at connect time on every
/// resolved address. Public addresses are always allowed; every other ``AddressCategory`` is
/// refused unless one of ``allowedNetworks`` (the `webhooks.allowedNetworks` setting) contains
/// the address. Everything here is a pure function of its arguments.
public struct AddressPolicy: Sendable {
    /// The outcome of ``decide(_:)``.
    public enum Decision: Equatable, Sendable {
        /// The address may be connected to.
        case allow
        /// The address is not public and no allowed network contains it.
        case refuse(category: AddressCategory)
    }

    /// The configuration key operators use to open non-public networks.
    static let allowedNetworksKey = "webhooks.allowedNetworks"

    /// Non-public blocks that are nevertheless allowed, e.g. `127.0.0.0/8` for local development.
    public var allowedNetworks: [CIDR]

    /// This policy with loopback (`127.0.0.0/8`, `::1/128`) opened too.
    public var allowingLoopback: AddressPolicy {
        AddressPolicy(allowedNetworks: allowedNetworks + [CIDR("127.0.0.0/8"), CIDR("::1/128")].compactMap { $0 })
    }

    /// A policy allowing public addresses plus `allowedNetworks`.
    public init(allowedNetworks: [CIDR] = []) {
        self.allowedNetworks = allowedNetworks
    }

    /// Allows a public address, or any address that an allowed network contains (an IPv4-mapped
    /// address is matched as its IPv4 address); refuses the rest with its category.
    public func decide(_ address: IPAddress) -> Decision {
        let category = Self.classify(address)
        if category == .publicAddress || allowedNetworks.contains(where: { $0.contains(address) }) {
            return .allow
        }
        return .refuse(category: category)
    }

    /// Why `address` is refused, naming the range that matched and the setting that would allow it:
    /// "127.0.0.1 is a loopback address (127.0.0.0/8); add it to webhooks.allowedNetworks to allow it".
    ///
    /// Meant for an address ``decide(_:)`` refused; it looks at the classification only, not at
    /// ``allowedNetworks`` (for a public address it just says so).
    public func refusalMessage(for address: IPAddress) -> String {
        let match = Self.match(address)
        let statement = "\(address) is \(match.category.phrase)"
        guard match.category != .publicAddress else { return statement }
        return "\(statement) (\(match.range)); add it to \(Self.allowedNetworksKey) to allow it"
    }

    /// The category of `address`; see ``match(_:)`` for the order of the rules.
    public static func classify(_ address: IPAddress) -> AddressCategory {
        match(address).category
    }

    /// Whether `host` is a name that always means loopback (RFC 6761): `localhost` or any name under
    /// `.localhost`, in any case, with or without a trailing dot.
    public static func isLocalhostName(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name == "localhost" || name.hasSuffix(".localhost")
    }
}

extension AddressPolicy {
    /// A classification together with the specific range that decided it, e.g. `127.0.0.0/8`.
    struct Match: Equatable, Sendable {
        var category: AddressCategory
        /// The matched block in CIDR notation, with "via <scheme>" for an embedded IPv4 address;
        /// empty for a public address.
        var range: String
    }

    /// A special-purpose block and its category.
    struct SpecialRange: Sendable {
        var network: CIDR
        var category: AddressCategory
    }

    /// IPv4 special-purpose blocks, first match wins (so the metadata address and broadcast come
    /// before the blocks that contain them).
    static let ipv4RangeLiterals: [(String, AddressCategory)] = [
        ("0.0.0.0/8", .unspecified), ("255.255.255.255/32", .broadcast), ("169.254.169.254/32", .cloudMetadata),
        ("127.0.0.0/8", .loopback), ("10.0.0.0/8", .privateNetwork), ("172.16.0.0/12", .privateNetwork),
        ("192.168.0.0/16", .privateNetwork), ("169.254.0.0/16", .linkLocal), ("100.64.0.0/10", .sharedAddressSpace),
        ("224.0.0.0/4", .multicast), ("240.0.0.0/4", .reserved), ("192.0.0.0/24", .reserved), ("198.18.0.0/15", .reserved),
        ("192.0.2.0/24", .documentation), ("198.51.100.0/24", .documentation), ("203.0.113.0/24", .documentation),
    ]

    /// IPv6 special-purpose blocks, first match wins; checked after the IPv4-embedding prefixes.
    static let ipv6RangeLiterals: [(String, AddressCategory)] = [
        ("::/128", .unspecified), ("::1/128", .loopback), ("::/96", .reserved), ("fd00:ec2::254/128", .cloudMetadata),
        ("fe80::/10", .linkLocal), ("fc00::/7", .uniqueLocal), ("ff00::/8", .multicast), ("2001:db8::/32", .documentation),
        ("100::/64", .reserved),
    ]

    /// ``ipv4RangeLiterals`` parsed (a test checks that none is dropped).
    static let ipv4Ranges = ipv4RangeLiterals.compactMap { text, category in CIDR(text).map { SpecialRange(network: $0, category: category) } }

    /// ``ipv6RangeLiterals`` parsed (a test checks that none is dropped).
    static let ipv6Ranges = ipv6RangeLiterals.compactMap { text, category in CIDR(text).map { SpecialRange(network: $0, category: category) } }

    /// Classifies `address` and names the block that decided it.
    ///
    /// IPv4 goes through ``ipv4RangeLiterals``. IPv6 that embeds an IPv4 address (IPv4-mapped
    /// `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is classified as that IPv4
    /// address, since that is where the traffic ends up; other IPv6 goes through
    /// ``ipv6RangeLiterals``. A malformed `.v6` (not 16 bytes) is reserved. The rest is public.
    static func match(_ address: IPAddress) -> Match {
        let publicMatch = Match(category: .publicAddress, range: "")
        switch address {
        case .v4(let value):
            let range = ipv4Ranges.first { $0.network.contains(.v4(value)) }
            return range.map { Match(category: $0.category, range: $0.network.description) } ?? publicMatch
        case .v6(let bytes):
            guard bytes.count == 16 else { return Match(category: .reserved, range: "malformed IPv6 address") }
            if let embedded = embeddedIPv4(bytes) {
                var inner = match(.v4(embedded.address))
                if inner.category != .publicAddress { inner.range += " via \(embedded.scheme)" }
                return inner
            }
            let range = ipv6Ranges.first { $0.network.contains(address) }
            return range.map { Match(category: $0.category, range: $0.network.description) } ?? publicMatch
        }
    }

    /// The IPv4 address that 16 IPv6 bytes carry by a translation scheme, with the scheme's name.
    static func embeddedIPv4(_ bytes: [UInt8]) -> (address: UInt32, scheme: String)? {
        guard bytes.count == 16 else { return nil }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return (IPAddress.uint32(bytes, at: 12), "IPv4-mapped ::ffff:0:0/96")
        }
        if bytes[0..<12].elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) {
            return (IPAddress.uint32(bytes, at: 12), "NAT64 64:ff9b::/96")
        }
        if bytes[0] == 0x20, bytes[1] == 0x02 {
            return (IPAddress.uint32(bytes, at: 2), "6to4 2002::/16")
        }
        return nil
    }
}
