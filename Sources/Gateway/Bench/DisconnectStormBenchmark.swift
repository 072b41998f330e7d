public import Logging
import Configuration
import ServiceLifecycle

/// `gateway bench storm`: 10 000 clients join and leave the hub at once while every
/// connect/disconnect event is journaled for a subscription. Measures what the hub pays per
/// disconnect (it must not wait on disk or network) and how long the dispatcher takes to journal the storm.
public struct DisconnectStormBenchmark: Sendable {
    public var clients: Int
    public var directory: String
    public var logger: Logger

    public init(clients: Int, directory: String, logger: Logger) {
        self.clients = clients
        self.directory = directory
        self.logger = logger
    }

    /// The figures `gateway bench storm` prints.
    public struct Report: Sendable, CustomStringConvertible {
        public var clients: Int
        public var disconnect: LatencySummary
        public var hubSeconds: Double
        public var journaledSeconds: Double
        public var dropped: Int

        public var description: String {
            """
            disconnect storm: \(clients) clients connect, then all disconnect
              hub disconnect call            \(disconnect)
              hub time for the whole storm   \(Int(hubSeconds * 1000)) ms (connects + disconnects)
              events journaled by            \(Int(journaledSeconds * 1000)) ms after the storm began
              events dropped (queue full)    \(dropped)
            """
        }
    }

    public func run() async throws -> Report {
        let values: [String: ConfigContent] = [
            "data.dir": .string(directory), "journal.durability": .string("always"), "webhooks.allowedNetworks": .stringArray(["127.0.0.0/8"]),
            "broadcast.maxConnections": .int(clients + 10),
        ]
        let provider = ConfigurationSources.inMemory(values)
        let configuration = try GatewayConfiguration(reader: ConfigReader(provider: provider))
        let stack = try await WebhookStack(configuration: configuration, logger: logger)
        // A subscription whose endpoint refuses connections: events are journaled, deliveries just retry.
        _ = try await stack.registry.create(WebhookInput(url: "http://127.0.0.1:9/storm", events: ["client-connected", "client-disconnected"]))
        let hub = BroadcastHub(configuration: configuration.broadcast, events: stack.dispatcher, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [stack.journal, TransportService(transport: stack.transport), stack.engine, stack.dispatcher], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let clock = ContinuousClock()
            let start = clock.now
            var connected: [HubClient] = []
            for _ in 0..<clients { if let client = hub.connect(requestedID: nil) { connected.append(client) } }
            var samples: [Duration] = []
            for client in connected {
                let before = clock.now
                hub.disconnect(client, reason: .clientClosed)
                samples.append(before.duration(to: clock.now))
            }
            let hubTime = start.duration(to: clock.now)
            _ = try? await withDeadline(.seconds(120)) {
                while !Task.isCancelled, stack.dispatcher.queuedEvents > 0 || stack.engine.statistics.pending < 2 * clients - stack.dispatcher.droppedEvents {
                    await stack.engine.countersChanged.wait(for: .milliseconds(50))
                }
            }
            let journaled = start.duration(to: clock.now)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try await stack.registry.shutdown()
            return Report(clients: clients, disconnect: LatencySummary(samples), hubSeconds: hubTime.seconds, journaledSeconds: journaled.seconds, dropped: stack.dispatcher.droppedEvents)
        }
    }
}
