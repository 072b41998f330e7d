import Gateway
import Synchronization

/// The messages the demo's connection received, for steps that wait for one in particular.
///
/// One waiter at a time (the demo is sequential). Bounded: at most ``capacity`` unclaimed messages
/// are kept, the oldest dropped first (a demo claims what it waits for, so it stays near empty).
final class DemoInbox: Sendable {
    /// Thrown to a waiter when the connection is gone.
    struct Ended: Error, CustomStringConvertible {
        let description: String
    }

    /// The one step waiting, and for what.
    private struct Waiter {
        let matches: @Sendable (ReceivedMessage) -> Bool
        let continuation: CheckedContinuation<ReceivedMessage, any Error>
    }

    /// Unclaimed messages, the waiter, and whether the connection ended.
    private struct State {
        var messages: [ReceivedMessage] = []
        var waiter: Waiter?
        var ended: String?
    }

    static let capacity = 1000
    private let state = Mutex(State())

    /// Adds a received message; hands it to the waiter if it is the one awaited.
    func push(_ message: ReceivedMessage) {
        let waiter = state.withLock { state -> Waiter? in
            if let waiter = state.waiter, waiter.matches(message) {
                state.waiter = nil
                return waiter
            }
            if state.messages.count >= Self.capacity { state.messages.removeFirst() }
            state.messages.append(message)
            return nil
        }
        waiter?.continuation.resume(returning: message)
    }

    /// The connection ended (`reason` says how): the current and later waits fail.
    func end(_ reason: String) {
        let waiter = state.withLock { state -> Waiter? in
            state.ended = state.ended ?? reason
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume(throwing: Ended(description: reason))
    }

    /// The first message, received or still to come, that `matches`; cancellable (the demo bounds
    /// each wait with a deadline).
    func first(where matches: @escaping @Sendable (ReceivedMessage) -> Bool) async throws -> ReceivedMessage {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<ReceivedMessage, any Error>? in
                    if let index = state.messages.firstIndex(where: matches) { return .success(state.messages.remove(at: index)) }
                    if let ended = state.ended { return .failure(Ended(description: ended)) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiter = Waiter(matches: matches, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
