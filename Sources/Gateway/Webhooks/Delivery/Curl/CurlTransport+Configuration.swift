extension CurlTransport {
    /// Limits, identity and SSRF policy of a ``CurlTransport``; the values come from the gateway's
    /// `webhooks.delivery` configuration.
    public struct Configuration: Sendable {
        /// `User-Agent` for requests that do not carry their own, e.g. `gateway/1.0`.
        public var userAgent: String
        /// Transfers handed to libcurl at once (default 256); the rest wait in the inbox.
        public var maxConcurrentTransfers: Int
        /// Connections to one host at once, `CURLMOPT_MAX_HOST_CONNECTIONS` (default 32); also the number of
        /// transfers per `scheme://host:port` handed to libcurl at once (the rest wait in Swift).
        public var maxHostConnections: Int
        /// Sends that may wait for a free transfer slot (default 10 000); beyond it `send` throws
        /// `.overloaded` at once.
        public var inboxCapacity: Int
        /// Response body bytes kept (default 4096); the rest is read and dropped.
        public var maxResponseBytes: Int
        /// Which resolved addresses may be connected to (the SSRF guard).
        public var addressPolicy: AddressPolicy
        /// A PEM file of CA certificates to verify servers with (`CURLOPT_CAINFO`) instead of the
        /// system's bundle, for receivers behind a private CA. Verification itself is always on.
        public var caFile: String?

        /// A configuration; limits below 1 are treated as 1 (0 bytes for `maxResponseBytes`).
        ///
        /// - Parameters:
        ///   - userAgent: Default `User-Agent`.
        ///   - maxConcurrentTransfers: Transfers in libcurl at once.
        ///   - maxHostConnections: Connections per host.
        ///   - inboxCapacity: Waiting sends before `.overloaded`.
        ///   - maxResponseBytes: Response body bytes kept.
        ///   - addressPolicy: The SSRF rules; the default allows public addresses only.
        ///   - caFile: CA certificates to trust instead of the system's; `nil` for the system's.
        public init(
            userAgent: String,
            maxConcurrentTransfers: Int = 256,
            maxHostConnections: Int = 32,
            inboxCapacity: Int = 10_000,
            maxResponseBytes: Int = 4096,
            addressPolicy: AddressPolicy = AddressPolicy(),
            caFile: String? = nil
        ) {
            self.userAgent = userAgent
            self.maxConcurrentTransfers = maxConcurrentTransfers
            self.maxHostConnections = maxHostConnections
            self.inboxCapacity = inboxCapacity
            self.maxResponseBytes = maxResponseBytes
            self.addressPolicy = addressPolicy
            self.caFile = caFile
        }
    }
}
