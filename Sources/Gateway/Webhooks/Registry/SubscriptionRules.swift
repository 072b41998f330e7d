#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Validation of subscription fields: pure functions of the input and the configured limits.
///
/// Each failure is a ``WebhookError/Kind/invalidField`` naming the field, which the HTTP layer
/// answers with 422.
public struct SubscriptionRules: Sendable {
    public var limits: GatewayConfiguration.Webhooks
    public var addressPolicy: AddressPolicy
    /// The gateway's own inspector URLs, the one loopback destination allowed without `webhooks.allowedNetworks`.
    public var inspector: InspectorAddress?

    public init(limits: GatewayConfiguration.Webhooks, inspector: InspectorAddress? = nil) {
        self.limits = limits
        self.addressPolicy = AddressPolicy(allowedNetworks: limits.allowedNetworks)
        self.inspector = inspector
    }

    /// Headers a subscription may not set: hop-by-hop, framing, and the signature headers.
    static let forbiddenHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length", "content-type",
    ]

    /// An absolute http(s) URL with a host, ≤ 2048 characters, no spaces or control characters, no
    /// fragment or credentials; the host a DNS name (ASCII; IDNs in punycode), an IPv4 address or a
    /// bracketed IPv6 address, and not a literal private/loopback/link-local address (or `localhost`)
    /// unless `webhooks.allowedNetworks` opens it.
    /// - Parameter checkAddress: `false` when loading stored files: a config change must not quarantine
    ///   data; the connect-time guard refuses such addresses anyway.
    public func url(_ text: String, checkAddress: Bool = true) throws -> String {
        guard text.utf8.count <= 2048 else { throw WebhookError.invalid("url", "must be at most 2048 characters") }
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else {
            throw WebhookError.invalid("url", "must not contain spaces or control characters (percent-encode them)")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw WebhookError.invalid("url", "must be an absolute http or https URL")
        }
        guard scheme == "http" || scheme == "https" else { throw WebhookError.invalid("url", "scheme must be http or https, not \(scheme)") }
        if limits.requireHTTPS, scheme != "https" { throw WebhookError.invalid("url", "must use https (webhooks.requireHttps is on)") }
        guard let host = components.host, !host.isEmpty else { throw WebhookError.invalid("url", "must have a host") }
        guard Self.isValidHost(host) else {
            throw WebhookError.invalid("url", "host '\(host)' is not a DNS name, an IPv4 address or a bracketed IPv6 address")
        }
        guard components.fragment == nil else { throw WebhookError.invalid("url", "must not have a fragment") }
        guard components.user == nil, components.password == nil else {
            throw WebhookError.invalid("url", "must not carry credentials; use the subscription's headers")
        }
        guard checkAddress, inspector?.isInspectorURL(text) != true else { return text }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let address = IPAddress(bareHost), case .refuse = addressPolicy.decide(address) {
            throw WebhookError.invalid("url", addressPolicy.refusalMessage(for: address))
        }
        if AddressPolicy.isLocalhostName(bareHost), let loopback = IPAddress("127.0.0.1"), case .refuse = addressPolicy.decide(loopback) {
            throw WebhookError.invalid("url", "\(bareHost) is a loopback name; add 127.0.0.0/8 to webhooks.allowedNetworks to allow it")
        }
        return text
    }

    /// A DNS name (letters, digits and `-` in dot-separated labels of 1–63, not starting or ending with
    /// `-`; an optional final dot), an IPv4 address, or `[IPv6]`.
    static func isValidHost(_ host: String) -> Bool {
        if host.hasPrefix("[") { return host.hasSuffix("]") && IPAddress(String(host.dropFirst().dropLast())) != nil }
        let name = host.hasSuffix(".") ? host.dropLast() : Substring(host)
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }

    /// Known event names or `*`; at least one; duplicates removed, order kept.
    public func events(_ names: [String]) throws -> [String] {
        guard !names.isEmpty else { throw WebhookError.invalid("events", "must name at least one event, or \"*\" for all") }
        for name in names where name != WebhookEventType.wildcard && !WebhookEventType.isKnown(name) {
            throw WebhookError.invalid("events", "unknown event '\(name)'; GET /events lists them")
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// `whsec_` followed by base64 of 24 to 64 bytes.
    public func secret(_ text: String) throws -> String {
        guard text.hasPrefix("whsec_"), let key = Data(base64Encoded: String(text.dropFirst(6))), (24...64).contains(key.count) else {
            throw WebhookError.invalid("secret", "must be whsec_ followed by base64 of 24 to 64 bytes")
        }
        return text
    }

    /// A new secret: `whsec_` + base64 of 32 random bytes.
    public static func generateSecret() -> String { "whsec_" + Data(Secrets.randomBytes(32)).base64EncodedString() }

    /// Custom headers: token names, no CR/LF in values, none of ``forbiddenHeaders`` or `webhook-*`.
    public func headers(_ headers: [String: String]) throws -> [String: String] {
        guard headers.count <= 20 else { throw WebhookError.invalid("headers", "at most 20 headers") }
        for (name, value) in headers {
            let lower = name.lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else { throw WebhookError.invalid("headers", "'\(name)' is not a valid header name") }
            guard !Self.forbiddenHeaders.contains(lower), !lower.hasPrefix("webhook-") else {
                throw WebhookError.invalid("headers", "'\(name)' is set by the gateway and cannot be overridden")
            }
            guard value.utf8.count <= 1024, !value.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) else {
                throw WebhookError.invalid("headers", "the value of '\(name)' must be one line of at most 1024 bytes")
            }
        }
        return headers
    }

    /// At most `webhooks.maxDescriptionBytes` bytes.
    public func description(_ text: String) throws -> String {
        guard text.utf8.count <= limits.maxDescriptionBytes else {
            throw WebhookError.invalid("description", "must be at most \(limits.maxDescriptionBytes) bytes")
        }
        return text
    }

    /// At most `webhooks.maxMetadataEntries` entries; keys ≤ 64 bytes, values ≤ 512 bytes.
    public func metadata(_ metadata: [String: String]) throws -> [String: String] {
        guard metadata.count <= limits.maxMetadataEntries else {
            throw WebhookError.invalid("metadata", "at most \(limits.maxMetadataEntries) entries")
        }
        for (key, value) in metadata where key.isEmpty || key.utf8.count > 64 || value.utf8.count > 512 {
            throw WebhookError.invalid("metadata", "keys must be 1 to 64 bytes and values at most 512 bytes ('\(key.prefix(64))')")
        }
        return metadata
    }

    /// Rate limit 1…10 000 per second, in-flight cap 1…1000.
    public func delivery(_ settings: WebhookSubscription.DeliverySettings) throws -> WebhookSubscription.DeliverySettings {
        if let rate = settings.rateLimitPerSecond, !(1...10_000).contains(rate) {
            throw WebhookError.invalid("delivery.rate_limit_per_second", "must be between 1 and 10000")
        }
        if let cap = settings.maxInFlight, !(1...1000).contains(cap) {
            throw WebhookError.invalid("delivery.max_in_flight", "must be between 1 and 1000")
        }
        return settings
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
