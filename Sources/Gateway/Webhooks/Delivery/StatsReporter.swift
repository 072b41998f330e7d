public import ServiceLifecycle

/// Sends `broadcast-stats` every `webhooks.statsIntervalSeconds` (a `Service`; off when no interval).
public struct StatsReporter: Service {
    let hub: BroadcastHub
    let engine: DeliveryEngine
    let interval: Duration?

    public init(hub: BroadcastHub, engine: DeliveryEngine, interval: Duration?) {
        self.hub = hub
        self.engine = engine
        self.interval = interval
    }

    public func run() async throws {
        guard let interval else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                guard (try? await Task.sleep(for: interval)) != nil else { return }
                let stats = hub.statistics()
                let event = WebhookEvent(
                    type: WebhookEventType.broadcastStats.name,
                    data: ["active_connections": .number(Double(stats.activeConnections)), "total_messages_sent": .number(Double(stats.totalMessagesSent)),
                           "messages_received": .number(Double(stats.messagesReceived)), "uptime_seconds": .number(stats.uptimeSeconds.rounded())]
                )
                _ = try? await engine.accept([event])
            }
        }
    }
}
