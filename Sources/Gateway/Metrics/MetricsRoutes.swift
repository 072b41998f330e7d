public import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: every instrument in the Prometheus text exposition format (version 0.0.4).
///
/// Open like `/stats` (it shows counts, no payloads or secrets); scrape it from inside your network.
/// The levels (connections, queue depth, in flight, open circuits, subscriptions, journal bytes)
/// are read at scrape time from the figures `/stats` keeps, so they are exact, not sampled late.
public struct MetricsRoutes<Context: RequestContext>: Sendable {
    let metrics: GatewayMetrics
    let hub: BroadcastHub
    let webhooks: WebhookStack

    public init(metrics: GatewayMetrics, hub: BroadcastHub, webhooks: WebhookStack) {
        self.metrics = metrics
        self.hub = hub
        self.webhooks = webhooks
    }

    public func register(on router: Router<Context>) {
        router.get("/metrics") { _, _ in
            metrics.levels.update(hub: hub.statistics(), webhooks: webhooks.statistics())
            var body: [UInt8] = []
            body.reserveCapacity(16 << 10)
            metrics.registry.emit(into: &body)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        }
    }
}
