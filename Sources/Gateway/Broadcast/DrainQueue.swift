import NIOCore
import Synchronization

/// The writers of one event loop that have work, run together: one `execute` per event loop per
/// broadcast rather than one per client, so a message to a thousand clients wakes each event loop
/// thread once.
///
/// With a write delay (`broadcast.writeDelayMilliseconds`) the run is scheduled that long after the
/// first wake-up instead of at once: every broadcast of the window queues behind it in the clients'
/// outboxes, and each client's frames then go out in one `writev`.
///
/// Bounded by the connections on that loop: a writer is queued at most once per wake-up (its
/// outbox wakes it only when it is idle; a writer drained early, by a close or a writability change,
/// may then be listed twice, and its second drain finds nothing to do).
final class DrainQueue: Sendable {
    private let eventLoop: any EventLoop
    private let delay: TimeAmount?
    private let pending = Mutex<(writers: [ClientWriter], scheduled: Bool)>(([], false))

    /// - Parameters:
    ///   - eventLoop: Where the writers run.
    ///   - delay: How long a run waits after its first wake-up (`nil`: not at all).
    init(eventLoop: any EventLoop, delay: Duration?) {
        self.eventLoop = eventLoop
        self.delay = delay.map { TimeAmount($0) }
    }

    /// Queues `writer` to drain on the event loop, scheduling a run if none is pending.
    func add(_ writer: ClientWriter) {
        let schedule = pending.withLock { pending -> Bool in
            pending.writers.append(writer)
            defer { pending.scheduled = true }
            return !pending.scheduled
        }
        guard schedule else { return }
        if let delay {
            eventLoop.scheduleTask(in: delay) { self.run() }
        } else {
            eventLoop.execute { self.run() }
        }
    }

    /// Drains every queued writer. On the event loop.
    private func run() {
        let writers = pending.withLock { pending -> [ClientWriter] in
            defer { pending = ([], false) }
            return pending.writers
        }
        for writer in writers { writer.drain() }
    }
}

/// One ``DrainQueue`` per event loop, made on first use (the event loops outlive the hub).
final class DrainQueues: Sendable {
    private let queues = Mutex<[ObjectIdentifier: DrainQueue]>([:])
    private let writeDelay: Duration?

    /// - Parameter writeDelay: How long a run waits after its first wake-up (`nil`: not at all).
    init(writeDelay: Duration?) {
        self.writeDelay = writeDelay
    }

    /// The queue of `eventLoop`.
    func queue(for eventLoop: any EventLoop) -> DrainQueue {
        queues.withLock { queues in
            let key = ObjectIdentifier(eventLoop)
            if let queue = queues[key] { return queue }
            let queue = DrainQueue(eventLoop: eventLoop, delay: writeDelay)
            queues[key] = queue
            return queue
        }
    }
}
