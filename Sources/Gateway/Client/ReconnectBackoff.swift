/// How long `gateway client` waits before connecting again, and which endings are final.
///
/// A pure value: the random draw is a parameter, so a test pins every delay. The nominal delay doubles
/// from ``initial`` up to ``maximum``; jitter spreads it by ±``jitter`` so that many clients dropped by
/// one server restart do not come back in the same instant:
///
/// | consecutive failures | 1 | 2 | 3 | 4 | 5 | 6+ |
/// |---|---|---|---|---|---|---|
/// | nominal delay (s) | 0.5 | 1 | 2 | 4 | 8 | 10 |
public struct ReconnectBackoff: Sendable, Equatable {
    /// The delay after the first failure.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// The spread around the nominal delay, as a fraction of it (0.2 = ±20 %).
    public var jitter: Double

    /// Creates a policy; the defaults are the table above with ±20 % jitter.
    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(10), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before the next attempt.
    ///
    /// - Parameters:
    ///   - failures: consecutive failed or lost connections so far (1 after the first).
    ///   - random: a draw in `0..<1`; 0.5 gives the nominal delay.
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        let doublings = min(max(failures - 1, 0), 30)
        let nominal = min(initial * (1 << doublings), maximum)
        let factor = 1 - jitter + 2 * jitter * min(max(random, 0), 1)
        return nominal * factor
    }

    /// Whether a connection that ended with `closeCode` should not be retried: 1008 (policy violation)
    /// is the hub refusing this client (an unusable id, or the rate limit), and would be refused again.
    public static func isFinal(closeCode: Int) -> Bool {
        closeCode == 1008
    }
}
