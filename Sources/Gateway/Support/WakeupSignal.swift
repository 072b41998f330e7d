import Synchronization

/// Wakes one waiting loop: ``signal()`` from anywhere, ``wait(for:)`` in the loop with an optional timeout.
///
/// Signals do not queue up: any number of signals before a wait make the next wait return at once,
/// which is what a "something changed, look again" loop wants. `Mutex` because `signal()` is called
/// synchronously from many tasks and must never suspend.
public final class WakeupSignal: Sendable {
    /// A pending signal, or the one waiter parked until the next one.
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
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

    /// Returns on a signal, after `timeout` (when given), or on cancellation.
    ///
    /// In a cancelled task it returns at once: a loop around it must check `Task.isCancelled`, or it spins.
    public func wait(for timeout: Duration?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            if let timeout { group.addTask { try? await Task.sleep(for: timeout) } }
            await group.next()
            group.cancelAll()
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
