import CoreMetrics

/// The hub's instruments: recorded where the hub counts, outside its lock.
struct HubMetrics: Sendable {
    static let fanOutLabel = "gateway_ws_fanout_duration_seconds"

    let connectionsOpened: Counter
    let connectionsRefused: Counter
    let messagesReceived: Counter
    let messagesFannedOut: Counter
    let framesSent: Counter
    let framesDropped: Counter
    let clientsEvicted: Counter
    /// Encoding a message and queueing it for every recipient (the hub's part of a broadcast).
    let fanOutDuration: Timer

    init(factory: any MetricsFactory) {
        connectionsOpened = Counter(label: "gateway_ws_connections_opened_total", factory: factory)
        connectionsRefused = Counter(label: "gateway_ws_connections_refused_total", factory: factory)
        messagesReceived = Counter(label: "gateway_ws_messages_received_total", factory: factory)
        messagesFannedOut = Counter(label: "gateway_ws_messages_fanned_out_total", factory: factory)
        framesSent = Counter(label: "gateway_ws_frames_sent_total", factory: factory)
        framesDropped = Counter(label: "gateway_ws_frames_dropped_total", factory: factory)
        clientsEvicted = Counter(label: "gateway_ws_clients_evicted_total", factory: factory)
        fanOutDuration = Timer(label: Self.fanOutLabel, factory: factory)
    }

    /// Instruments that record nothing (hubs built outside an application: unit tests, benchmarks).
    static let disabled = HubMetrics(factory: NOOPMetricsHandler.instance)
}
