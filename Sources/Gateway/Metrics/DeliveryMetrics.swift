import CoreMetrics

/// The delivery engine's instruments: events accepted by type, attempts by outcome, attempt latency.
struct DeliveryMetrics: Sendable {
    static let attemptLabel = "gateway_delivery_attempt_duration_seconds"

    /// What an attempt (or a delivery settled without one) ended in.
    enum Outcome: String, CaseIterable, Sendable {
        /// A 2xx answer: the delivery is done.
        case delivered
        /// A failed attempt that will be tried again.
        case retrying
        /// Given up: attempts exhausted, a permanent failure, or its subscription gone.
        case dead
    }

    private let outcomes: [Outcome: Counter]
    /// One counter per event type (a closed set, ``WebhookEventType/all``), and one for any other name.
    private let eventCounters: [String: Counter]
    private let otherEvents: Counter
    /// From handing the request to libcurl to its answer or error.
    let attemptDuration: Timer

    init(factory: any MetricsFactory) {
        eventCounters = Dictionary(uniqueKeysWithValues: WebhookEventType.all.map {
            ($0.name, Counter(label: "gateway_events_total", dimensions: [("type", $0.name)], factory: factory))
        })
        otherEvents = Counter(label: "gateway_events_total", dimensions: [("type", "other")], factory: factory)
        outcomes = Dictionary(uniqueKeysWithValues: Outcome.allCases.map {
            ($0, Counter(label: "gateway_deliveries_total", dimensions: [("outcome", $0.rawValue)], factory: factory))
        })
        attemptDuration = Timer(label: Self.attemptLabel, factory: factory)
    }

    /// Counts an event accepted by the engine (whether or not any subscription wanted it).
    func eventAccepted(type: String) {
        (eventCounters[type] ?? otherEvents).increment()
    }

    /// Counts a settled attempt.
    func settled(_ outcome: Outcome) {
        outcomes[outcome]?.increment()
    }

    /// Instruments that record nothing.
    static let disabled = DeliveryMetrics(factory: NOOPMetricsHandler.instance)
}

/// The journal's instrument: how long each fsync(2) of a segment or of the folder took.
struct JournalMetrics: Sendable {
    static let fsyncLabel = "gateway_journal_fsync_duration_seconds"

    let fsyncDuration: Timer

    init(factory: any MetricsFactory) {
        fsyncDuration = Timer(label: Self.fsyncLabel, factory: factory)
    }

    /// Instruments that record nothing.
    static let disabled = JournalMetrics(factory: NOOPMetricsHandler.instance)
}
