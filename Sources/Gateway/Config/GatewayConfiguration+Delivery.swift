#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension GatewayConfiguration {
    /// The delivery engine, its journal and the dispatcher.
    ///
    /// - `deliveries.connectTimeoutSeconds` (double, default: 5), `deliveries.timeoutSeconds` (double, default: 15).
    /// - `deliveries.retrySchedule` (list of seconds, default: `0,5,300,1800,7200,18000,36000,36000`): the delay
    ///   before each attempt; its length is the number of attempts.
    /// - `deliveries.jitterPercent` (int, default: 20): ± spread of each delay.
    /// - `deliveries.minimumThrottleSeconds` (double, default: 5): the least a 429, a timeout or a `Retry-After` waits.
    /// - `deliveries.maxRetryAfterSeconds` (int, default: 21600): the most a `Retry-After` can delay.
    /// - `deliveries.maxInFlight` (int, default: 256): requests in flight at once, all endpoints.
    /// - `deliveries.maxInFlightPerSubscription` (int, default: 16): per endpoint, unless the subscription sets its own.
    /// - `deliveries.breakerThreshold` (int, default: 5): consecutive failures that pause an endpoint;
    ///   `deliveries.breakerCooldownSeconds` (double, default: 5): the first pause, doubling up to 5 min.
    /// - `deliveries.disableAfterFailingSeconds` (int, default: 432000 = 5 days): an endpoint failing that long
    ///   with a delivery exhausted is disabled.
    /// - `deliveries.retentionSeconds` (int, default: 259200 = 3 days) and `deliveries.maxRetained` (int, default: 100000):
    ///   how long and how many settled deliveries (with payloads and attempts) are kept for the log and replay.
    /// - `deliveries.shutdownGraceSeconds` (double, default: 10): how long SIGTERM waits for transfers in flight.
    /// - `deliveries.maxHostConnections` (int, default: 32): connections per host in libcurl's pool; HTTP/2
    ///   receivers get their requests multiplexed over fewer.
    /// - `deliveries.caFile` (path, default: none = the system's CA bundle): CA certificates that HTTPS receivers
    ///   are verified with, for a private CA. Verification cannot be turned off.
    /// - `journal.durability` (`always`, `batch` or `off`, default: `always`), `journal.segmentMaxBytes` (int, default: 64 MiB),
    ///   `journal.compactAfterBytes` (int, default: 64 MiB): compaction starts once the journal is larger than this
    ///   and than twice what the last compaction left; `journal.maintenanceIntervalSeconds` (double, default: 30):
    ///   how often settled deliveries past retention are forgotten and that size is checked.
    /// - `dispatcher.queueCapacity` (int, default: 65536): hub events waiting to be journaled; overflow drops the newest (counted).
    /// - `webhooks.statsIntervalSeconds` (int, default: 0 = off): how often `broadcast-stats` is sent.
    public struct Delivery: Sendable {
        public var connectTimeout: Duration
        public var timeout: Duration
        public var retryPolicy: RetryPolicy
        public var maxInFlight: Int
        public var maxInFlightPerSubscription: Int
        public var breakerThreshold: Int
        public var breakerCooldown: Duration
        public var disableAfterFailing: Duration
        public var retention: Duration
        public var maxRetained: Int
        public var shutdownGrace: Duration
        public var maxHostConnections: Int
        public var caFile: String?
        public var journalDurability: String
        public var journalSegmentMaxBytes: Int
        public var compactAfterBytes: Int
        public var maintenanceInterval: Duration
        public var dispatcherQueueCapacity: Int
        public var statsInterval: Duration?

        init(values: ConfigValues) throws {
            connectTimeout = try values.seconds("deliveries.connectTimeoutSeconds", default: 5, in: 0.05...120)
            timeout = try values.seconds("deliveries.timeoutSeconds", default: 15, in: 0.05...600)
            let schedule = try values.strings("deliveries.retrySchedule", default: ["0", "5", "300", "1800", "7200", "18000", "36000", "36000"])
            let delays: [Duration] = try schedule.map { text in
                guard let seconds = Double(text.trimmingSpaces), seconds >= 0, seconds <= 7 * 86400 else {
                    throw ConfigurationError(key: "deliveries.retrySchedule", problem: "'\(text)' is not a number of seconds between 0 and 604800")
                }
                return .milliseconds(Int64(seconds * 1000))
            }
            guard !delays.isEmpty, delays.count <= 50 else {
                throw ConfigurationError(key: "deliveries.retrySchedule", problem: "must list 1 to 50 delays")
            }
            retryPolicy = RetryPolicy(
                schedule: delays,
                jitter: Double(try values.int("deliveries.jitterPercent", default: 20, in: 0...100)) / 100,
                minimumThrottleDelay: try values.seconds("deliveries.minimumThrottleSeconds", default: 5, in: 0...3600),
                maximumRetryAfter: .seconds(try values.int("deliveries.maxRetryAfterSeconds", default: 21_600, in: 0...(7 * 86_400)))
            )
            maxInFlight = try values.int("deliveries.maxInFlight", default: 256, in: 1...10_000)
            maxInFlightPerSubscription = try values.int("deliveries.maxInFlightPerSubscription", default: 16, in: 1...1000)
            breakerThreshold = try values.int("deliveries.breakerThreshold", default: 5, in: 1...1000)
            breakerCooldown = try values.seconds("deliveries.breakerCooldownSeconds", default: 5, in: 0.01...3600)
            disableAfterFailing = .seconds(try values.int("deliveries.disableAfterFailingSeconds", default: 432_000, in: 0...(365 * 86_400)))
            retention = .seconds(try values.int("deliveries.retentionSeconds", default: 259_200, in: 60...(365 * 86_400)))
            maxRetained = try values.int("deliveries.maxRetained", default: 100_000, in: 10...10_000_000)
            shutdownGrace = try values.seconds("deliveries.shutdownGraceSeconds", default: 10, in: 0...600)
            maxHostConnections = try values.int("deliveries.maxHostConnections", default: 32, in: 1...1000)
            caFile = try values.optionalString("deliveries.caFile")
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw ConfigurationError(key: "deliveries.caFile", problem: "'\(caFile)' is not a readable file")
            }
            journalDurability = try values.string("journal.durability", default: "always", allowed: ["always", "batch", "off"])
            journalSegmentMaxBytes = try values.int("journal.segmentMaxBytes", default: 64 << 20, in: (64 << 10)...(4 << 30))
            compactAfterBytes = try values.int("journal.compactAfterBytes", default: 64 << 20, in: (64 << 10)...(64 << 30))
            maintenanceInterval = try values.seconds("journal.maintenanceIntervalSeconds", default: 30, in: 0.01...3600)
            dispatcherQueueCapacity = try values.int("dispatcher.queueCapacity", default: 65_536, in: 16...10_000_000)
            let stats = try values.int("webhooks.statsIntervalSeconds", default: 0, in: 0...86_400)
            statsInterval = stats == 0 ? nil : .seconds(stats)
        }
    }
}

extension Duration {
    /// Seconds as a `Double`, for rates and reports.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// Whole milliseconds, for the journal's integer times.
    var millis: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
