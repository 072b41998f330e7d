@testable import Gateway
import Testing

/// The webhook SSRF guard's address rules: classification of every special-purpose range at its
/// edges, embedded-IPv4 normalisation, allow-list decisions and refusal messages. Parsing, canonical
/// text and CIDR arithmetic are in `AddressPolicyTests+Parsing.swift`.
@Suite struct AddressPolicyTests {
    /// Parses a literal the test table guarantees to be valid.
    static func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress(text), "\(text) should parse")
    }

    /// Each IPv4 range: first and last address, and the neighbours just outside.
    static let ipv4Categories: [(String, AddressCategory)] = [
        ("0.0.0.0", .unspecified), ("0.255.255.255", .unspecified), ("1.0.0.0", .publicAddress),
        ("9.255.255.255", .publicAddress), ("10.0.0.0", .privateNetwork), ("10.255.255.255", .privateNetwork), ("11.0.0.0", .publicAddress),
        ("100.63.255.255", .publicAddress), ("100.64.0.0", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace),
        ("100.128.0.0", .publicAddress), ("126.255.255.255", .publicAddress), ("127.0.0.0", .loopback), ("127.0.0.1", .loopback),
        ("127.255.255.255", .loopback), ("128.0.0.0", .publicAddress), ("169.253.255.255", .publicAddress), ("169.254.0.0", .linkLocal),
        ("169.254.169.253", .linkLocal), ("169.254.169.254", .cloudMetadata), ("169.254.169.255", .linkLocal),
        ("169.254.255.255", .linkLocal), ("169.255.0.0", .publicAddress), ("172.15.255.255", .publicAddress),
        ("172.16.0.0", .privateNetwork), ("172.31.255.255", .privateNetwork), ("172.32.0.0", .publicAddress),
        ("191.255.255.255", .publicAddress), ("192.0.0.0", .reserved), ("192.0.0.255", .reserved), ("192.0.1.0", .publicAddress),
        ("192.0.1.255", .publicAddress), ("192.0.2.0", .documentation), ("192.0.2.255", .documentation), ("192.0.3.0", .publicAddress),
        ("192.167.255.255", .publicAddress), ("192.168.0.0", .privateNetwork), ("192.168.255.255", .privateNetwork),
        ("192.169.0.0", .publicAddress), ("198.17.255.255", .publicAddress), ("198.18.0.0", .reserved), ("198.19.255.255", .reserved),
        ("198.20.0.0", .publicAddress), ("198.51.99.255", .publicAddress), ("198.51.100.0", .documentation),
        ("198.51.100.255", .documentation), ("198.51.101.0", .publicAddress), ("203.0.112.255", .publicAddress),
        ("203.0.113.0", .documentation), ("203.0.113.255", .documentation), ("203.0.114.0", .publicAddress),
        ("223.255.255.255", .publicAddress), ("224.0.0.0", .multicast), ("239.255.255.255", .multicast), ("240.0.0.0", .reserved),
        ("255.255.255.254", .reserved), ("255.255.255.255", .broadcast), ("8.8.8.8", .publicAddress), ("1.1.1.1", .publicAddress),
    ]

    /// Each IPv6 range at its edges, plus public examples.
    static let ipv6Categories: [(String, AddressCategory)] = [
        ("::", .unspecified), ("::1", .loopback), ("::2", .reserved), ("::ffff:ffff", .reserved), ("::1:0:0", .publicAddress),
        ("fe80::", .linkLocal), ("fe80::1%eth0", .linkLocal), ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .linkLocal),
        ("fec0::", .publicAddress), ("fc00::", .uniqueLocal), ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .uniqueLocal),
        ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .publicAddress), ("fe00::", .publicAddress), ("fd00:ec2::254", .cloudMetadata),
        ("fd00:ec2::253", .uniqueLocal), ("fd00:ec2::255", .uniqueLocal), ("ff00::", .multicast), ("ff02::1", .multicast),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .multicast), ("2001:db8::", .documentation),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", .documentation), ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", .publicAddress),
        ("2001:db9::", .publicAddress), ("100::", .reserved), ("100::ffff:ffff:ffff:ffff", .reserved), ("100:0:0:1::", .publicAddress),
        ("ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .publicAddress), ("2606:4700:4700::1111", .publicAddress),
        ("2001:4860:4860::8888", .publicAddress),
    ]

    /// IPv6 addresses that carry an IPv4 address, classified as that IPv4 address.
    static let embeddedCategories: [(String, AddressCategory)] = [
        ("::ffff:0.0.0.0", .unspecified), ("::ffff:127.0.0.1", .loopback), ("::ffff:7f00:1", .loopback), ("::ffff:10.0.0.1", .privateNetwork),
        ("::ffff:169.254.169.254", .cloudMetadata), ("::ffff:255.255.255.255", .broadcast), ("::ffff:8.8.8.8", .publicAddress),
        ("::fffe:ffff:ffff", .publicAddress), ("64:ff9b::127.0.0.1", .loopback), ("64:ff9b::7f00:1", .loopback),
        ("64:ff9b::10.1.2.3", .privateNetwork), ("64:ff9b::169.254.169.254", .cloudMetadata), ("64:ff9b::100.64.0.1", .sharedAddressSpace),
        ("64:ff9b::8.8.8.8", .publicAddress), ("64:ff9b::1:0:0:1", .publicAddress), ("2002:7f00:1::", .loopback),
        ("2002:a9fe:a9fe::1", .cloudMetadata), ("2002:c0a8:101:1::1", .privateNetwork), ("2002:e000:1::", .multicast),
        ("2002:808:808::1", .publicAddress), ("2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .publicAddress), ("2003::7f00:1", .publicAddress),
    ]

    @Test(arguments: ipv4Categories)
    func ipv4AddressesAreClassifiedByTheirRange(text: String, expected: AddressCategory) throws {
        #expect(AddressPolicy.classify(try Self.address(text)) == expected)
    }

    @Test(arguments: ipv6Categories)
    func ipv6AddressesAreClassifiedByTheirRange(text: String, expected: AddressCategory) throws {
        #expect(AddressPolicy.classify(try Self.address(text)) == expected)
    }

    @Test(arguments: embeddedCategories)
    func mappedNat64And6to4AddressesAreClassifiedAsTheirEmbeddedIPv4(text: String, expected: AddressCategory) throws {
        #expect(AddressPolicy.classify(try Self.address(text)) == expected)
    }

    @Test(arguments: [
        ("::ffff:10.0.0.1", 0x0A00_0001 as UInt32?, "IPv4-mapped ::ffff:0:0/96"), ("64:ff9b::c000:221", 0xC000_0221, "NAT64 64:ff9b::/96"),
        ("2002:c000:221:5::9", 0xC000_0221, "6to4 2002::/16"), ("::10.0.0.1", nil, ""), ("64:ff9b:1::a00:1", nil, ""), ("2001:db8::1", nil, ""),
    ])
    func embeddedIPv4IsReadFromTheRightBits(text: String, expected: UInt32?, scheme: String) throws {
        let embedded = try Self.address(text).v6Bytes.flatMap(AddressPolicy.embeddedIPv4)
        #expect(embedded?.address == expected)
        #expect((embedded?.scheme ?? "") == scheme)
    }

    @Test func mappedAddressesNormaliseToIPv4AndOthersStayAsTheyAre() throws {
        #expect(try Self.address("::ffff:127.0.0.1").unmapped == .v4(0x7F00_0001))
        #expect(try Self.address("::ffff:127.0.0.1") != .v4(0x7F00_0001))
        #expect(try Self.address("64:ff9b::7f00:1").unmapped == (try Self.address("64:ff9b::7f00:1")))
        #expect(IPAddress.v4(0x7F00_0001).unmapped == .v4(0x7F00_0001))
    }

    @Test func malformedIPv6ByteArraysAreReservedAndMatchNoNetwork() throws {
        let malformed = IPAddress.v6([0, 0, 0, 1])
        #expect(AddressPolicy.classify(malformed) == .reserved)
        #expect(malformed.description == "invalid-ipv6(4 bytes)")
        #expect(try #require(CIDR("::/0")).contains(malformed) == false)
        #expect(AddressPolicy(allowedNetworks: [try #require(CIDR("::/0"))]).decide(malformed) == .refuse(category: .reserved))
    }

    @Test func everySpecialRangeLiteralParses() {
        #expect(AddressPolicy.ipv4Ranges.count == AddressPolicy.ipv4RangeLiterals.count)
        #expect(AddressPolicy.ipv6Ranges.count == AddressPolicy.ipv6RangeLiterals.count)
        for range in AddressPolicy.ipv4Ranges + AddressPolicy.ipv6Ranges {
            #expect(range.category.rule.contains(range.network.description), "\(range.category) rule should name \(range.network)")
        }
    }

    /// (allow list, address, decision).
    static let decisions: [([String], String, AddressPolicy.Decision)] = [
        ([], "127.0.0.1", .refuse(category: .loopback)), (["127.0.0.0/8"], "127.0.0.1", .allow),
        (["127.0.0.0/8"], "::ffff:127.0.0.1", .allow), (["127.0.0.0/8"], "127.255.255.255", .allow),
        (["127.0.0.0/8"], "::1", .refuse(category: .loopback)), (["127.0.0.0/8"], "10.0.0.1", .refuse(category: .privateNetwork)),
        (["127.0.0.0/8"], "64:ff9b::7f00:1", .refuse(category: .loopback)), (["127.0.0.0/8"], "2002:7f00:1::", .refuse(category: .loopback)),
        (["::1"], "::1", .allow), (["::1"], "127.0.0.1", .refuse(category: .loopback)), (["::ffff:127.0.0.1"], "127.0.0.1", .allow),
        (["10.0.0.0/8", "192.168.0.0/16"], "192.168.1.20", .allow), (["10.0.0.0/8"], "172.16.0.1", .refuse(category: .privateNetwork)),
        (["10.1.2.3/32"], "10.1.2.3", .allow), (["10.1.2.3/32"], "10.1.2.4", .refuse(category: .privateNetwork)),
        ([], "169.254.169.254", .refuse(category: .cloudMetadata)), (["169.254.0.0/16"], "169.254.169.254", .allow),
        ([], "fd00:ec2::254", .refuse(category: .cloudMetadata)), (["fc00::/7"], "fd12:3456::1", .allow),
        ([], "fe80::1%eth0", .refuse(category: .linkLocal)), ([], "0.0.0.0", .refuse(category: .unspecified)),
        ([], "::", .refuse(category: .unspecified)), ([], "255.255.255.255", .refuse(category: .broadcast)),
        ([], "224.0.0.1", .refuse(category: .multicast)), ([], "100.64.0.1", .refuse(category: .sharedAddressSpace)),
        ([], "192.0.2.1", .refuse(category: .documentation)), ([], "240.0.0.1", .refuse(category: .reserved)),
        (["64:ff9b::/96"], "64:ff9b::7f00:1", .allow), ([], "8.8.8.8", .allow), ([], "2606:4700:4700::1111", .allow),
        ([], "::ffff:8.8.8.8", .allow), (["0.0.0.0/0"], "::ffff:10.0.0.1", .allow), (["::/0"], "::ffff:10.0.0.1", .refuse(category: .privateNetwork)),
        (["::/0"], "::1", .allow), (["::/0"], "10.0.0.1", .refuse(category: .privateNetwork)),
    ]

    @Test(arguments: decisions)
    func publicAddressesAreAllowedAndOthersOnlyWhenAnAllowedNetworkContainsThem(
        allowList: [String], text: String, expected: AddressPolicy.Decision
    ) throws {
        let networks = try allowList.map { try #require(CIDR($0)) }
        #expect(AddressPolicy(allowedNetworks: networks).decide(try Self.address(text)) == expected)
    }

    @Test func theDefaultPolicyAllowsOnlyPublicAddresses() throws {
        #expect(AddressPolicy().allowedNetworks.isEmpty)
        #expect(AddressPolicy().decide(try Self.address("93.184.216.34")) == .allow)
        #expect(AddressPolicy().decide(try Self.address("192.168.0.1")) == .refuse(category: .privateNetwork))
    }

    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1 is a loopback address (127.0.0.0/8); add it to webhooks.allowedNetworks to allow it"),
        ("10.2.3.4", "10.2.3.4 is a private-network address (10.0.0.0/8); add it to webhooks.allowedNetworks to allow it"),
        (
            "169.254.169.254",
            "169.254.169.254 is a cloud metadata service address (169.254.169.254/32); add it to webhooks.allowedNetworks to allow it"
        ),
        ("::1", "::1 is a loopback address (::1/128); add it to webhooks.allowedNetworks to allow it"),
        (
            "::ffff:127.0.0.1",
            "::ffff:127.0.0.1 is a loopback address (127.0.0.0/8 via IPv4-mapped ::ffff:0:0/96); add it to webhooks.allowedNetworks to allow it"
        ),
        ("2002:7f00:1::", "2002:7f00:1:: is a loopback address (127.0.0.0/8 via 6to4 2002::/16); add it to webhooks.allowedNetworks to allow it"),
        ("FE80::0001", "fe80::1 is a link-local address (fe80::/10); add it to webhooks.allowedNetworks to allow it"),
        ("8.8.8.8", "8.8.8.8 is a public address"),
    ])
    func refusalMessagesNameTheCanonicalAddressTheRangeAndTheSetting(text: String, expected: String) throws {
        #expect(AddressPolicy().refusalMessage(for: try Self.address(text)) == expected)
    }

    @Test(arguments: ipv4Categories + ipv6Categories + embeddedCategories)
    func everyRefusalMessageNamesTheAllowListSetting(text: String, category: AddressCategory) throws {
        let address = try Self.address(text)
        guard category != .publicAddress else { return }
        let message = AddressPolicy().refusalMessage(for: address)
        #expect(message.hasPrefix("\(address) is \(category.phrase) ("))
        #expect(message.hasSuffix("; add it to webhooks.allowedNetworks to allow it"))
    }

    @Test(arguments: [
        (AddressCategory.publicAddress, "public"), (.loopback, "loopback"), (.privateNetwork, "private"), (.linkLocal, "link-local"),
        (.sharedAddressSpace, "cgnat"), (.multicast, "multicast"), (.unspecified, "unspecified"), (.broadcast, "broadcast"),
        (.cloudMetadata, "cloud-metadata"), (.uniqueLocal, "unique-local"), (.reserved, "reserved"), (.documentation, "documentation"),
    ])
    func categoriesHaveStableRawValuesAndARuleNamingTheirRanges(category: AddressCategory, rawValue: String) {
        #expect(category.rawValue == rawValue)
        #expect(AddressCategory(rawValue: rawValue) == category)
        #expect(category == .publicAddress || category.rule.contains("/"))
    }

    @Test func theLoopbackRuleReadsAsDocumented() {
        #expect(AddressCategory.loopback.rule == "loopback (127.0.0.0/8, ::1/128)")
        #expect(AddressCategory.allCases.count == 12)
    }

    @Test(arguments: [
        ("localhost", true), ("LOCALHOST", true), ("localhost.", true), ("LocalHost.", true), ("api.localhost", true),
        ("a.b.LOCALHOST", true), ("api.localhost.", true), ("localhost.com", false), ("notlocalhost", false), ("localhostx", false),
        ("localhost..", false), ("my-localhost", false), ("example.com", false), ("", false), ("127.0.0.1", false), ("::1", false),
    ])
    func localhostNamesAreRecognisedInAnyCase(host: String, expected: Bool) {
        #expect(AddressPolicy.isLocalhostName(host) == expected)
    }
}
