import Synchronization

/// Where a transfer's outcome goes: a suspended `send` (its continuation) or a `submit` callback.
struct CurlWaiter: Sendable {
    private let deliver: @Sendable (Result<TransportResponse, any Error>) -> Void

    init(_ deliver: @escaping @Sendable (Result<TransportResponse, any Error>) -> Void) {
        self.deliver = deliver
    }

    func resume(with result: Result<TransportResponse, any Error>) { deliver(result) }

    func resume(throwing error: any Error) { deliver(.failure(error)) }
}

/// One transfer waiting for the curl thread: the request and who waits for its outcome.
struct CurlSubmission: Sendable {
    /// The transport's number for the transfer; cancellation finds it by this.
    let id: UInt64
    /// What to send.
    let request: TransportRequest
    /// Resumed exactly once: by the curl thread, or by whoever removes the submission from the inbox.
    let waiter: CurlWaiter
}

/// What the curl thread takes from the inbox in one turn of its loop.
struct CurlInboxTurn: Sendable {
    /// Submissions to start, at most the number of free transfer slots.
    var submissions: [CurlSubmission]
    /// Ids whose tasks were cancelled after the curl thread took them; unknown ids are ignored.
    var cancellations: [UInt64]
    /// Set once shutdown began: running transfers must finish by then.
    var drainDeadline: ContinuousClock.Instant?
}

/// The bounded hand-off from Swift concurrency to the curl thread.
///
/// A `Mutex` rather than an actor because every step is a short synchronous section that the curl
/// thread (not a Swift task) must also enter, and `send` must refuse at once when the inbox is full:
/// overflow policy *refuse*, `send` throws `.overloaded` and the engine retries later. `capacity` bounds
/// the submissions that have not started: those queued here plus those the curl thread parked because
/// their origin is at its connection limit (reported each turn, and counted as parked from the moment
/// they are taken, so the bound is never undercounted). Running transfers belong to the curl thread.
/// Waiters are always resumed after the lock is released.
final class CurlInbox: Sendable {
    /// Where the transport is in its life.
    enum Phase: Sendable {
        /// Accepting sends.
        case running
        /// `shutdown` began: no new sends; running transfers may finish until `deadline`.
        case draining(deadline: ContinuousClock.Instant)
        /// The curl thread has exited (or never started): every send throws `error`.
        case stopped(TransportError)
    }

    /// Everything the lock protects.
    private struct State {
        var queue = CurlSubmissionQueue()
        /// Submissions taken by the curl thread and not known to have started (see the type's doc).
        var parked = 0
        var cancellations: [UInt64] = []
        var phase = Phase.running
        /// True while the curl thread may be blocked in `curl_multi_poll` without having seen the
        /// latest change: the next change wakes it and clears this, so a burst costs one wake-up.
        var loopMayBeWaiting = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []

        /// Whether the caller must wake the curl thread for the change it just made (once per turn).
        mutating func takeWakeUp() -> Bool {
            defer { loopMayBeWaiting = false }
            return loopMayBeWaiting
        }
    }

    private let state: Mutex<State>
    /// The last transfer id handed out (an atomic: an id costs no turn of the lock).
    private let lastID = Atomic<UInt64>(0)

    /// Whether sends are accepted (the curl thread runs and shutdown has not begun).
    var isAccepting: Bool {
        state.withLock { state in
            if case .running = state.phase { return true }
            return false
        }
    }

    /// Submissions that may wait at once.
    let capacity: Int
    /// Interrupts the curl thread's poll; `nil` when no curl thread runs.
    private let multi: CurlMultiHandle?

    /// An inbox for `capacity` waiting submissions whose changes wake `multi`'s poll; without a
    /// multi handle it starts stopped with `unavailable`.
    init(capacity: Int, multi: CurlMultiHandle?, unavailable: TransportError) {
        self.capacity = max(1, capacity)
        self.multi = multi
        var initial = State()
        if multi == nil { initial.phase = .stopped(unavailable) }
        self.state = Mutex(initial)
    }

    /// A fresh transfer id.
    func makeID() -> UInt64 {
        lastID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Queues `submission`, or resumes it at once with `CancellationError` (its task is already
    /// cancelled), `.overloaded` (full) or `.shutdown`.
    func submit(_ submission: CurlSubmission, isCancelled: Bool) {
        /// What the curl thread should do with a submission.
        enum Decision {
            case queued(wake: Bool)
            case rejected(any Error)
        }
        let decision = state.withLock { state -> Decision in
            guard case .running = state.phase else { return .rejected(Self.phaseError(state.phase)) }
            if isCancelled { return .rejected(CancellationError()) }
            guard state.queue.count + state.parked < capacity else {
                return .rejected(TransportError(.overloaded, "the transport inbox is full (\(capacity) waiting transfers)"))
            }
            state.queue.append(submission)
            return .queued(wake: state.takeWakeUp())
        }
        switch decision {
        case .queued(let wake): if wake { multi?.wakeup() }
        case .rejected(let error): submission.waiter.resume(throwing: error)
        }
    }

    /// Cancels transfer `id`: a waiting submission is removed and resumed with `CancellationError`
    /// here; a running one is handed to the curl thread, which removes it from libcurl and resumes it.
    func cancel(_ id: UInt64) {
        let (removed, wake) = state.withLock { state -> (CurlSubmission?, Bool) in
            if let removed = state.queue.remove(id: id) { return (removed, false) }
            if case .stopped = state.phase { return (nil, false) }
            state.cancellations.append(id)
            return (nil, state.takeWakeUp())
        }
        removed?.waiter.resume(throwing: CancellationError())
        if wake { multi?.wakeup() }
    }

    /// Curl thread: takes up to `freeSlots` submissions and the pending cancellations, and notes
    /// that the thread may now block in `curl_multi_poll` until the next change wakes it.
    ///
    /// - Parameters:
    ///   - freeSlots: Transfers the curl thread can take now.
    ///   - parked: Submissions the curl thread holds that have not started.
    func takeTurn(freeSlots: Int, parked: Int) -> CurlInboxTurn {
        state.withLock { state in
            var deadline: ContinuousClock.Instant?
            if case .draining(let drainDeadline) = state.phase { deadline = drainDeadline }
            let taken = state.queue.popFirst(max(0, freeSlots))
            let turn = CurlInboxTurn(submissions: taken, cancellations: state.cancellations, drainDeadline: deadline)
            state.parked = parked + taken.count
            state.cancellations.removeAll(keepingCapacity: true)
            state.loopMayBeWaiting = true
            return turn
        }
    }

    /// Stops accepting sends and gives running transfers until `now + gracePeriod`; waiting
    /// submissions are resumed with `.shutdown`. Later calls change nothing.
    func beginShutdown(gracePeriod: Duration) {
        let failed = state.withLock { state -> [CurlSubmission] in
            guard case .running = state.phase else { return [] }
            state.phase = .draining(deadline: .now + max(gracePeriod, .zero))
            return state.queue.removeAll()
        }
        multi?.wakeup()
        let error = TransportError(.shutdown, "the transport shut down before the transfer started")
        for submission in failed { submission.waiter.resume(throwing: error) }
    }

    /// Curl thread, as its last act: marks the transport stopped and resumes everyone waiting in
    /// ``waitForExit()``.
    func markExited() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.phase = .stopped(TransportError(.shutdown, "the transport is shut down"))
            defer { state.exitWaiters.removeAll() }
            return state.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the curl thread has exited: the asynchronous equivalent of joining it, so no
    /// cooperative thread blocks while running transfers drain.
    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state -> Bool in
                if case .stopped = state.phase { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    /// The error a send gets in a phase other than `.running`.
    private static func phaseError(_ phase: Phase) -> TransportError {
        if case .stopped(let error) = phase { return error }
        return TransportError(.shutdown, "the transport is shutting down")
    }
}
