extension GatewayConfiguration {
    /// The webhook registry's rules and limits.
    ///
    /// - `webhooks.maxSubscriptions` (int, default: 10000): creating more answers 422.
    /// - `webhooks.requireHttps` (bool, default: false): refuse `http://` URLs.
    /// - `webhooks.allowedNetworks` (list of CIDRs, default: empty): private, loopback and link-local
    ///   addresses are refused unless listed here (e.g. `127.0.0.0/8` for local development).
    /// - `webhooks.maxDescriptionBytes` (int, default: 1024), `webhooks.maxMetadataEntries` (int, default: 32).
    /// - `webhooks.secretGraceSeconds` (int, default: 86400): how long a rotated-out secret still signs.
    public struct Webhooks: Sendable {
        public var maxSubscriptions: Int
        public var requireHTTPS: Bool
        public var allowedNetworks: [CIDR]
        public var maxDescriptionBytes: Int
        public var maxMetadataEntries: Int
        public var secretGrace: Duration

        init(values: ConfigValues) throws {
            maxSubscriptions = try values.int("webhooks.maxSubscriptions", default: 10_000, in: 1...1_000_000)
            requireHTTPS = try values.bool("webhooks.requireHttps", default: false)
            allowedNetworks = try values.strings("webhooks.allowedNetworks", default: []).map { text in
                guard let network = CIDR(text.trimmingSpaces) else {
                    throw ConfigurationError(key: "webhooks.allowedNetworks", problem: "'\(text)' is not a CIDR such as 127.0.0.0/8 or ::1/128")
                }
                return network
            }
            maxDescriptionBytes = try values.int("webhooks.maxDescriptionBytes", default: 1024, in: 0...65536)
            maxMetadataEntries = try values.int("webhooks.maxMetadataEntries", default: 32, in: 0...1024)
            secretGrace = .seconds(try values.int("webhooks.secretGraceSeconds", default: 86_400, in: 0...(30 * 86_400)))
        }
    }

    /// Who may call the admin routes.
    ///
    /// - `auth.adminToken` (string, secret, default: none): the bearer token for `/webhooks*` and
    ///   `/deliveries*`. When absent the gateway creates one in `<data-dir>/admin-token` (mode 0600) on
    ///   first start and logs the UI URL with it once.
    /// - `auth.protectBroadcast` (bool, default: false): also require the token on `POST /broadcast*`.
    public struct Auth: Sendable {
        public var adminToken: String?
        public var protectBroadcast: Bool

        init(values: ConfigValues) throws {
            adminToken = try values.optionalString("auth.adminToken", isSecret: true)
            protectBroadcast = try values.bool("auth.protectBroadcast", default: false)
        }
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
