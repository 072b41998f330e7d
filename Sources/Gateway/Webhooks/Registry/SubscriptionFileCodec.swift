#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The on-disk JSON form of a subscription: pretty-printed, sorted keys, ISO-8601 dates.
enum SubscriptionFileCodec {
    /// The file name for a subscription id.
    static func fileName(for id: String) -> String { "\(id).json" }

    static func encode(_ subscription: WebhookSubscription) throws -> [UInt8] {
        let encoder = JSONEncoder.gateway
        encoder.outputFormatting.insert(.prettyPrinted)
        return Array(try encoder.encode(subscription)) + [UInt8(ascii: "\n")]
    }

    static func decode(_ bytes: [UInt8]) throws -> WebhookSubscription {
        try JSONDecoder.gateway.decode(WebhookSubscription.self, from: Data(bytes))
    }
}

extension JSONDecoder {
    /// Reads what ``JSONEncoder/gateway`` writes: ISO-8601 dates with or without milliseconds.
    public static var gateway: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO-8601 date, got '\(text)'")
        }
        return decoder
    }
}
