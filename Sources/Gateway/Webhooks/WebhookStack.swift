public import Logging
public import ServiceLifecycle

/// The webhook half of the gateway, assembled from configuration: registry, journal, transport,
/// engine and dispatcher, plus the services to run in shutdown-safe order.
public struct WebhookStack: Sendable {
    public let registry: FileWebhookRegistry
    public let journal: OutboxJournal
    public let transport: CurlTransport
    public let engine: DeliveryEngine
    public let dispatcher: Dispatcher

    /// Opens the registry and the journal (recovering pending deliveries) and starts the transport thread.
    /// - Parameters:
    ///   - events: Where delivery changes are announced (the UI's live log).
    ///   - inspector: The gateway's own inspector URLs, the one loopback destination allowed without the allow-list.
    ///   - metrics: Where the engine and the journal record (`nil`: nowhere).
    public init(
        configuration: GatewayConfiguration, logger: Logger, events: AdminEventStream? = nil, inspector: InspectorAddress? = nil,
        metrics: GatewayMetrics? = nil
    ) async throws {
        // The registry's files load on its I/O thread while this task recovers the journal: the two
        // largest start-up costs (10 000 files; 100 000 pending deliveries) overlap on two cores.
        async let opened = FileWebhookRegistry(
            directory: configuration.dataDirectory + "/webhooks", rules: SubscriptionRules(limits: configuration.webhooks, inspector: inspector), logger: logger
        )
        let delivery = configuration.delivery
        journal = try OutboxJournal(
            directory: configuration.dataDirectory + "/journal",
            configuration: .init(durability: OutboxJournal.Durability(rawValue: delivery.journalDurability) ?? .always, segmentMaxBytes: delivery.journalSegmentMaxBytes),
            logger: logger, metrics: metrics
        )
        let recovered = try journal.recover()
        registry = try await opened
        let userAgent = "gateway/\(GatewayVersion.current) (webhooks; +https://www.standardwebhooks.com)"
        transport = CurlTransport(
            configuration: .init(
                userAgent: userAgent, maxConcurrentTransfers: delivery.maxInFlight, maxHostConnections: delivery.maxHostConnections,
                addressPolicy: AddressPolicy(allowedNetworks: configuration.webhooks.allowedNetworks), caFile: delivery.caFile
            ),
            logger: logger
        )
        engine = DeliveryEngine(
            settings: .init(delivery: delivery, userAgent: userAgent, events: events, inspector: inspector, metrics: metrics), registry: registry, transport: transport, journal: journal,
            recovered: recovered, logger: logger
        )
        dispatcher = Dispatcher(engine: engine, capacity: delivery.dispatcherQueueCapacity, logger: logger)
    }

    /// The services in start order; graceful shutdown runs in reverse: the dispatcher journals what
    /// is queued, the engine waits for transfers in flight, the transport stops, the journal flushes.
    public func services(hub: BroadcastHub, statsInterval: Duration?) -> [any Service] {
        [registry, journal, TransportService(transport: transport), engine, dispatcher, StatsReporter(hub: hub, engine: engine, interval: statsInterval)]
    }

    /// The webhook figures for `/stats`.
    public func statistics() -> WebhookStatistics {
        WebhookStatistics(subscriptions: registry.count, counters: engine.statistics, eventsDropped: dispatcher.droppedEvents)
    }
}

/// Stops the libcurl thread after the engine has stopped using it.
struct TransportService: Service {
    let transport: CurlTransport

    func run() async throws {
        try? await gracefulShutdown()
        await transport.shutdown(gracePeriod: .seconds(1))
    }
}

extension OutboxJournal: DeliveryJournal {}
