public import Hummingbird

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The request context of every route: Hummingbird's core context, with the gateway's JSON encoder.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// JSON with ISO-8601 dates (milliseconds, UTC) and stable key order, like every gateway payload.
    public var responseEncoder: JSONEncoder { JSONEncoder.gateway }
}

extension JSONEncoder {
    /// The encoder for REST responses and files: ISO-8601 dates with milliseconds, sorted keys.
    public static var gateway: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        return encoder
    }
}
