import Gateway
import Testing

/// The wake-up every service loop parks on: a signal is never lost, a timeout always ends the wait
/// (also when an alarm for a later deadline is already armed), and a cancelled waiter is released.
@Suite struct WakeupSignalTests {
    @Test func aSignalBeforeTheWaitMakesTheWaitReturnWithoutATimeout() async throws {
        let signal = WakeupSignal()
        signal.signal()
        signal.signal()  // signals do not queue up: one pending signal
        try await withDeadline(.seconds(10)) { await signal.wait(for: nil) }
    }

    @Test func aSignalWakesAParkedWaiter() async throws {
        let signal = WakeupSignal()
        let mailbox = TestMailbox<String>()
        let waiter = Task {
            await signal.wait(for: nil)
            mailbox.push("woken")
        }
        // Parked or not yet: a signal sent before the waiter parks is pending for it, so one is enough.
        signal.signal()
        #expect(try await mailbox.next(within: .seconds(10)) == "woken")
        waiter.cancel()
    }

    @Test func aTimeoutEndsTheWaitWithoutASignal() async throws {
        let signal = WakeupSignal()
        try await withDeadline(.seconds(10)) { await signal.wait(for: .milliseconds(20)) }
    }

    @Test func anEarlierDeadlineIsKeptWhenALaterAlarmIsArmed() async throws {
        let signal = WakeupSignal()
        // The first wait arms an alarm an hour away, then ends by cancellation.
        let long = Task { await signal.wait(for: .seconds(3600)) }
        long.cancel()
        await long.value
        // A short wait must not rely on that alarm: it arms its own, earlier one.
        try await withDeadline(.seconds(10)) { await signal.wait(for: .milliseconds(20)) }
    }

    @Test func manyWaitsWithALongTimeoutStillReturnOnEachSignal() async throws {
        let signal = WakeupSignal()
        try await withDeadline(.seconds(10)) {
            for _ in 0..<1000 {
                signal.signal()
                await signal.wait(for: .seconds(3600))
            }
        }
    }

    @Test func aCancelledWaiterIsReleased() async throws {
        let signal = WakeupSignal()
        let waiter = Task { await signal.wait(for: nil) }
        waiter.cancel()
        try await withDeadline(.seconds(10)) { await waiter.value }
    }
}
