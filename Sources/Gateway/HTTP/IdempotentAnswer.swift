import Crypto
import HTTPTypes
import NIOCore

/// The first answer to a `POST /broadcast` with an `Idempotency-Key`, and the fingerprint of the body
/// it answered: the same key with another body is a client bug, answered with 422.
struct IdempotentAnswer: Sendable {
    var response: BroadcastResponse
    /// SHA-256 of the request body, hex.
    var fingerprint: String

    init(response: BroadcastResponse, fingerprint: String) {
        self.response = response
        self.fingerprint = fingerprint
    }

    /// The answer as the journal kept it.
    init(_ record: IdempotencyRecord) {
        self.init(response: BroadcastResponse(recipients: record.recipients, timestamp: record.timestamp), fingerprint: record.fingerprint)
    }

    /// The first response, if `fingerprint` is the same body's.
    func answer(to fingerprint: String) throws -> BroadcastResponse {
        guard fingerprint == self.fingerprint else {
            throw APIError(
                .unprocessableContent, code: "idempotency_key_reused",
                message: "this Idempotency-Key was used within 24 hours for a different request body"
            )
        }
        return response
    }

    static func fingerprint(of body: ByteBuffer) -> String {
        SHA256.hash(data: Array(body.readableBytesView)).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
