import HTTPTypes
import Gateway
import Synchronization

/// A bounded mailbox a test reads from with a deadline: the way tests wait for an event without sleeping.
/// One reader at a time: a second concurrent `next` would replace the first waiter.
final class TestMailbox<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiter: CheckedContinuation<Element?, Never>?
        var isFinished = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Adds an element; beyond `capacity` the oldest is dropped (tests never get near it).
    func push(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.items.count >= capacity { state.items.removeFirst() }
            state.items.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// No more elements will come: a waiting or later ``next(within:)`` gets `nil`.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Whether ``finish()`` was called.
    var isFinished: Bool { state.withLock { $0.isFinished } }

    /// The next element, `nil` once finished; throws `DeadlineExceeded` after `timeout`.
    func next(within timeout: Duration = .seconds(10)) async throws -> Element? {
        try await withDeadline(timeout) { await self.take() }
    }

    private func take() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Element?? in
                    if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                    if state.isFinished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
