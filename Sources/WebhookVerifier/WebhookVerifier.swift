import Crypto

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Verifies [Standard Webhooks](https://www.standardwebhooks.com) deliveries, for receivers in Swift.
///
/// A delivery carries `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`: one or
/// more space-separated `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, where the key is the
/// base64-decoded part of the secret after `whsec_`. A delivery is genuine when any `v1` signature
/// matches (compared in constant time) and the timestamp is within ``tolerance`` of now (replay
/// protection). Verify the raw body bytes as received, before any JSON parsing.
///
/// ```swift
/// let verifier = try WebhookVerifier(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
/// try verifier.verify(body: bodyBytes, headers: ["webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sig])
/// ```
public struct WebhookVerifier: Sendable {
    /// The prefix of Standard Webhooks secrets.
    public static let secretPrefix = "whsec_"

    /// HMAC-SHA256 keyed with the secret, before any data: each signature starts from a copy (a
    /// value type), which skips deriving the inner and outer pads from the key every time.
    private let keyed: HMAC<SHA256>
    /// How far the timestamp may be from now, either way (default 5 minutes).
    public var tolerance: Duration

    /// - Parameters:
    ///   - secret: `whsec_` followed by base64 (the prefix may be left out).
    ///   - tolerance: How far `webhook-timestamp` may be from now.
    /// - Throws: ``WebhookVerificationError/invalidSecret`` when the secret is not base64.
    public init(secret: String, tolerance: Duration = .seconds(300)) throws(WebhookVerificationError) {
        let encoded = secret.hasPrefix(Self.secretPrefix) ? String(secret.dropFirst(Self.secretPrefix.count)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { throw .invalidSecret }
        keyed = HMAC<SHA256>(key: SymmetricKey(data: bytes))
        self.tolerance = tolerance
    }

    /// Verifies a delivery from its headers (names in any case).
    /// - Throws: ``WebhookVerificationError`` saying what is wrong.
    public func verify(body: some Collection<UInt8>, headers: [String: String], now: Date = Date()) throws(WebhookVerificationError) {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        func header(_ name: String) throws(WebhookVerificationError) -> String {
            guard let value = lowered[name], !value.isEmpty else { throw .missingHeader(name) }
            return value
        }
        try verify(body: body, id: try header("webhook-id"), timestamp: try header("webhook-timestamp"), signatures: try header("webhook-signature"), now: now)
    }

    /// Verifies a delivery from the three header values.
    /// - Throws: ``WebhookVerificationError`` saying what is wrong.
    public func verify(body: some Collection<UInt8>, id: String, timestamp: String, signatures: String, now: Date = Date()) throws(WebhookVerificationError) {
        guard let seconds = Int64(timestamp) else { throw .invalidTimestamp }
        let offset = Double(seconds) - now.timeIntervalSince1970
        let limit = Double(tolerance.components.seconds)
        if offset < -limit { throw .timestampTooOld }
        if offset > limit { throw .timestampInFuture }
        guard matches(body: body, id: id, timestamp: seconds, signatures: signatures) else { throw .noMatchingSignature }
    }

    /// Whether any `v1,` signature in `signatures` matches, without looking at the clock.
    public func matches(body: some Collection<UInt8>, id: String, timestamp: Int64, signatures: String) -> Bool {
        let expected = Array(signature(body: body, id: id, timestamp: timestamp).utf8)
        var found = false
        for candidate in signatures.split(separator: " ") where candidate.hasPrefix("v1,") {
            // Every candidate is compared in full: no early exit on a match or a mismatch.
            found = Self.constantTimeEquals(Array(candidate.utf8), expected) || found
        }
        return found
    }

    /// The `v1,<base64>` signature of a delivery (what a sender puts in `webhook-signature`).
    public func signature(body: some Collection<UInt8>, id: String, timestamp: Int64) -> String {
        var hmac = keyed
        var prefix = "\(id).\(timestamp)."
        prefix.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
        if body.withContiguousStorageIfAvailable({ hmac.update(data: UnsafeRawBufferPointer($0)) }) == nil {
            Array(body).withUnsafeBytes { hmac.update(data: $0) }
        }
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// Why a delivery did not verify.
public enum WebhookVerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The secret is not `whsec_` + base64.
    case invalidSecret
    /// A required header (`webhook-id`, `webhook-timestamp`, `webhook-signature`) is absent or empty.
    case missingHeader(String)
    /// `webhook-timestamp` is not an integer.
    case invalidTimestamp
    /// The timestamp is older than the tolerance (a replay, or a clock far behind).
    case timestampTooOld
    /// The timestamp is further ahead than the tolerance.
    case timestampInFuture
    /// No `v1` signature matches: wrong secret, or the body, id or timestamp was changed.
    case noMatchingSignature

    public var description: String {
        switch self {
        case .invalidSecret: "the secret is not whsec_ followed by base64"
        case .missingHeader(let name): "the \(name) header is missing"
        case .invalidTimestamp: "webhook-timestamp is not a number of seconds"
        case .timestampTooOld: "webhook-timestamp is too old"
        case .timestampInFuture: "webhook-timestamp is too far in the future"
        case .noMatchingSignature: "no signature matches"
        }
    }
}
