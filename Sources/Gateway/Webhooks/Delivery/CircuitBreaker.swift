/// Per-endpoint health: after `failureThreshold` consecutive failures the endpoint is paused
/// (open) for a cool-down that doubles on each failed probe up to `maximumCooldown`; then one
/// probe is let through (half-open): success closes the circuit, failure opens it again.
///
/// A pure value driven by the caller's clock (milliseconds), tested without sleeping.
public struct CircuitBreaker: Sendable, Equatable {
    /// Closed (counting failures), open until a time, or half-open with one probe out.
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: Int64, cooldown: Int64)
        case halfOpen(cooldown: Int64)
    }

    public private(set) var state = State.closed(consecutiveFailures: 0)
    public var failureThreshold: Int
    public var initialCooldownMillis: Int64
    public var maximumCooldownMillis: Int64

    public init(failureThreshold: Int = 5, initialCooldownMillis: Int64 = 5_000, maximumCooldownMillis: Int64 = 300_000) {
        self.failureThreshold = failureThreshold
        self.initialCooldownMillis = initialCooldownMillis
        self.maximumCooldownMillis = maximumCooldownMillis
    }

    /// Whether a request may go now; an expired open circuit turns half-open and lets this one probe through.
    public mutating func allowsRequest(now: Int64) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until, let cooldown):
            guard now >= until else { return false }
            state = .halfOpen(cooldown: cooldown)
            return true
        case .halfOpen: return false
        }
    }

    /// When the circuit will let a probe through, if it is open.
    public var reopensAt: Int64? {
        if case .open(let until, _) = state { return until }
        return nil
    }

    /// Whether requests are currently held back.
    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }

    /// Records a success: the circuit closes.
    public mutating func recordSuccess() { state = .closed(consecutiveFailures: 0) }

    /// The half-open probe ended without an answer to judge by (the transport stopped under it, or its
    /// result could not be journaled): the next request at or after `now` probes again. Without this a
    /// half-open circuit would hold its endpoint back until restart.
    public mutating func probeAbandoned(now: Int64) {
        if case .halfOpen(let cooldown) = state { state = .open(until: now, cooldown: cooldown) }
    }

    /// Records a failure at `now`.
    public mutating func recordFailure(now: Int64) {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= failureThreshold ? .open(until: now + initialCooldownMillis, cooldown: initialCooldownMillis) : .closed(consecutiveFailures: failures + 1)
        case .halfOpen(let cooldown), .open(_, let cooldown):
            let next = min(cooldown * 2, maximumCooldownMillis)
            state = .open(until: now + next, cooldown: next)
        }
    }
}
