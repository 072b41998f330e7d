public import Configuration

/// Everything the gateway reads from configuration, typed and validated once at start-up.
///
/// Values come from, highest precedence first: command-line flags, `GATEWAY_*` environment
/// variables, the JSON config file (`config/gateway.json`), and the defaults in this file (the only
/// place defaults live). ``ConfigurationSources`` builds the reader in that order.
///
/// Keys (environment name = `GATEWAY_` + the key in upper snake case, e.g. `http.maxBodyBytes` →
/// `GATEWAY_HTTP_MAX_BODY_BYTES`):
/// - `http.host` (string, default: `0.0.0.0`), `http.port` (int, default: `8000`)
/// - `http.maxBodyBytes` (int, default: 1 MiB): larger request bodies get 413.
/// - `http.publicDir` (string, default: `Public`): the browser UI's files.
/// - `http.cors.allowOrigin` (string, default: `*`): `*`, `origin` (echo), an origin, or empty for no CORS.
/// - `http.cors.allowMethods`, `http.cors.allowHeaders` (string lists).
/// - `http.publicURL` (string, default: none): the URL clients reach the gateway at, shown as the
///   server in `/openapi.json` (without it the document names the relative server `/`).
/// - `http.docsAssetsURL` (string, default: `https://cdn.jsdelivr.net/npm`): where `/docs` and `/redoc`
///   load Swagger UI (`swagger-ui-dist@5/…`) and ReDoc (`redoc@2/…`) from; point it at a local copy
///   with the same layout for an offline site.
/// - `data.dir` (string, default: `data`): runtime state.
/// - `log.level` (string, default: `info`), `log.format` (`text` or `json`, default: `text`).
/// - `broadcast.*`: see ``Broadcast``; `webhooks.*`: see ``Webhooks``; `auth.*`: see ``Auth``.
public struct GatewayConfiguration: Sendable {
    /// The HTTP listener and its request limits.
    public struct HTTP: Sendable {
        /// Address to bind; `0.0.0.0` as the seed.
        public var host: String
        /// Port to bind; `0` picks a free port (tests).
        public var port: Int
        /// Largest accepted request body in bytes; larger gets 413.
        public var maxBodyBytes: Int
        /// Folder served at `/` (case-sensitive on Linux, hence explicit).
        public var publicDirectory: String
        /// CORS `Access-Control-Allow-Origin` policy: `*`, `origin`, one origin, or `nil` for off.
        public var corsAllowOrigin: String?
        /// CORS allowed methods.
        public var corsAllowMethods: [String]
        /// CORS allowed request headers.
        public var corsAllowHeaders: [String]
        /// The gateway's external URL, for the OpenAPI document's `servers`.
        public var publicURL: String?
        /// Base URL of the Swagger UI and ReDoc assets.
        public var docsAssetsURL: String
    }

    /// The WebSocket hub's limits. Every per-connection buffer is bounded here.
    ///
    /// - `broadcast.maxFrameBytes` (int, default: 65536): a larger frame closes the connection with 1009.
    /// - `broadcast.maxMessageBytes` (int, default: 65536): a larger (fragmented) message closes with 1009.
    /// - `broadcast.outboxFrames` (int, default: 256) and `broadcast.outboxBytes` (int, default: 4 MiB):
    ///   the per-connection outbound queue; overflow evicts the client with close code 4001.
    /// - `broadcast.messagesPerSecond` (int, default: 20) and `broadcast.burst` (int, default: 40):
    ///   the inbound token bucket; over it the client gets an `error` message, then close 1008.
    /// - `broadcast.maxConnections` (int, default: 10000): more upgrades are refused with 503.
    /// - `broadcast.pingIntervalSeconds` (double, default: 30; 0 disables): keepalive ping; a client that
    ///   has not answered the previous ping by the next one is closed.
    /// - `broadcast.closeTimeoutSeconds` (double, default: 5): how long a closing client may take
    ///   before its TCP connection is dropped.
    /// - `broadcast.writeDelayMilliseconds` (int, default: 0; at most 1000): how long frames for a client
    ///   may wait so that they go out together, one write for all the frames of that window (a close is
    ///   written at once). 0 writes every frame at once (lowest latency); a few milliseconds trade that
    ///   much latency for fewer system calls when broadcasts come faster than one per window. Waiting
    ///   frames count against `broadcast.outboxFrames`, which must exceed broadcasts per second × delay.
    public struct Broadcast: Sendable {
        public var maxFrameBytes: Int
        public var maxMessageBytes: Int
        public var outboxFrames: Int
        public var outboxBytes: Int
        public var messagesPerSecond: Double
        public var burst: Int
        public var maxConnections: Int
        public var pingInterval: Duration?
        public var closeTimeout: Duration
        /// `nil`: write every broadcast at once.
        public var writeDelay: Duration?
    }

    /// Log level and output format.
    public struct Log: Sendable {
        /// One of swift-log's levels: `trace` … `critical`.
        public var level: String
        /// `text` (human) or `json` (one object per line).
        public var format: String
    }

    public var http: HTTP
    public var broadcast: Broadcast
    public var webhooks: Webhooks
    public var delivery: Delivery
    public var auth: Auth
    public var log: Log
    /// The data directory: registry, journal, admin token.
    public var dataDirectory: String

    /// Reads and validates every key.
    /// - Parameter reader: The provider hierarchy, highest precedence first.
    /// - Throws: ``ConfigurationError`` naming the first key whose value is invalid.
    public init(reader: ConfigReader) throws {
        let values = ConfigValues(reader: reader)
        self.http = HTTP(
            host: try values.string("http.host", default: "0.0.0.0"),
            port: try values.int("http.port", default: 8000, in: 0...65535),
            maxBodyBytes: try values.int("http.maxBodyBytes", default: 1 << 20, in: 1024...(256 << 20)),
            publicDirectory: try values.string("http.publicDir", default: "Public"),
            corsAllowOrigin: try values.string("http.cors.allowOrigin", default: "*").nonEmpty,
            corsAllowMethods: try values.strings("http.cors.allowMethods", default: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]),
            corsAllowHeaders: try values.strings(
                "http.cors.allowHeaders",
                default: ["accept", "authorization", "content-type", "origin", "idempotency-key", "if-match"]
            ),
            publicURL: try values.optionalString("http.publicURL"),
            docsAssetsURL: try values.string("http.docsAssetsURL", default: "https://cdn.jsdelivr.net/npm")
        )
        let pingSeconds = try values.int("broadcast.pingIntervalSeconds", default: 30, in: 0...3600)
        let writeDelayMilliseconds = try values.int("broadcast.writeDelayMilliseconds", default: 0, in: 0...1000)
        self.broadcast = Broadcast(
            maxFrameBytes: try values.int("broadcast.maxFrameBytes", default: 1 << 16, in: 128...(16 << 20)),
            maxMessageBytes: try values.int("broadcast.maxMessageBytes", default: 1 << 16, in: 128...(16 << 20)),
            outboxFrames: try values.int("broadcast.outboxFrames", default: 256, in: 1...1_000_000),
            outboxBytes: try values.int("broadcast.outboxBytes", default: 4 << 20, in: 1024...(1 << 30)),
            messagesPerSecond: Double(try values.int("broadcast.messagesPerSecond", default: 20, in: 1...1_000_000)),
            burst: try values.int("broadcast.burst", default: 40, in: 1...1_000_000),
            maxConnections: try values.int("broadcast.maxConnections", default: 10_000, in: 1...1_000_000),
            pingInterval: pingSeconds == 0 ? nil : .seconds(pingSeconds),
            closeTimeout: try values.seconds("broadcast.closeTimeoutSeconds", default: 5, in: 0.1...120),
            writeDelay: writeDelayMilliseconds == 0 ? nil : .milliseconds(writeDelayMilliseconds)
        )
        self.webhooks = try Webhooks(values: values)
        self.delivery = try Delivery(values: values)
        self.auth = try Auth(values: values)
        self.log = Log(
            level: try values.string("log.level", default: "info", allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
            format: try values.string("log.format", default: "text", allowed: ["text", "json"])
        )
        self.dataDirectory = try values.string("data.dir", default: "data")
    }
}

extension String {
    /// `nil` for the empty string, so that an empty config value switches a feature off.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
