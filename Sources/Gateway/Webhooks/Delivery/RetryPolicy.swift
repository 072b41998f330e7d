/// When to try a failed delivery again: a pure value, tested without a clock.
///
/// The default schedule follows Svix. Attempt *n* happens `schedule[n-1]` after attempt *n-1*
/// failed (attempt 1 is immediate), each delay with ±`jitter` random spread:
///
/// | attempt | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 |
/// |---|---|---|---|---|---|---|---|---|
/// | delay | 0 | 5 s | 5 min | 30 min | 2 h | 5 h | 10 h | 10 h |
///
/// So a delivery is given up about 27.5 hours after it was first tried. `Retry-After` on 429/503
/// replaces the scheduled delay (clamped to `[minimumThrottleDelay, maximumRetryAfter]`), and 429
/// or a timeout never retries sooner than `minimumThrottleDelay`.
public struct RetryPolicy: Sendable, Equatable {
    /// Delays before attempts 1…N; `schedule.count` is the maximum number of attempts.
    public var schedule: [Duration]
    /// Random spread of each delay, 0.2 = ±20 %.
    public var jitter: Double
    /// The least a 429 or a timeout waits before the next attempt.
    public var minimumThrottleDelay: Duration
    /// The most a `Retry-After` can push the next attempt out.
    public var maximumRetryAfter: Duration

    public static let defaultSchedule: [Duration] = [.zero, .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18000), .seconds(36000), .seconds(36000)]

    public init(schedule: [Duration] = defaultSchedule, jitter: Double = 0.2, minimumThrottleDelay: Duration = .seconds(5), maximumRetryAfter: Duration = .seconds(6 * 3600)) {
        self.schedule = schedule.isEmpty ? [.zero] : schedule
        self.jitter = jitter
        self.minimumThrottleDelay = minimumThrottleDelay
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// The most attempts a delivery gets.
    public var maxAttempts: Int { schedule.count }

    /// The delay before attempt `attempt + 1`, after attempt `attempt` failed; `nil` when attempts are exhausted.
    /// - Parameters:
    ///   - attempt: The attempt that just failed (1-based).
    ///   - retryAfter: The receiver's `Retry-After`, already parsed into a delay.
    ///   - throttled: The failure was a 429 or a timeout.
    ///   - unit: A random number in `0..<1` (injected so tests are exact).
    public func delay(after attempt: Int, retryAfter: Duration?, throttled: Bool, unit: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let scheduled = schedule[attempt]
        let spread = 1 + jitter * (2 * unit - 1)
        var delay = Duration.milliseconds(Int64((Double(scheduled.components.seconds) * 1000 + Double(scheduled.components.attoseconds) / 1e15) * spread))
        if let retryAfter { delay = min(max(retryAfter, .zero), maximumRetryAfter) }
        if throttled || retryAfter != nil { delay = max(delay, minimumThrottleDelay) }
        return delay
    }
}
