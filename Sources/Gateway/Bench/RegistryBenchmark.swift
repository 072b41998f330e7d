import Configuration
public import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `gateway bench registry`: create latency (each create is durable: fsync + rename + fsync dir),
/// start-up time for N subscriptions, page-list and per-event matching latencies.
public struct RegistryBenchmark: Sendable {
    public var subscriptions: Int
    public var directory: String
    public var logger: Logger

    public init(subscriptions: Int, directory: String, logger: Logger) {
        self.subscriptions = subscriptions
        self.directory = directory
        self.logger = logger
    }

    /// The figures, one per line.
    public struct Report: Sendable, CustomStringConvertible {
        public var subscriptions: Int
        public var create: LatencySummary
        public var startUp: Duration
        public var listPage: LatencySummary
        public var matching: LatencySummary

        public var description: String {
            """
            registry benchmark: \(subscriptions) subscriptions
              create (durable)       \(create)
              start-up load          \(LatencySummary.format(startUp)) for \(subscriptions) files
              list page (limit 50)   \(listPage)
              match one event        \(matching)
            """
        }
    }

    /// Runs the benchmark in `directory` (which should be empty).
    public func run() async throws -> Report {
        let configuration = try GatewayConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [:])))
        var limits = configuration.webhooks
        limits.maxSubscriptions = max(subscriptions, limits.maxSubscriptions)
        let rules = SubscriptionRules(limits: limits)
        let clock = ContinuousClock()

        let writer = try await FileWebhookRegistry(directory: directory, rules: rules, logger: logger)
        var creates: [Duration] = []
        for index in 0..<subscriptions {
            let events = index.isMultiple(of: 3) ? ["*"] : ["client-connected", "message-broadcast"]
            let started = clock.now
            _ = try await writer.create(WebhookInput(url: "https://bench.example/hooks/\(index)", events: events))
            creates.append(started.duration(to: clock.now))
        }
        try await writer.shutdown()

        let loadStart = clock.now
        let reader = try await FileWebhookRegistry(directory: directory, rules: rules, logger: logger)
        let startUp = loadStart.duration(to: clock.now)

        var pages: [Duration] = []
        var cursor: String?
        repeat {
            let started = clock.now
            cursor = reader.list(after: cursor, limit: 50, event: nil, enabled: nil).nextCursor
            pages.append(started.duration(to: clock.now))
        } while cursor != nil
        var matches: [Duration] = []
        for _ in 0..<200 {
            let started = clock.now
            _ = reader.subscriptions(for: "message-broadcast")
            matches.append(started.duration(to: clock.now))
        }
        try await reader.shutdown()
        return Report(subscriptions: subscriptions, create: .init(creates), startUp: startUp, listPage: .init(pages), matching: .init(matches))
    }
}
