import Foundation
import Testing
import WebhookVerifier

/// The verifier against the Standard Webhooks test vector, its failure modes, and (in the gateway's
/// tests) deliveries signed by the gateway itself.
@Suite struct WebhookVerifierTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp = "1614265330"
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let then = Date(timeIntervalSince1970: 1_614_265_330)

    @Test func theSpecVectorVerifies() throws {
        let verifier = try WebhookVerifier(secret: Self.secret)
        #expect(verifier.signature(body: Self.body, id: Self.id, timestamp: 1_614_265_330) == Self.signature)
        try verifier.verify(body: Self.body, id: Self.id, timestamp: Self.timestamp, signatures: Self.signature, now: Self.then)
        let headers = ["Webhook-Id": Self.id, "WEBHOOK-TIMESTAMP": Self.timestamp, "webhook-signature": "v1,bm90IGl0 " + Self.signature]
        try verifier.verify(body: Self.body, headers: headers, now: Self.then.addingTimeInterval(299))
        #expect(try WebhookVerifier(secret: String(Self.secret.dropFirst(6))).matches(body: Self.body, id: Self.id, timestamp: 1_614_265_330, signatures: Self.signature))
    }

    @Test func oneVerifierSignsManyMessagesEachFromAFreshStart() throws {
        // Signing starts from a copy of the keyed HMAC: no message may leave state behind for the next.
        let verifier = try WebhookVerifier(secret: Self.secret)
        let other = verifier.signature(body: Array("another body".utf8), id: "msg_other", timestamp: 1)
        #expect(verifier.signature(body: Self.body, id: Self.id, timestamp: 1_614_265_330) == Self.signature)
        #expect(verifier.signature(body: ArraySlice(Self.body), id: Self.id, timestamp: 1_614_265_330) == Self.signature)
        #expect(verifier.signature(body: Array("another body".utf8), id: "msg_other", timestamp: 1) == other)
        #expect(other != Self.signature)
    }

    @Test func everyTamperingIsRefusedWithItsReason() throws {
        let verifier = try WebhookVerifier(secret: Self.secret)
        func failure(_ body: [UInt8] = Self.body, id: String = Self.id, timestamp: String = Self.timestamp, signatures: String = Self.signature, now: Date = Self.then) -> WebhookVerificationError? {
            do {
                try verifier.verify(body: body, id: id, timestamp: timestamp, signatures: signatures, now: now)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(Array(#"{"test": 2432232315}"#.utf8)) == .noMatchingSignature)
        #expect(failure(id: "msg_other") == .noMatchingSignature)
        #expect(failure(signatures: "v2," + Self.signature.dropFirst(3)) == .noMatchingSignature)
        #expect(failure(signatures: "v1,AAAA") == .noMatchingSignature)
        #expect(failure(timestamp: "soon") == .invalidTimestamp)
        #expect(failure(now: Self.then.addingTimeInterval(301)) == .timestampTooOld)
        #expect(failure(now: Self.then.addingTimeInterval(-301)) == .timestampInFuture)
        #expect(throws: WebhookVerificationError.missingHeader("webhook-signature")) {
            try verifier.verify(body: Self.body, headers: ["webhook-id": Self.id, "webhook-timestamp": Self.timestamp], now: Self.then)
        }
        #expect(throws: WebhookVerificationError.invalidSecret) { try WebhookVerifier(secret: "whsec_!!!") }
        #expect(try !WebhookVerifier(secret: "whsec_c2VjcmV0").matches(body: Self.body, id: Self.id, timestamp: 1_614_265_330, signatures: Self.signature))
    }
}
