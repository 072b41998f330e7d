public import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DeliverySummary: ResponseEncodable {}

extension PageResponse where Item == DeliverySummary {
    /// A page of the delivery log.
    init(_ page: DeliveryPage) { self.init(data: page.items, nextCursor: page.nextCursor) }
}

/// `GET /deliveries/{id}`: the summary's fields, the payload as JSON, and every attempt.
struct DeliveryDetailResponse: ResponseEncodable {
    var detail: DeliveryDetail

    enum CodingKeys: String, CodingKey { case payload, attempts }

    func encode(to encoder: any Encoder) throws {
        try detail.summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        let payload = (try? JSONDecoder().decode(JSONValue.self, from: Data(detail.payload))) ?? .string(String(decoding: detail.payload, as: UTF8.self))
        try container.encode(payload, forKey: .payload)
        try container.encode(detail.attempts, forKey: .attempts)
    }
}

/// `POST /webhooks/{id}/test`.
struct TestDeliveryResponse: ResponseEncodable {
    var eventID: String
    var deliveryID: String

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case deliveryID = "delivery_id"
    }
}

/// `POST /webhooks/{id}/replay` body.
struct ReplayRequest: Decodable {
    var since: String?
}

/// `POST /webhooks/{id}/replay` answer.
struct ReplayResponse: ResponseEncodable {
    var queued: Int
}
