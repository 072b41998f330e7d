import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Standard Webhooks signatures: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` where the
/// key is the base64-decoded part of the secret after `whsec_`.
///
/// During a secret rotation every unexpired secret signs, and the `webhook-signature` header carries
/// the signatures space-separated, current secret first, so a receiver verifying with either secret succeeds.
public enum WebhookSigner {
    /// The prefix of every secret.
    public static let secretPrefix = "whsec_"

    /// One `v1,…` signature.
    /// - Throws: ``WebhookError`` (`secret`) when the secret is not `whsec_` + base64.
    public static func signature(secret: String, id: String, timestamp: Int64, body: [UInt8]) throws -> String {
        guard secret.hasPrefix(secretPrefix), let key = Data(base64Encoded: String(secret.dropFirst(secretPrefix.count))) else {
            throw WebhookError.invalid("secret", "must be whsec_ followed by base64")
        }
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// The `webhook-signature` header value for every secret, space-separated.
    public static func header(secrets: [String], id: String, timestamp: Int64, body: [UInt8]) throws -> String {
        try secrets.map { try signature(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }

    /// Checks a `webhook-signature` header against `secret` in constant time per candidate (used by tests and the inspector).
    public static func verify(header: String, secret: String, id: String, timestamp: Int64, body: [UInt8]) -> Bool {
        guard let expected = try? signature(secret: secret, id: id, timestamp: timestamp, body: body) else { return false }
        return header.split(separator: " ").contains { Secrets.constantTimeEquals(String($0), expected) }
    }
}
