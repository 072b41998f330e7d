import ArgumentParser
import Gateway
import Logging

import Foundation

/// `gateway bench …`: benchmarks that print figures (never pass/fail on time).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the gateway's hot paths and print the figures.",
        subcommands: [FanOutBench.self, DeliveryBench.self, ChurnBench.self, IdleBench.self, StartupBench.self, RegistryBench.self, StormBench.self]
    )
}

/// `gateway bench registry`: start-up time with N subscriptions, create/list/match latencies.
struct RegistryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "registry", abstract: "Registry: durable creates, start-up load, list and match.")

    @Option(help: "How many subscriptions to create and load.") var subscriptions = 10_000
    @Option(help: "Directory to use (default: a new temp directory, removed afterwards).") var dataDir: String?

    func run() async throws {
        let directory = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)").path
        defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let report = try await RegistryBenchmark(subscriptions: subscriptions, directory: directory + "/webhooks", logger: logger).run()
        print(report)
    }
}

/// `gateway bench deliveries`: the engine's delivery rate next to the transport alone, same receiver, same run.
struct DeliveryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "Deliveries/s through the engine vs the transport alone; latency.")

    @Option(help: "Subscriptions, all pointing at the local receiver.") var subscriptions = 100
    @Option(help: "Events to fire; each goes to every subscription.") var events = 100
    @Option(help: "Journal durability: always, batch or off.") var durability = "always"
    @Option(help: "Events per second (0 = as fast as possible); deliveries/s = rate × subscriptions.") var rate = 0
    @Option(help: "Run the C client, the transport and the engine this many times in turn (each round with its share of the events), so that the machine's changes of speed fall on all three alike.") var rounds = 1

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let report = try await DeliveryBenchmark(subscriptions: subscriptions, events: events, durability: durability, rate: rate, rounds: rounds, directory: directory, logger: logger).run()
        print(report)
    }
}

/// `gateway bench storm`: what a 10 000-client disconnect storm costs the hub while its events are journaled.
struct StormBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storm", abstract: "Hub cost of a connect/disconnect storm with webhook events on.")

    @Option(help: "Clients that connect and then all disconnect.") var clients = 10_000

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        print(try await DisconnectStormBenchmark(clients: clients, directory: directory, logger: logger).run())
    }
}

/// `gateway bench startup`: configuration to ready with many subscriptions and pending deliveries.
struct StartupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "startup", abstract: "Start-up time with S subscriptions and P pending deliveries.")

    @Option(help: "Subscription files to load.") var subscriptions = 10_000
    @Option(help: "Deliveries pending in the journal.") var pending = 100_000

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        print(try await StartupBenchmark(subscriptions: subscriptions, pending: pending, directory: directory, logger: logger).run())
    }
}
