import Benchmark
import Configuration
import Gateway
import Synchronization

/// `FileWebhookRegistry.subscriptions(for:)`, the dispatcher's lookup for every event, over 10 000
/// subscriptions with mixed event filters: the cached answer (every event between two registry
/// writes) and the first lookup after a write, which filters all 10 000 again.
/// - Returns: The benchmarks registered.
func matchingBenchmarks() -> [Benchmark?] {
    let count = BenchmarkSettings.smoke ? 100 : 10_000
    let fixture = RegistryFixture()
    let cached = Benchmark("Matching: subscriptions(for:), \(count) subscriptions, cached", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let registry = fixture.registry
        for _ in benchmark.scaledIterations {
            blackHole(registry.subscriptions(for: "message-broadcast"))
        }
    } setup: {
        try await fixture.open(subscriptions: count)
    } teardown: {
        try await fixture.close()
    }
    let rebuilt = Benchmark("Matching: subscriptions(for:), \(count) subscriptions, first after a write") { benchmark in
        // A registry write empties the match cache; the write itself (a file on tmpfs) is not measured.
        let registry = fixture.registry
        _ = try await registry.update(id: fixture.someID, with: WebhookInput(description: "revision \(benchmark.currentIteration)"), ifMatch: nil)
        benchmark.startMeasurement()
        blackHole(registry.subscriptions(for: "message-broadcast"))
    } setup: {
        try await fixture.open(subscriptions: count)
    } teardown: {
        try await fixture.close()
    }
    return [cached, rebuilt]
}

/// A registry of N subscriptions in a scratch folder (on tmpfs where there is one: creating 10 000
/// durable files on a disk would take minutes), opened by a benchmark's setup and removed by its teardown.
///
/// Filters, in turn: `*`, `message-broadcast`, `client-connected` + `client-disconnected`,
/// `message-broadcast` + `server-status`, `broadcast-stats`; every tenth subscription is disabled.
/// So about half of them match `message-broadcast`.
final class RegistryFixture: Sendable {
    private struct Opened {
        var registry: FileWebhookRegistry
        var directory: String
        var someID: String
    }

    private let opened = Mutex<Opened?>(nil)

    /// The open registry (only between `open` and `close`).
    var registry: FileWebhookRegistry { opened.withLock { $0!.registry } }

    /// The id of one subscription in it.
    var someID: String { opened.withLock { $0!.someID } }

    /// Creates the folder and the subscriptions, through the registry's own `create`.
    func open(subscriptions count: Int) async throws {
        let filters: [[String]] = [["*"], ["message-broadcast"], ["client-connected", "client-disconnected"], ["message-broadcast", "server-status"], ["broadcast-stats"]]
        let configuration = try GatewayConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [:])))
        var limits = configuration.webhooks
        limits.maxSubscriptions = max(count, limits.maxSubscriptions)
        let directory = try Fixtures.scratchDirectory("registry", inMemory: true)
        let registry = try await FileWebhookRegistry(directory: directory, rules: SubscriptionRules(limits: limits), logger: Fixtures.silentLogger)
        var someID = ""
        for index in 0..<count {
            let input = WebhookInput(
                url: "https://bench.example/hooks/\(index)", events: filters[index % filters.count], enabled: !index.isMultiple(of: 10)
            )
            someID = try await registry.create(input).id
        }
        opened.withLock { $0 = Opened(registry: registry, directory: directory, someID: someID) }
    }

    /// Stops the registry's I/O thread and removes its folder.
    func close() async throws {
        guard let current = opened.withLock({ state in defer { state = nil }; return state }) else { return }
        try await current.registry.shutdown()
        Fixtures.remove(current.directory)
    }
}
