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

extension IPAddress {
    /// Parses an IP address literal, strictly and without any system resolver.
    ///
    /// - IPv4: exactly four decimal parts `0`…`255`, digits only, no leading zeros (`01.2.3.4`
    ///   is refused because `inet_aton` would read it as octal), no shorthand (`1.2.3`, `2130706433`).
    /// - IPv6: every RFC 4291 text form: eight groups of one to four hex digits (either case), one
    ///   `::` standing for one or more zero groups, and a dotted-quad IPv4 tail (`::ffff:10.0.0.1`).
    ///   The address may be wrapped in `[` `]` (as in a URL host) and may end with a non-empty
    ///   `%zone` (e.g. `fe80::1%eth0`), which is accepted and ignored.
    ///
    /// No whitespace is trimmed. Returns `nil` for anything else.
    public init?(_ string: String) {
        self.init(utf8: Array(string.utf8)[...])
    }

    /// Parses an address literal given as UTF-8 bytes; see ``init(_:)``.
    init?(utf8: ArraySlice<UInt8>) {
        var text = utf8
        var mustBeV6 = false
        if text.first == AddressASCII.openBracket {
            guard text.count >= 2, text.last == AddressASCII.closeBracket else { return nil }
            text = text.dropFirst().dropLast()
            mustBeV6 = true
        }
        if let percent = text.firstIndex(of: AddressASCII.percent) {
            guard percent + 1 < text.endIndex, !text[(percent + 1)...].contains(AddressASCII.closeBracket) else { return nil }
            text = text[..<percent]
            mustBeV6 = true
        }
        if !mustBeV6, let value = Self.parseV4(text) {
            self = .v4(value)
        } else if let bytes = Self.parseV6(text) {
            self = .v6(bytes)
        } else {
            return nil
        }
    }

    /// Parses a strict dotted quad (see ``init(_:)``) into a host-order `UInt32`.
    static func parseV4(_ text: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: AddressASCII.dot, maxSplits: 4, omittingEmptySubsequences: false) {
            guard parts < 4, (1...3).contains(part.count), part.allSatisfy(AddressASCII.isDigit) else { return nil }
            guard part.count == 1 || part.first != AddressASCII.zero else { return nil }
            let number = part.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - AddressASCII.zero) }
            guard number <= 255 else { return nil }
            value = value << 8 | number
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    /// Parses the RFC 4291 text forms of an IPv6 address (without brackets or zone) into 16 bytes.
    static func parseV6(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var groups: [UInt16]
        if let compression = doubleColonIndex(in: text) {
            guard let head = parseGroups(text[..<compression], allowsIPv4Tail: false),
                let tail = parseGroups(text[(compression + 2)...], allowsIPv4Tail: true),
                head.count + tail.count <= 7
            else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = parseGroups(text, allowsIPv4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// The index of the first `::` in `text`, if any.
    private static func doubleColonIndex(in text: ArraySlice<UInt8>) -> Int? {
        guard text.count >= 2 else { return nil }
        return (text.startIndex..<(text.endIndex - 1)).first { text[$0] == AddressASCII.colon && text[$0 + 1] == AddressASCII.colon }
    }

    /// Parses colon-separated hex groups; the last one may be a dotted quad, worth two groups.
    ///
    /// An empty input is zero groups; an empty group (a stray `:` or a second `::`) is refused.
    private static func parseGroups(_ text: ArraySlice<UInt8>, allowsIPv4Tail: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let pieces = text.split(separator: AddressASCII.colon, maxSplits: 8, omittingEmptySubsequences: false)
        guard pieces.count <= 8 else { return nil }
        var groups: [UInt16] = []
        for (index, piece) in pieces.enumerated() {
            if allowsIPv4Tail, index == pieces.count - 1, piece.contains(AddressASCII.dot) {
                guard let value = parseV4(piece) else { return nil }
                groups += [UInt16(value >> 16), UInt16(value & 0xFFFF)]
            } else {
                guard (1...4).contains(piece.count) else { return nil }
                var group: UInt16 = 0
                for byte in piece {
                    guard let digit = AddressASCII.hexValue(byte) else { return nil }
                    group = group << 4 | UInt16(digit)
                }
                groups.append(group)
            }
        }
        return groups
    }
}

/// The ASCII bytes the address parsers look for.
enum AddressASCII {
    static let dot = UInt8(ascii: ".")
    static let colon = UInt8(ascii: ":")
    static let percent = UInt8(ascii: "%")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let slash = UInt8(ascii: "/")
    static let zero = UInt8(ascii: "0")

    /// Whether `byte` is `0`…`9`.
    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The value of a hex digit of either case, or `nil`.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
