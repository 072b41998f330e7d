public import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Request {
    /// Reads the body (at most `limit` bytes) and decodes it, mapping every failure to the right status.
    ///
    /// Not JSON → 400 `malformed_json`; a missing field or a wrong type → 422 naming the field;
    /// larger than `limit` → 413.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, limit: Int) async throws -> Value {
        try Self.decode(Value.self, from: try await collectBody(limit: limit))
    }

    /// Like ``decodeJSON(_:limit:)``, but an empty body gives `nil` (for optional bodies).
    public func decodeJSONIfPresent<Value: Decodable>(_ type: Value.Type, limit: Int) async throws -> Value? {
        let body = try await collectBody(limit: limit)
        return body.readableBytes == 0 ? nil : try Self.decode(Value.self, from: body)
    }

    private func collectBody(limit: Int) async throws -> ByteBuffer {
        do {
            return try await self.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        }
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, from body: ByteBuffer) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw Self.apiError(for: error)
        }
    }

    private static func apiError(for error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidField(path(context.codingPath + [key]), "is required")
        case .typeMismatch(let type, let context):
            return .invalidField(path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalidField(path(context.codingPath), "must be \(describe(type)), not null")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .invalidField(path(context.codingPath), context.debugDescription)
        case .dataCorrupted(let context):
            return .malformedJSON(context.underlyingError.map { "\($0)" } ?? context.debugDescription)
        @unknown default:
            return .malformedJSON("\(error)")
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        case is [Int].Type: "a list of integers"
        default: "of type \(type)"
        }
    }
}
