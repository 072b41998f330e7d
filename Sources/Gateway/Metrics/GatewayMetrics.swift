import CoreMetrics
public import Prometheus

/// Every instrument of one gateway, created from one swift-metrics factory, and the Prometheus
/// registry that `/metrics` exports.
///
/// Each application owns its registry (tests run many apps in one process, each with its own
/// figures); `gateway serve` also bootstraps the global `MetricsSystem` with the same registry, so
/// what libraries record through swift-metrics (Hummingbird's request metrics) lands there too.
public struct GatewayMetrics: Sendable {
    /// What `/metrics` emits.
    public let registry: PrometheusCollectorRegistry
    /// The factory the instruments were made with (and the one to bootstrap `MetricsSystem` with).
    public let factory: PrometheusMetricsFactory
    let hub: HubMetrics
    let delivery: DeliveryMetrics
    let journal: JournalMetrics
    let levels: LevelGauges

    /// Creates the instruments in `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.prometheusName(name), labels.map { (Self.prometheusName($0.0), $0.1) })
        }
        factory.durationHistogramBuckets = [
            HubMetrics.fanOutLabel: Self.microsecondBuckets,
            JournalMetrics.fsyncLabel: Self.millisecondBuckets,
            DeliveryMetrics.attemptLabel: Self.millisecondBuckets,
        ]
        self.registry = registry
        self.factory = factory
        hub = HubMetrics(factory: factory)
        delivery = DeliveryMetrics(factory: factory)
        journal = JournalMetrics(factory: factory)
        levels = LevelGauges(factory: factory)
    }

    /// A swift-metrics label as a Prometheus name: every character outside `[a-zA-Z0-9_:]` becomes `_`
    /// (Hummingbird records `hb.requests`, which Prometheus would reject).
    static func prometheusName(_ label: String) -> String {
        String(label.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
    }

    /// Fan-out of one message into every outbox: microseconds.
    static let microsecondBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100),
    ]

    /// An fsync or an HTTP attempt: from a tenth of a millisecond to the 10 s timeout.
    static let millisecondBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
}

/// Levels read when `/metrics` is scraped rather than tracked at every change: the figures `/stats`
/// already keeps exactly, copied into gauges just before the registry is emitted.
struct LevelGauges: Sendable {
    let connections: Meter
    let subscriptions: Meter
    let queueDepth: Meter
    let inFlight: Meter
    let openCircuits: Meter
    let journalBytes: Meter
    let eventsDropped: Meter

    init(factory: any MetricsFactory) {
        connections = Meter(label: "gateway_ws_connections", factory: factory)
        subscriptions = Meter(label: "gateway_webhook_subscriptions", factory: factory)
        queueDepth = Meter(label: "gateway_delivery_queue_depth", factory: factory)
        inFlight = Meter(label: "gateway_delivery_in_flight", factory: factory)
        openCircuits = Meter(label: "gateway_delivery_circuit_breakers_open", factory: factory)
        journalBytes = Meter(label: "gateway_journal_bytes", factory: factory)
        eventsDropped = Meter(label: "gateway_dispatcher_events_dropped", factory: factory)
    }

    /// Copies the current figures into the gauges.
    func update(hub: HubStatistics, webhooks: WebhookStatistics) {
        connections.set(hub.activeConnections)
        subscriptions.set(webhooks.subscriptions)
        queueDepth.set(webhooks.queueDepth)
        inFlight.set(webhooks.inFlight)
        openCircuits.set(webhooks.openCircuits)
        journalBytes.set(webhooks.journalBytes)
        eventsDropped.set(webhooks.eventsDropped)
    }
}
