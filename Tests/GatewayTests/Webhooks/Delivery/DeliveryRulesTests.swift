import Gateway
import Testing

/// The pure decisions of delivery: signature, retry schedule, Retry-After, outcome classification, breaker.
@Suite struct DeliveryRulesTests {
    @Test func signatureMatchesTheStandardWebhooksTestVector() throws {
        let signature = try WebhookSigner.signature(
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8)
        )
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func duringRotationBothSecretsSignSpaceSeparated() throws {
        let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let new = "whsec_" + String(repeating: "QUJD", count: 8)
        let header = try WebhookSigner.header(secrets: [new, old], id: "msg_1", timestamp: 10, body: Array("{}".utf8))
        #expect(header.split(separator: " ").count == 2)
        #expect(WebhookSigner.verify(header: header, secret: old, id: "msg_1", timestamp: 10, body: Array("{}".utf8)))
        #expect(WebhookSigner.verify(header: header, secret: new, id: "msg_1", timestamp: 10, body: Array("{}".utf8)))
        #expect(!WebhookSigner.verify(header: header, secret: new, id: "msg_2", timestamp: 10, body: Array("{}".utf8)))
    }

    @Test func theDefaultScheduleIsSvixLikeWithinTwentyPercentJitter() {
        let policy = RetryPolicy()
        #expect(policy.maxAttempts == 8)
        let expected: [Int64] = [5, 300, 1800, 7200, 18000, 36000, 36000]
        for (index, seconds) in expected.enumerated() {
            let low = policy.delay(after: index + 1, retryAfter: nil, throttled: false, unit: 0)
            let middle = policy.delay(after: index + 1, retryAfter: nil, throttled: false, unit: 0.5)
            let high = policy.delay(after: index + 1, retryAfter: nil, throttled: false, unit: 0.999_999)
            #expect(middle == .seconds(seconds))
            #expect(low == .milliseconds(seconds * 800))
            #expect(high! <= .milliseconds(seconds * 1200) && high! > .milliseconds(seconds * 1199))
        }
        #expect(policy.delay(after: 8, retryAfter: nil, throttled: false, unit: 0.5) == nil)
    }

    @Test func retryAfterAndThrottlingAreBounded() {
        let policy = RetryPolicy(minimumThrottleDelay: .seconds(5), maximumRetryAfter: .seconds(3600))
        #expect(policy.delay(after: 1, retryAfter: .seconds(120), throttled: false, unit: 0.5) == .seconds(120))
        #expect(policy.delay(after: 1, retryAfter: .seconds(999_999), throttled: false, unit: 0.5) == .seconds(3600))
        #expect(policy.delay(after: 1, retryAfter: .seconds(1), throttled: false, unit: 0.5) == .seconds(5))
        let quick = RetryPolicy(schedule: [.zero, .milliseconds(100)], minimumThrottleDelay: .seconds(2))
        #expect(quick.delay(after: 1, retryAfter: nil, throttled: true, unit: 0.5) == .seconds(2))
        #expect(quick.delay(after: 1, retryAfter: nil, throttled: false, unit: 0.5) == .milliseconds(100))
    }

    @Test func retryAfterParsesSecondsAndHTTPDates() {
        let now: Int64 = 784_111_777_000  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("120", nowMillis: now) == .seconds(120))
        #expect(RetryAfter.parse(" 7 ", nowMillis: now) == .seconds(7))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:51:37 GMT", nowMillis: now) == .seconds(120))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", nowMillis: now) == .zero)
        #expect(RetryAfter.parse("soon", nowMillis: now) == nil)
        #expect(RetryAfter.parse("-5", nowMillis: now) == nil)
    }

    private func response(_ status: Int, _ headers: [String: String] = [:]) -> AttemptOutcome {
        .response(TransportResponse(statusCode: status, headers: headers, body: [], duration: .milliseconds(3)))
    }

    private func decide(_ outcome: AttemptOutcome, attempt: Int = 1) -> DeliveryDecision {
        DeliveryDecision.decide(attempt: attempt, outcome: outcome, policy: RetryPolicy(jitter: 0), unit: 0.5, nowMillis: 0)
    }

    @Test(arguments: [200, 201, 204, 299])
    func twoHundredsAreDelivered(status: Int) { #expect(decide(response(status)) == .delivered) }

    @Test(arguments: [408, 425, 429, 500, 502, 503, 504, 599])
    func retryableStatusesAreRetried(status: Int) {
        guard case .retry = decide(response(status)) else {
            Issue.record("expected a retry for \(status)")
            return
        }
    }

    @Test(arguments: [300, 302, 400, 401, 403, 404, 409, 422])
    func otherStatusesAreFinal(status: Int) {
        guard case .dead(_, nil) = decide(response(status)) else {
            Issue.record("expected a final failure for \(status)")
            return
        }
    }

    @Test func goneAndTheWebhookDeliveryHeaderAreHonoured() {
        guard case .dead(_, let disable?) = decide(response(410)) else {
            Issue.record("410 must disable")
            return
        }
        #expect(disable.contains("410"))
        guard case .dead(_, nil) = decide(response(500, ["webhook-delivery": "abort-message"])) else {
            Issue.record("abort-message must stop")
            return
        }
        guard case .dead(_, _?) = decide(response(200, ["webhook-delivery": "disable"])) else {
            Issue.record("disable must disable")
            return
        }
    }

    @Test func transportFailuresAreRetriedAndTheLastAttemptGivesUp() {
        guard case .retry(let delay, _) = decide(.failure(TransportError(.connectionFailed, "reset"))) else {
            Issue.record("retry")
            return
        }
        #expect(delay == .seconds(5))
        guard case .retry(let throttled, _) = decide(.failure(TransportError(.timedOut, "slow")), attempt: 1) else {
            Issue.record("retry")
            return
        }
        #expect(throttled >= .seconds(5))
        guard case .dead(let reason, nil) = decide(response(503), attempt: 8) else {
            Issue.record("give up")
            return
        }
        #expect(reason.hasPrefix("gave up after 8 attempts"))
    }

    @Test func aProbeWithoutAVerdictLetsTheNextRequestProbe() {
        var breaker = CircuitBreaker(failureThreshold: 1, initialCooldownMillis: 1000, maximumCooldownMillis: 4000)
        breaker.recordFailure(now: 0)
        let probing = breaker.allowsRequest(now: 1000)
        #expect(probing && breaker.state == .halfOpen(cooldown: 1000))
        // The probe's transfer was cut by shutdown (or its result not journaled): no verdict, no endless hold.
        breaker.probeAbandoned(now: 2000)
        let early = breaker.allowsRequest(now: 1999)
        let next = breaker.allowsRequest(now: 2000)
        #expect(!early && next)
        // On a closed circuit it changes nothing.
        var closed = CircuitBreaker()
        closed.probeAbandoned(now: 0)
        #expect(closed.state == .closed(consecutiveFailures: 0))
    }

    @Test func breakerOpensAfterTheThresholdProbesHalfOpenAndCloses() {
        var breaker = CircuitBreaker(failureThreshold: 3, initialCooldownMillis: 1000, maximumCooldownMillis: 4000)
        for _ in 0..<2 { breaker.recordFailure(now: 0) }
        let allowed0 = breaker.allowsRequest(now: 0)
        #expect(allowed0)
        breaker.recordFailure(now: 0)
        #expect(breaker.isOpen)
        let allowed999 = breaker.allowsRequest(now: 999)
        #expect(!allowed999)
        let allowed1000 = breaker.allowsRequest(now: 1000)
        #expect(allowed1000)
        #expect(breaker.state == .halfOpen(cooldown: 1000))
        let allowed1001 = breaker.allowsRequest(now: 1001)
        #expect(!allowed1001)
        breaker.recordFailure(now: 1001)
        #expect(breaker.state == .open(until: 3001, cooldown: 2000))
        let allowed3001 = breaker.allowsRequest(now: 3001)
        #expect(allowed3001)
        breaker.recordFailure(now: 3001)
        breaker.recordFailure(now: 3001)
        #expect(breaker.state == .open(until: 7001, cooldown: 4000))
        let allowed7001 = breaker.allowsRequest(now: 7001)
        #expect(allowed7001)
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }
}
