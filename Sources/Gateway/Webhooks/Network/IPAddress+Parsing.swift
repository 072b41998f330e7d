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
