/// The result of one attempt, as the state machine sees it.
public enum AttemptOutcome: Sendable, Equatable {
    case response(TransportResponse)
    case failure(TransportError)
}

/// What to do after an attempt: a pure function of the attempt number, its outcome and the policy.
///
/// Success is 2xx only. Retried: connection errors, timeouts, a refused address, overload, 408, 425,
/// 429 and 5xx. Final: every other status. 410 Gone, or `webhook-delivery: disable`, also disables
/// the subscription; `webhook-delivery: abort-message` stops retrying this message (on any status).
public enum DeliveryDecision: Sendable, Equatable {
    case delivered
    case retry(after: Duration, reason: String)
    case dead(reason: String, disableSubscription: String?)

    /// Decides after attempt `attempt` (1-based).
    /// - Parameters:
    ///   - unit: A random number in `0..<1` for the jitter.
    ///   - nowMillis: For a `Retry-After` given as a date.
    public static func decide(attempt: Int, outcome: AttemptOutcome, policy: RetryPolicy, unit: Double, nowMillis: Int64) -> DeliveryDecision {
        let reason: String
        var retryAfter: Duration?
        var throttled = false
        switch outcome {
        case .response(let response):
            switch response.headers["webhook-delivery"]?.lowercased() {
            case "disable": return .dead(reason: "receiver answered webhook-delivery: disable", disableSubscription: "receiver asked to disable (webhook-delivery: disable)")
            case "abort-message" where !(200..<300).contains(response.statusCode):
                return .dead(reason: "receiver answered webhook-delivery: abort-message", disableSubscription: nil)
            default: break
            }
            let status = response.statusCode
            if (200..<300).contains(status) { return .delivered }
            if status == 410 { return .dead(reason: "HTTP 410 Gone", disableSubscription: "endpoint answered 410 Gone") }
            guard [408, 425, 429].contains(status) || (500..<600).contains(status) else {
                return .dead(reason: "HTTP \(status) is final (only 408, 425, 429 and 5xx are retried)", disableSubscription: nil)
            }
            reason = "HTTP \(status)"
            throttled = status == 429
            retryAfter = response.headers["retry-after"].flatMap { RetryAfter.parse($0, nowMillis: nowMillis) }
        case .failure(let error):
            reason = error.description
            throttled = error.kind == .timedOut || error.kind == .overloaded
        }
        guard let delay = policy.delay(after: attempt, retryAfter: retryAfter, throttled: throttled, unit: unit) else {
            return .dead(reason: "gave up after \(attempt) attempts; last: \(reason)", disableSubscription: nil)
        }
        return .retry(after: delay, reason: reason)
    }
}
