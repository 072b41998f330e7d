import Synchronization
import WebhookVerifier

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
        try signer(secret).signature(body: body, id: id, timestamp: timestamp)
    }

    /// Parsed keys by secret: decoding the base64 and building the key was most of a signature's cost
    /// (3.5 µs and 20 allocations of 4). Bounded: **overflow policy: start over** (emptied when full;
    /// the next signatures parse again), so secrets of deleted subscriptions cannot accumulate.
    private static let keys = Mutex<[String: WebhookVerifier]>([:])
    private static let maxCachedKeys = 50_000

    /// The shared Standard Webhooks implementation (the `WebhookVerifier` library receivers use).
    private static func signer(_ secret: String) throws -> WebhookVerifier {
        if let cached = keys.withLock({ $0[secret] }) { return cached }
        guard secret.hasPrefix(secretPrefix), let verifier = try? WebhookVerifier(secret: secret) else {
            throw WebhookError.invalid("secret", "must be whsec_ followed by base64")
        }
        keys.withLock { keys in
            if keys.count >= maxCachedKeys { keys.removeAll(keepingCapacity: true) }
            keys[secret] = verifier
        }
        return verifier
    }

    /// The `webhook-signature` header value for every secret, space-separated.
    public static func header(secrets: [String], id: String, timestamp: Int64, body: [UInt8]) throws -> String {
        try secrets.map { try signature(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }

    /// Checks a `webhook-signature` header against `secret` in constant time per candidate (used by tests and the inspector).
    public static func verify(header: String, secret: String, id: String, timestamp: Int64, body: [UInt8]) -> Bool {
        (try? signer(secret))?.matches(body: body, id: id, timestamp: timestamp, signatures: header) ?? false
    }
}
