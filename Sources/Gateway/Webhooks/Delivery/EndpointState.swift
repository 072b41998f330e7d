import DequeModule

/// What the engine knows about one subscription's endpoint right now (not persisted: health is
/// re-learned after a restart, except `failingSince`, which recovery rebuilds from the attempt log).
struct EndpointState: Sendable {
    var inFlight = 0
    var breaker: CircuitBreaker
    /// Token bucket for `delivery.rate_limit_per_second`, created on first use with the current rate.
    var bucket: TokenBucket?
    var bucketRate: Int?
    /// First failure since the last success (ms), for auto-disable and `delivery.recovered`.
    var failingSince: Int64?
    var failedAttempts = 0
    /// Deliveries held back by the in-flight cap or FIFO order, oldest first; one is woken per freed slot.
    /// At most the endpoint's pending deliveries.
    var parked = Deque<String>()

    init(breaker: CircuitBreaker) {
        self.breaker = breaker
    }

    /// Takes a rate-limit token at `now`; `true` when the subscription has no limit.
    mutating func takeToken(rate: Int?, now: ContinuousClock.Instant) -> Bool {
        guard let rate else { return true }
        if bucketRate != rate {
            bucket = TokenBucket(rate: Double(rate), capacity: max(1, rate))
            bucketRate = rate
        }
        return bucket?.take(now: now) ?? true
    }
}

/// A delivery's place in the engine's timer heap. Ordered by due time; `generation` marks
/// entries superseded by a reschedule (stale ones are skipped when popped).
struct DueDelivery: Comparable, Sendable {
    var at: Int64
    var deliveryID: String
    var generation: Int

    static func < (lhs: DueDelivery, rhs: DueDelivery) -> Bool {
        (lhs.at, lhs.generation, lhs.deliveryID) < (rhs.at, rhs.generation, rhs.deliveryID)
    }
}

/// Counters for `/stats` and `/metrics`, read without waiting for the engine.
public struct DeliveryCounters: Sendable, Equatable {
    public var pending = 0
    public var inFlight = 0
    public var delivered = 0
    public var failedAttempts = 0
    public var dead = 0
    public var attempts = 0
    public var openCircuits = 0
    /// Bytes in the journal's segment files, and compactions since start.
    public var journalBytes = 0
    public var compactions = 0
}
