@testable import Gateway
import Testing

/// Address and CIDR parsing, canonical text and block membership.
extension AddressPolicyTests {
    @Test(arguments: [
        ("0.0.0.0", 0 as UInt32), ("127.0.0.1", 0x7F00_0001), ("255.255.255.255", 0xFFFF_FFFF), ("1.2.3.4", 0x0102_0304),
        ("10.0.0.255", 0x0A00_00FF), ("192.168.100.200", 0xC0A8_64C8), ("0.0.0.10", 0x0000_000A),
    ])
    func dottedQuadsParseToHostOrderIntegersAndPrintBack(text: String, value: UInt32) {
        #expect(IPAddress(text) == .v4(value))
        #expect(IPAddress.v4(value).description == text)
    }

    @Test func ipv4CanBeBuiltFromOctetsOrNetworkOrderBytes() {
        #expect(IPAddress(127, 0, 0, 1) == .v4(0x7F00_0001))
        #expect(IPAddress(bytes: [192, 0, 2, 1]) == .v4(0xC000_0201))
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 15) + [1]) == IPAddress("::1"))
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: []) == nil)
    }

    @Test(arguments: [
        "", " ", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.00", "256.0.0.1", "1.2.3.256", "999.1.1.1", "1000.1.1.1",
        "+1.2.3.4", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "1..2.3", "1.2.3.", ".1.2.3", "0x7f.0.0.1", "1.2.3.4/8", "2130706433",
        "127.1", "1.2.3.4%eth0", "[1.2.3.4]", "1.2.3.4:80", "a.b.c.d", "１.2.3.4", ":", ":::", "1:::2", "1::2::3", "::1::", ":1::",
        "1::2:", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "12345::", "g::", "::fffg", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7::8", "::1.2.3.4:5", "1.2.3.4::", "1.2.3.4::1", "::ffff:1.2.3", "::ffff:01.2.3.4", "::ffff:256.1.1.1",
        "1:2:3:4:5:6:7:1.2.3.4", "[::1", "::1]", "[::1]]", "[[::1]]", "[]", "[::1]:443", "fe80::1%", "[fe80::1%]", "[fe80::1]%eth0",
        "::1 ", "localhost", "example.com", "::1/128",
    ])
    func malformedAddressLiteralsAreRejected(text: String) {
        #expect(IPAddress(text) == nil)
    }

    /// (input, canonical RFC 5952 text).
    static let canonicalIPv6: [(String, String)] = [
        ("::", "::"), ("::1", "::1"), ("0:0:0:0:0:0:0:1", "::1"), ("0:0:0:0:0:0:0:0", "::"), ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"), ("1::", "1::"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"), ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"), ("1:0:0:2:0:0:0:0", "1:0:0:2::"),
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1"), ("::FFFF:a00:1", "::ffff:10.0.0.1"), ("0:0:0:0:0:ffff:7f00:1", "::ffff:127.0.0.1"),
        ("[::1]", "::1"), ("fe80::1%eth0", "fe80::1"), ("[fe80::1%25eth0]", "fe80::1"), ("::1.2.3.4", "::102:304"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"), ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ("fd00:ec2:0::254", "fd00:ec2::254"),
        ("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"), ("1:0:0:0:2:0:0:3", "1::2:0:0:3"),
        ("0:0:1:0:0:0:0:0", "0:0:1::"), ("::0:0:0", "::"), ("0001:0020:0300:4000::", "1:20:300:4000::"),
    ]

    @Test(arguments: canonicalIPv6)
    func ipv6InEveryTextFormPrintsCanonicallyAndRoundTrips(text: String, canonical: String) throws {
        let address = try Self.address(text)
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
        #expect(address.v6Bytes?.count == 16)
    }

    @Test func ipv6BytesAreInNetworkOrder() throws {
        #expect(try Self.address("2001:db8::ff00:42:8329").v6Bytes == [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0xFF, 0x00, 0x00, 0x42, 0x83, 0x29])
        #expect(try Self.address("::ffff:1.2.3.4").v6Bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4])
    }

    /// (input, canonical CIDR text).
    static let validCIDRs: [(String, String)] = [
        ("10.0.0.0/8", "10.0.0.0/8"), ("10.1.2.3/8", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0"), ("255.255.255.255/0", "0.0.0.0/0"),
        ("1.2.3.4", "1.2.3.4/32"), ("1.2.3.4/32", "1.2.3.4/32"), ("172.31.255.255/12", "172.16.0.0/12"), ("192.168.1.77/31", "192.168.1.76/31"),
        ("::1", "::1/128"), ("::1/128", "::1/128"), ("::/0", "::/0"), ("ffff::1/0", "::/0"), ("2001:db8::1/32", "2001:db8::/32"),
        ("fe80::1%eth0/64", "fe80::/64"), ("[fd00::1]/8", "fd00::/8"), ("febf::/9", "fe80::/9"), ("2001:db8:ffff::/33", "2001:db8:8000::/33"),
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"), ("::ffff:0:0/96", "0.0.0.0/0"), ("::ffff:127.0.0.1", "127.0.0.1/32"),
        ("::ffff:0:0/95", "::fffe:0:0/95"),
    ]

    @Test(arguments: validCIDRs)
    func cidrsParseWithHostBitsMaskedAndPrintCanonically(text: String, canonical: String) throws {
        let network = try #require(CIDR(text))
        #expect(network.description == canonical)
        #expect(CIDR(canonical) == network)
    }

    @Test(arguments: [
        "", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0/8", "10.0.0.0 /8",
        "10.0.0.0/ 8", "10.0.0.0/8 ", "::/129", "::1/1000", "::/0128", "::/", "localhost/8", "01.0.0.0/8", "10.0.0.0/x", "10.0.0.0/8.0",
        "[::1/128]", "10.0.0.0\u{0600}/8", "10.0.0.0/\u{0301}8",
    ])
    func malformedCIDRsAreRejected(text: String) {
        #expect(CIDR(text) == nil)
    }

    /// (block, address, contained).
    static let memberships: [(String, String, Bool)] = [
        ("10.0.0.0/8", "10.0.0.0", true), ("10.0.0.0/8", "10.255.255.255", true), ("10.0.0.0/8", "11.0.0.0", false),
        ("10.0.0.0/8", "9.255.255.255", false), ("10.1.2.3/8", "10.200.0.1", true), ("0.0.0.0/0", "0.0.0.0", true),
        ("0.0.0.0/0", "255.255.255.255", true), ("0.0.0.0/0", "::1", false), ("0.0.0.0/0", "::ffff:1.2.3.4", true),
        ("::/0", "::", true), ("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true), ("::/0", "1.2.3.4", false),
        ("::/0", "::ffff:1.2.3.4", false), ("127.0.0.0/8", "::ffff:127.0.0.1", true), ("127.0.0.0/8", "::127.0.0.1", false),
        ("::ffff:127.0.0.0/104", "127.0.0.1", true), ("::ffff:127.0.0.0/104", "::ffff:127.9.9.9", true),
        ("127.0.0.0/8", "64:ff9b::127.0.0.1", false), ("64:ff9b::/96", "64:ff9b::127.0.0.1", true),
        ("1.2.3.4/32", "1.2.3.4", true), ("1.2.3.4/32", "1.2.3.5", false), ("1.2.3.4/32", "1.2.3.3", false),
        ("192.168.1.0/31", "192.168.1.1", true), ("192.168.1.0/31", "192.168.1.2", false), ("::1/128", "::1", true),
        ("::1/128", "::2", false), ("::1/128", "::", false), ("fe80::/10", "fe80::", true), ("fe80::/10", "febf::1", true),
        ("fe80::/10", "fec0::1", false), ("fe80::/10", "fe7f:ffff::", false), ("2001:db8::/32", "2001:db8:ffff::1", true),
        ("2001:db8::/32", "2001:db9::", false), ("2001:db8::/33", "2001:db8:7fff:ffff::", true), ("2001:db8::/33", "2001:db8:8000::", false),
        ("fe80::/64", "fe80::1%eth0", true), ("100::/64", "100::ffff:ffff:ffff:ffff", true), ("100::/64", "100:0:0:1::", false),
    ]

    @Test(arguments: memberships)
    func cidrMembershipComparesOnlyThePrefixBitsOfTheSameFamily(block: String, text: String, expected: Bool) throws {
        let network = try #require(CIDR(block))
        #expect(network.contains(try Self.address(text)) == expected)
    }

    @Test func equalBlocksCompareEqualWhateverHostBitsWereWritten() throws {
        #expect(CIDR("10.1.2.3/8") == CIDR("10.0.0.0/8"))
        #expect(CIDR("::ffff:10.0.0.0/104") == CIDR("10.0.0.0/8"))
        #expect(CIDR("10.0.0.0/8") != CIDR("10.0.0.0/9"))
        #expect(Set([try #require(CIDR("10.1.0.0/8")), try #require(CIDR("10.2.0.0/8"))]).count == 1)
    }
}
