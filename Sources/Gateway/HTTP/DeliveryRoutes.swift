public import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The delivery log and manual recovery, behind the admin token: thin translations to ``DeliveryEngine``.
public struct DeliveryRoutes<Context: RequestContext>: Sendable {
    let engine: DeliveryEngine
    let token: AdminToken
    let maxBodyBytes: Int

    public init(engine: DeliveryEngine, token: AdminToken, maxBodyBytes: Int) {
        self.engine = engine
        self.token = token
        self.maxBodyBytes = maxBodyBytes
    }


    public func register(on router: Router<Context>) {
        let auth = BearerAuthMiddleware<Context>(token: token)
        let webhooks = router.group("/webhooks").add(middleware: auth)
        webhooks.get("/{id}/deliveries") { request, context in
            let query = try DeliveryQuery(request)
            let id = try context.parameters.require("id")
            // A deleted subscription's retained deliveries stay reachable by `/deliveries`, not here.
            guard engine.registry.subscription(id: id) != nil else { throw WebhookError.notFound("subscription", id: id) }
            let page = await engine.deliveries(subscriptionID: id, status: query.status, cursor: query.cursor, limit: query.limit)
            return PageResponse(page)
        }
        webhooks.post("/{id}/test") { _, context in
            let sent = try await engine.sendTest(subscriptionID: try context.parameters.require("id"))
            return EditedResponse(status: .accepted, response: TestDeliveryResponse(eventID: sent.eventID, deliveryID: sent.deliveryID))
        }
        webhooks.post("/{id}/replay") { request, context in
            let body = try await request.decodeJSONIfPresent(ReplayRequest.self, limit: maxBodyBytes)
            guard let text = body?.since ?? request.uri.queryParameters.get("since") else { throw APIError.invalidField("since", "is required (ISO-8601)") }
            guard let since = ISO8601.date(from: text) else { throw APIError.invalidField("since", "must be an ISO-8601 date-time such as 2026-11-29T08:00:00Z") }
            let queued = try await engine.replay(subscriptionID: try context.parameters.require("id"), since: since)
            return EditedResponse(status: .accepted, response: ReplayResponse(queued: queued))
        }
        let deliveries = router.group("/deliveries").add(middleware: auth)
        deliveries.get { request, _ in
            let query = try DeliveryQuery(request)
            return PageResponse(await engine.deliveries(subscriptionID: nil, status: query.status, cursor: query.cursor, limit: query.limit))
        }
        deliveries.get("/{id}") { _, context in DeliveryDetailResponse(detail: try await engine.delivery(id: try context.parameters.require("id"))) }
        deliveries.post("/{id}/retry") { _, context in
            EditedResponse(status: .accepted, response: try await engine.retry(deliveryID: try context.parameters.require("id")))
        }
    }
}

/// `?status=&cursor=&limit=` of the delivery lists.
struct DeliveryQuery {
    var status: DeliverySummary.Status?
    var cursor: String?
    var limit: Int

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query.get("status") {
            guard let status = DeliverySummary.Status(rawValue: text) else {
                throw APIError.invalidField("status", "must be one of pending, failed, delivered, dead")
            }
            self.status = status
        }
        cursor = query.get("cursor")
        limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...500).contains(value) else { throw APIError.invalidField("limit", "must be an integer from 1 to 500") }
            limit = value
        }
    }
}
