import Synchronization

/// Wakes one waiting loop: ``signal()`` from anywhere, ``wait(for:)`` in the loop with an optional timeout.
///
/// Signals do not queue up: any number of signals before a wait make the next wait return at once,
/// which is what a "something changed, look again" loop wants. `Mutex` because `signal()` is called
/// synchronously from many tasks and must never suspend.
///
/// Built for loops that wait thousands of times a second (the delivery engine's): a wait that finds
/// a signal pending returns without suspending, and a timeout is one shared **alarm**, a task that
/// sleeps until the earliest deadline asked for and then signals. A wait whose deadline is no earlier
/// than the armed alarm's arms nothing (a loop that waits "at most a second" a thousand times a second
/// starts one timer a second, not a thousand, and no child tasks). The price: a wait may return before
/// its timeout, when an alarm armed for an earlier wait goes off; for a look-again loop that is one
/// more look, as after any signal.
public final class WakeupSignal: Sendable {
    /// A pending signal, the one waiter parked until the next one, and the armed alarm.
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// When the armed alarm goes off; `nil` when none is armed (or it went off).
        var alarm: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiter, or makes the next wait return immediately.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `timeout` (when given; possibly earlier, see the type's notes), or on
    /// cancellation.
    ///
    /// In a cancelled task it returns at once: a loop around it must check `Task.isCancelled`, or it spins.
    public func wait(for timeout: Duration?) async {
        if takePending() { return }
        if let timeout { armAlarm(at: .now + max(timeout, .zero)) }
        await waitForSignal()
    }

    /// Consumes a pending signal, if there is one.
    private func takePending() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    /// Makes sure a signal comes by `deadline`: starts an alarm task unless one goes off no later.
    private func armAlarm(at deadline: ContinuousClock.Instant) {
        let arm = state.withLock { state -> Bool in
            if let armed = state.alarm, armed <= deadline { return false }
            state.alarm = deadline
            return true
        }
        guard arm else { return }
        Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            state.withLock { state in
                if state.alarm == deadline { state.alarm = nil }
            }
            signal()
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    // A cancellation handler that already ran found no waiter: do not park.
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
