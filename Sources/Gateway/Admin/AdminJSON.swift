#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes an admin stream event's data exactly as the REST API encodes the same value.
enum AdminJSON {
    static func encode(_ value: some Encodable) -> String {
        guard let data = try? JSONEncoder.gateway.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
