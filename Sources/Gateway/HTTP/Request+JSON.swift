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

    /// The body, at most `limit` bytes (more → 413).
    func collectBody(limit: Int) async throws -> ByteBuffer {
        do {
            return try await self.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        }
    }

    /// Decodes a body already read, with the same error mapping as ``decodeJSON(_:limit:)``.
    static func decode<Value: Decodable>(_ type: Value.Type, from body: ByteBuffer) throws -> Value {
        let data = Data(body.readableBytesView)
        do {
            return try JSONDecoder().decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw Self.apiError(for: error, isJSON: { (try? JSONDecoder().decode(JSONValue.self, from: data)) != nil })
        }
    }

    /// - Parameter isJSON: Whether the body is JSON at all: Foundation reports a number that does not
    ///   fit the field (`1.5` for an integer) exactly as it reports broken JSON, without a path.
    private static func apiError(for error: DecodingError, isJSON: () -> Bool) -> APIError {
        switch error {
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .invalidField("body", "must be a JSON object")
        case .keyNotFound(let key, let context):
            return .invalidField(path(context.codingPath + [key]), "is required")
        case .typeMismatch(let type, let context):
            return .invalidField(path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalidField(path(context.codingPath), "must be \(describe(type)), not null")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .invalidField(path(context.codingPath), context.debugDescription)
        case .dataCorrupted where isJSON():
            return .invalidField("body", "a number does not fit its field (a fraction where an integer is expected, or out of range)")
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
