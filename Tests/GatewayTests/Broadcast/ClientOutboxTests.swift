import Gateway
import NIOCore
import Testing

/// The per-connection queue: batches, bounds and the evict overflow policy, without sockets.
@Suite struct ClientOutboxTests {
    private func frame(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func queuedFramesComeOutTogetherInOrder() async {
        let outbox = ClientOutbox(limits: .init(frames: 10, bytes: 1000))
        #expect(outbox.enqueue(frame("a")) == .queued)
        #expect(outbox.enqueue(frame("b")) == .queued)
        #expect(await outbox.next() == .frames([frame("a"), frame("b")]))
        #expect(outbox.queuedFrames == 0)
    }

    @Test func overflowByFrameCountEvictsAndDropsTheQueue() async {
        let outbox = ClientOutbox(limits: .init(frames: 2, bytes: 1000))
        #expect(outbox.enqueue(frame("a")) == .queued)
        #expect(outbox.enqueue(frame("b")) == .queued)
        #expect(outbox.enqueue(frame("c")) == .overflowed)
        #expect(outbox.enqueue(frame("d")) == .rejected)
        #expect(await outbox.next() == .close(frames: [], code: HubCloseCode.evicted, reason: "outbound queue overflow"))
    }

    @Test func overflowByBytesEvicts() {
        let outbox = ClientOutbox(limits: .init(frames: 100, bytes: 5))
        #expect(outbox.enqueue(frame("abc")) == .queued)
        #expect(outbox.enqueue(frame("def")) == .overflowed)
    }

    @Test func aRequestedCloseComesAfterTheFramesQueuedBeforeIt() async {
        let outbox = ClientOutbox(limits: .init(frames: 10, bytes: 1000))
        outbox.enqueue(frame("error"))
        outbox.requestClose(code: 1008, reason: "rate limit exceeded")
        #expect(outbox.enqueue(frame("late")) == .rejected)
        #expect(await outbox.next() == .close(frames: [frame("error")], code: 1008, reason: "rate limit exceeded"))
        await outbox.closeRequested()
    }

    @Test func aWaitingWriterWakesOnEnqueueAndOnFinish() async {
        let outbox = ClientOutbox(limits: .init(frames: 10, bytes: 1000))
        async let first = outbox.next()
        outbox.enqueue(frame("x"))
        #expect(await first == .frames([frame("x")]))
        async let second = outbox.next()
        outbox.finish()
        #expect(await second == .finished)
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
