public import Hummingbird
import ServiceLifecycle

/// `GET /health/live` and `GET /health/ready`, for orchestrators (the seed's `/health` stays as it was).
///
/// Live: the process answers. Ready: it should get traffic: the delivery journal runs (recovered and
/// taking appends), the libcurl transport runs, and graceful shutdown has not begun; otherwise 503 with
/// the failing checks, so a load balancer drains the instance before it stops.
public struct HealthRoutes<Context: RequestContext>: Sendable {
    let webhooks: WebhookStack

    public init(webhooks: WebhookStack) {
        self.webhooks = webhooks
    }

    /// `{"status", "checks": {name: "ok" | why not}}`.
    struct Readiness: ResponseEncodable {
        var status: String
        var checks: [String: String]
    }

    public func register(on router: Router<Context>) {
        router.get("/health/live") { _, _ in Readiness(status: "live", checks: [:]) }
        router.get("/health/ready") { _, _ in
            let checks = [
                "journal": webhooks.journal.isRunning ? "ok" : "not running",
                "transport": webhooks.transport.isRunning ? "ok" : "not running",
                "shutdown": Task.isShuttingDownGracefully ? "in progress" : "ok",
            ]
            let ready = checks.values.allSatisfy { $0 == "ok" }
            return EditedResponse(status: ready ? .ok : .serviceUnavailable, response: Readiness(status: ready ? "ready" : "not_ready", checks: checks))
        }
    }
}
