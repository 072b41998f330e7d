import Configuration
public import Logging
import ServiceLifecycle

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `gateway bench startup`: how long a gateway takes from configuration to ready to serve, with
/// S subscription files and P deliveries pending in the journal (the cost of a restart under load).
public struct StartupBenchmark: Sendable {
    public var subscriptions: Int
    public var pending: Int
    public var directory: String
    public var logger: Logger

    public init(subscriptions: Int, pending: Int, directory: String, logger: Logger) {
        self.subscriptions = subscriptions
        self.pending = pending
        self.directory = directory
        self.logger = logger
    }

    /// The figures `gateway bench startup` prints.
    public struct Report: Sendable, CustomStringConvertible {
        public var subscriptions: Int
        public var pending: Int
        public var journalBytes: Int
        public var registry: Duration
        public var stack: Duration
        public var application: Duration
        public var recovered: Int

        public var description: String {
            """
            start-up: \(subscriptions) subscriptions, \(pending) deliveries pending (journal \(journalBytes / 1024) KiB)
              registry alone             \(LatencySummary.format(registry)) (read and validate every file)
              webhook stack              \(LatencySummary.format(stack)) (registry, journal recovery, engine rebuilt with \(recovered) pending)
              whole application          \(LatencySummary.format(application)) (configuration to ready to serve)
            """
        }
    }

    /// Writes the state (subscription files, a journal of pending deliveries), then times three start-ups.
    public func run() async throws -> Report {
        let values: [String: ConfigContent] = [
            "data.dir": .string(directory), "webhooks.maxSubscriptions": .int(subscriptions + 10), "http.port": .int(0), "http.host": .string("127.0.0.1"),
        ]
        let configuration = try GatewayConfiguration(reader: ConfigReader(provider: ConfigurationSources.inMemory(values)))
        let ids = try await writeSubscriptions(configuration)
        let journalBytes = try await writePending(to: ids, configuration: configuration)
        let clock = ContinuousClock()

        var start = clock.now
        let registry = try await FileWebhookRegistry(
            directory: configuration.dataDirectory + "/webhooks", rules: SubscriptionRules(limits: configuration.webhooks), logger: logger
        )
        let registryTime = start.duration(to: clock.now)
        try await registry.shutdown()

        start = clock.now
        let stack = try await WebhookStack(configuration: configuration, logger: logger)
        let stackTime = start.duration(to: clock.now)
        let recovered = stack.engine.statistics.pending
        await stack.transport.shutdown(gracePeriod: Duration.zero)
        try await stack.registry.shutdown()

        start = clock.now
        _ = try await buildApplication(configuration: configuration, logger: logger)
        let applicationTime = start.duration(to: clock.now)
        return Report(
            subscriptions: subscriptions, pending: pending, journalBytes: journalBytes, registry: registryTime, stack: stackTime,
            application: applicationTime, recovered: recovered
        )
    }

    /// Creates the subscription files; returns their ids.
    private func writeSubscriptions(_ configuration: GatewayConfiguration) async throws -> [String] {
        let registry = try await FileWebhookRegistry(
            directory: configuration.dataDirectory + "/webhooks", rules: SubscriptionRules(limits: configuration.webhooks), logger: logger
        )
        var ids: [String] = []
        for index in 0..<subscriptions {
            let events = index.isMultiple(of: 3) ? ["*"] : ["client-connected", "message-broadcast"]
            ids.append(try await registry.create(WebhookInput(url: "https://bench.example/hooks/\(index)", events: events)).id)
        }
        try await registry.shutdown()
        return ids
    }

    /// Journals events and `pending` deliveries spread over the subscriptions, due in an hour.
    private func writePending(to ids: [String], configuration: GatewayConfiguration) async throws -> Int {
        let journal = try OutboxJournal(directory: configuration.dataDirectory + "/journal", configuration: .init(durability: .batch), logger: logger)
        _ = try journal.recover()
        let group = ServiceGroup(configuration: .init(services: [journal], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let now = epochMillis()
            let perEvent = max(1, min(ids.count, 100))
            var written = 0
            var cursor = 0
            while written < pending {
                let event = try WebhookEvent(type: WebhookEventType.messageBroadcast.name, data: ["message": .string("pending \(written)")]).record()
                var records: [JournalRecord] = [.event(event)]
                for _ in 0..<min(perEvent, pending - written) {
                    records.append(.enqueued(DeliveryRecord(
                        deliveryID: Identifier.make(prefix: "msg_"), eventID: event.eventID, subscriptionID: ids[cursor % ids.count],
                        createdAt: now, nextAttemptAt: now + 3_600_000
                    )))
                    cursor += 1
                    written += 1
                }
                try await journal.append(records)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return journal.totalBytes
        }
    }
}
