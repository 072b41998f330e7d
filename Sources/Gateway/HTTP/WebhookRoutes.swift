public import Hummingbird

/// The registry's REST routes, all behind the admin token: thin translations to ``WebhookRegistry``.
public struct WebhookRoutes<Registry: WebhookRegistry, Context: RequestContext>: Sendable {
    let registry: Registry
    let token: AdminToken
    let maxBodyBytes: Int
    /// Where subscription changes are announced (the UI's live view).
    let events: AdminEventStream?

    public init(registry: Registry, token: AdminToken, maxBodyBytes: Int, events: AdminEventStream? = nil) {
        self.registry = registry
        self.token = token
        self.maxBodyBytes = maxBodyBytes
        self.events = events
    }

    /// Announces a change to subscription `id` on the admin stream.
    private func announce(_ id: String, _ change: String) {
        events?.publish(.webhookChanged(id, change))
    }

    /// Adds `GET /events` (open) and `/webhooks*` (token) to `router`.
    public func register(on router: Router<Context>) {
        router.get("/events") { _, _ in EventCatalog() }
        let webhooks = router.group("/webhooks").add(middleware: BearerAuthMiddleware(token: token))
        webhooks.post { request, _ in
            let created = try await registry.create(try await request.decodeJSON(WebhookInput.self, limit: maxBodyBytes))
            announce(created.id, "created")
            return try Self.response(.created, created, includeSecret: true, location: "/webhooks/\(created.id)")
        }
        webhooks.get { request, _ in
            let query = request.uri.queryParameters
            let limit = try Self.limit(query.get("limit"))
            let enabled = try query.get("enabled").map(Self.bool)
            let event = query.get("event")
            let page = registry.list(after: query.get("cursor"), limit: limit, event: event, enabled: enabled)
            return PageResponse(data: page.items.map { SubscriptionView(subscription: $0, includeSecret: false) }, nextCursor: page.nextCursor)
        }
        webhooks.post("/reload") { _, _ in ReloadResponse(report: try await registry.reload()) }
        webhooks.get("/{id}") { _, context in
            try Self.response(.ok, try find(context), includeSecret: false)
        }
        webhooks.patch("/{id}") { request, context in
            let input = try await request.decodeJSON(WebhookInput.self, limit: maxBodyBytes)
            let updated = try await registry.update(id: try context.parameters.require("id"), with: input, ifMatch: request.headers[.ifMatch])
            announce(updated.id, "updated")
            return try Self.response(.ok, updated, includeSecret: false)
        }
        webhooks.delete("/{id}") { _, context in
            let id = try context.parameters.require("id")
            try await registry.delete(id: id)
            announce(id, "deleted")
            return Response(status: .noContent)
        }
        webhooks.get("/{id}/secret") { _, context in SecretView(try find(context)) }
        webhooks.post("/{id}/rotate-secret") { request, context in
            let body = try await request.decodeJSONIfPresent(RotateSecretRequest.self, limit: maxBodyBytes)
            return SecretView(try await registry.rotateSecret(id: try context.parameters.require("id"), newSecret: body?.secret))
        }
    }

    private func find(_ context: Context) throws -> WebhookSubscription {
        let id = try context.parameters.require("id")
        guard let subscription = registry.subscription(id: id) else { throw WebhookError.notFound("subscription", id: id) }
        return subscription
    }

    private static func response(
        _ status: HTTPResponse.Status, _ subscription: WebhookSubscription, includeSecret: Bool, location: String? = nil
    ) throws -> EditedResponse<SubscriptionView> {
        var headers: HTTPFields = [.eTag: subscription.etag]
        if let location { headers[.location] = location }
        return EditedResponse(status: status, headers: headers, response: SubscriptionView(subscription: subscription, includeSecret: includeSecret))
    }

    private static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let value = Int(text), (1...500).contains(value) else { throw APIError.invalidField("limit", "must be an integer from 1 to 500") }
        return value
    }

    private static func bool(_ text: String) throws -> Bool {
        switch text {
        case "true": true
        case "false": false
        default: throw APIError.invalidField("enabled", "must be true or false")
        }
    }
}
