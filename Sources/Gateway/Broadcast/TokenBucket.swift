/// A token bucket: `rate` tokens per second, at most `capacity` saved up.
///
/// A pure value: the caller passes the current instant, so tests drive it without a clock.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let capacity: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant?

    /// A full bucket.
    public init(rate: Double, capacity: Int) {
        self.rate = rate
        self.capacity = Double(capacity)
        self.tokens = Double(capacity)
    }

    /// Takes one token if there is one.
    /// - Returns: `false` when the caller is over its rate.
    public mutating func take(now: ContinuousClock.Instant) -> Bool {
        if let last {
            let elapsed = last.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            tokens = min(capacity, tokens + seconds * rate)
        }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
