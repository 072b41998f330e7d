public import NIOCore
import Synchronization

/// One connection's bounded outbound queue.
///
/// The hub enqueues without waiting (a `Mutex` section of a few instructions); one writer task
/// per connection takes everything queued at once and writes it. Bounds: ``Limits/frames`` and
/// ``Limits/bytes``. Overflow policy: **evict** — the queued frames are dropped, the connection is
/// closed with ``HubCloseCode/evicted``, and the hub stops sending to it. Nobody else waits.
///
/// `Mutex` rather than an actor: enqueue is a short synchronous section called for every client
/// on every broadcast, and must never suspend the broadcaster.
public final class ClientOutbox: Sendable {
    /// The queue bounds.
    public struct Limits: Sendable {
        public var frames: Int
        public var bytes: Int
        public init(frames: Int, bytes: Int) {
            self.frames = frames
            self.bytes = bytes
        }
    }

    /// What the writer task should do next.
    public enum Batch: Sendable, Equatable {
        /// Write these frames, in order.
        case frames([ByteBuffer])
        /// Write these frames, then close with this code and reason.
        case close(frames: [ByteBuffer], code: UInt16, reason: String)
        /// The connection is over; stop.
        case finished
    }

    /// The result of ``enqueue(_:)``.
    public enum EnqueueResult: Sendable, Equatable {
        case queued
        /// The bound was hit by this frame: the client is now evicted.
        case overflowed
        /// The outbox no longer takes frames (closing, evicted or finished).
        case rejected
    }

    /// Where the outbox is in its life: open, closing (requested or taken by the writer), finished.
    private enum Status { case open, closeRequested(UInt16, String), closeTaken, finished }

    /// The queue, its byte count, its status and the tasks parked on it.
    private struct State {
        var frames: [ByteBuffer] = []
        var bytes = 0
        var status = Status.open
        var waiter: CheckedContinuation<Batch, Never>?
        var closeWatcher: CheckedContinuation<Void, Never>?
    }

    private let limits: Limits
    private let state = Mutex(State())

    /// Creates an empty outbox.
    public init(limits: Limits) {
        self.limits = limits
    }

    /// Queues a frame; never waits. On overflow the client is evicted (see the type's overflow policy).
    @discardableResult
    public func enqueue(_ frame: ByteBuffer) -> EnqueueResult {
        let (result, resume, watcher) = state.withLock { state -> (EnqueueResult, (CheckedContinuation<Batch, Never>, Batch)?, CheckedContinuation<Void, Never>?) in
            guard case .open = state.status else { return (.rejected, nil, nil) }
            if state.frames.count + 1 > limits.frames || state.bytes + frame.readableBytes > limits.bytes {
                state.frames = []
                state.bytes = 0
                state.status = .closeRequested(HubCloseCode.evicted, "outbound queue overflow")
                return (.overflowed, Self.takeWaiter(&state), Self.takeWatcher(&state))
            }
            state.frames.append(frame)
            state.bytes += frame.readableBytes
            return (.queued, Self.takeWaiter(&state), nil)
        }
        if let (continuation, batch) = resume { continuation.resume(returning: batch) }
        watcher?.resume()
        return result
    }

    /// Asks the writer to send what is queued, then close with `code`. Later frames are rejected.
    public func requestClose(code: UInt16, reason: String) {
        let (resume, watcher) = state.withLock { state -> ((CheckedContinuation<Batch, Never>, Batch)?, CheckedContinuation<Void, Never>?) in
            guard case .open = state.status else { return (nil, nil) }
            state.status = .closeRequested(code, reason)
            return (Self.takeWaiter(&state), Self.takeWatcher(&state))
        }
        if let (continuation, batch) = resume { continuation.resume(returning: batch) }
        watcher?.resume()
    }

    /// Ends the outbox: the writer's next ``next()`` returns ``Batch/finished``.
    public func finish() {
        let (waiter, watcher) = state.withLock { state -> (CheckedContinuation<Batch, Never>?, CheckedContinuation<Void, Never>?) in
            state.status = .finished
            state.frames = []
            state.bytes = 0
            defer { state.waiter = nil }
            return (state.waiter, Self.takeWatcher(&state))
        }
        waiter?.resume(returning: .finished)
        watcher?.resume()
    }

    /// Returns once a close was requested (eviction included) or the outbox finished. One caller at a time.
    ///
    /// The connection's watchdog waits here: a writer stuck on a client that does not read cannot
    /// notice an eviction itself.
    public func closeRequested() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state -> Bool in
                    guard case .open = state.status else { return true }
                    // A cancellation handler that already ran found no watcher: do not park.
                    if Task.isCancelled { return true }
                    state.closeWatcher = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { Self.takeWatcher(&$0) }
            watcher?.resume()
        }
    }

    /// Frames waiting to be written (for `/info`).
    public var queuedFrames: Int { state.withLock { $0.frames.count } }

    /// Waits for work: everything queued so far, a close request, or the end. One caller at a time.
    public func next() async -> Batch {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Batch? in
                    if let batch = Self.take(&state) { return batch }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    /// Takes the pending batch, if there is one.
    private static func take(_ state: inout State) -> Batch? {
        switch state.status {
        case .finished:
            return .finished
        case .closeTaken:
            return nil
        case .closeRequested(let code, let reason):
            state.status = .closeTaken
            defer {
                state.frames = []
                state.bytes = 0
            }
            return .close(frames: state.frames, code: code, reason: reason)
        case .open:
            guard !state.frames.isEmpty else { return nil }
            defer {
                state.frames = []
                state.bytes = 0
            }
            return .frames(state.frames)
        }
    }

    private static func takeWatcher(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        defer { state.closeWatcher = nil }
        return state.closeWatcher
    }

    /// Hands the pending batch to a waiting writer, if one waits.
    private static func takeWaiter(_ state: inout State) -> (CheckedContinuation<Batch, Never>, Batch)? {
        guard let waiter = state.waiter, let batch = take(&state) else { return nil }
        state.waiter = nil
        return (waiter, batch)
    }
}

/// The close codes the hub sends, documented in the README's WebSocket section.
public enum HubCloseCode {
    /// Normal closure.
    public static let normal: UInt16 = 1000
    /// The server is shutting down.
    public static let goingAway: UInt16 = 1001
    /// The client sent more messages per second than allowed.
    public static let policyViolation: UInt16 = 1008
    /// A frame or message was larger than allowed.
    public static let messageTooBig: UInt16 = 1009
    /// The client read too slowly and its outbound queue overflowed (private-use range).
    public static let evicted: UInt16 = 4001
}
