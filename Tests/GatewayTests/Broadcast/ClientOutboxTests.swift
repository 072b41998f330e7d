import Gateway
import NIOCore
import Synchronization
import Testing

/// The per-connection queue: batches, bounds, the evict overflow policy and the writer's wake-ups,
/// without sockets.
@Suite struct ClientOutboxTests {
    private func frame(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// Counts the writer's wake-ups and close announcements.
    private final class WriterProbe: Sendable {
        let wakes = Atomic<Int>(0)
        let closes = Atomic<Int>(0)

        func attach(to outbox: ClientOutbox) {
            outbox.attach(wake: { self.wakes.add(1, ordering: .relaxed) }, closeRequested: { self.closes.add(1, ordering: .relaxed) })
        }
    }

    @Test func queuedFramesComeOutTogetherInOrder() {
        let outbox = ClientOutbox(limits: .init(frames: 10, bytes: 1000))
        #expect(outbox.enqueue(frame("a")) == .queued)
        #expect(outbox.enqueue(frame("b")) == .queued)
        #expect(outbox.take() == .frames([frame("a"), frame("b")]))
        #expect(outbox.take() == nil)
        #expect(outbox.queuedFrames == 0)
    }

    @Test func overflowByFrameCountEvictsAndDropsTheQueue() {
        let outbox = ClientOutbox(limits: .init(frames: 2, bytes: 1000))
        let probe = WriterProbe()
        probe.attach(to: outbox)
        #expect(outbox.enqueue(frame("a")) == .queued)
        #expect(outbox.enqueue(frame("b")) == .queued)
        #expect(outbox.enqueue(frame("c")) == .overflowed)
        #expect(outbox.enqueue(frame("d")) == .rejected)
        #expect(probe.closes.load(ordering: .relaxed) == 1, "the writer bounds the close handshake")
        #expect(outbox.take() == .close(frames: [], code: HubCloseCode.evicted, reason: "outbound queue overflow"))
    }

    @Test func overflowByBytesEvicts() {
        let outbox = ClientOutbox(limits: .init(frames: 100, bytes: 5))
        #expect(outbox.enqueue(frame("abc")) == .queued)
        #expect(outbox.enqueue(frame("def")) == .overflowed)
    }

    @Test func aRequestedCloseComesAfterTheFramesQueuedBeforeIt() {
        let outbox = ClientOutbox(limits: .init(frames: 10, bytes: 1000))
        let probe = WriterProbe()
        probe.attach(to: outbox)
        outbox.enqueue(frame("error"))
        outbox.requestClose(code: 1008, reason: "rate limit exceeded")
        #expect(outbox.enqueue(frame("late")) == .rejected)
        #expect(outbox.take() == .close(frames: [frame("error")], code: 1008, reason: "rate limit exceeded"))
        #expect(outbox.take() == nil)
        #expect(probe.closes.load(ordering: .relaxed) == 1)
    }

    @Test func finishingLetsTheWriterGoSoAConnectionLeavesNothingBehind() {
        /// Stands for the writer, which holds the outbox and the channel.
        final class Writer: Sendable {}
        let outbox = ClientOutbox(limits: .init(frames: 10, bytes: 1000))
        weak var released: Writer?
        do {
            let writer = Writer()
            released = writer
            outbox.attach(wake: { _ = writer }, closeRequested: { _ = writer })
        }
        #expect(released != nil, "held while the connection lives")
        outbox.finish()
        #expect(released == nil, "let go when it ends")
        do {
            let late = Writer()
            released = late
            outbox.attach(wake: { _ = late }, closeRequested: { _ = late })
        }
        #expect(released == nil, "a writer attached after the end is not kept")
    }

    @Test func anIdleWriterIsWokenOnceThenDrainsUntilEmpty() {
        let outbox = ClientOutbox(limits: .init(frames: 10, bytes: 1000))
        outbox.enqueue(frame("welcome"))
        let probe = WriterProbe()
        probe.attach(to: outbox)
        #expect(probe.wakes.load(ordering: .relaxed) == 1, "work queued before the writer attached wakes it at once")
        outbox.enqueue(frame("x"))
        #expect(probe.wakes.load(ordering: .relaxed) == 1, "a busy writer is not woken again")
        #expect(outbox.take() == .frames([frame("welcome"), frame("x")]))
        #expect(outbox.take() == nil)
        outbox.enqueue(frame("y"))
        #expect(probe.wakes.load(ordering: .relaxed) == 2, "idle again: the next frame wakes it")
        #expect(outbox.take() == .frames([frame("y")]))
        #expect(outbox.take() == nil)
        outbox.finish()
        #expect(probe.wakes.load(ordering: .relaxed) == 3)
        #expect(outbox.take() == .finished)
        #expect(probe.closes.load(ordering: .relaxed) == 0)
    }
}

/// The inbound rate limit as a pure value.
@Suite struct TokenBucketTests {
    @Test func burstThenRefillAtTheRate() {
        var bucket = TokenBucket(rate: 2, capacity: 3)
        let start = ContinuousClock.now
        let offsets: [Duration] = [.zero, .zero, .zero, .zero, .milliseconds(500), .milliseconds(600), .seconds(60)]
        let taken = offsets.map { bucket.take(now: start.advanced(by: $0)) }
        #expect(taken == [true, true, true, false, true, false, true])
    }
}
