import Synchronization

/// What one attempt came to, waiting for the engine to journal and apply it.
struct AttemptResult: Sendable {
    /// What became of the attempt.
    enum Outcome: Sendable {
        /// Sent, answered or failed, and decided.
        case decided(DeliveryDecision)
        /// Not attempted: its subscription is gone or disabled, so the delivery is settled dead.
        case settledDead
        /// The transport stopped under it: nothing to record, the delivery stays pending.
        case abandoned
    }

    let job: DeliveryJob
    /// The journal records it produces (attempted, and delivered or dead; none when abandoned).
    var records: [JournalRecord]
    var outcome: Outcome

    /// The decision, for an attempt that was decided.
    var decision: DeliveryDecision? {
        if case .decided(let decision) = outcome { return decision }
        return nil
    }
}

extension DeliveryEngine {
    /// Hands a finished attempt to the settler. The queue is bounded by `deliveries.maxInFlight`: each
    /// result belongs to a delivery in flight, and no new attempt starts until its slot is freed.
    ///
    /// Only the result that finds the queue empty wakes the settler: it takes the whole queue at once,
    /// so later results ride along with that wake-up (one wake-up per batch, not per result).
    nonisolated func finish(_ result: AttemptResult) {
        let wasEmpty = finished.withLock { results in
            defer { results.append(result) }
            return results.isEmpty
        }
        if wasEmpty { settlerWakeup.signal() }
    }

    /// The settler: settles finished attempts in batches, one journal append (one group commit) per
    /// batch instead of one per attempt, until ``stopSettler()`` and nothing is left.
    ///
    /// A second loop on the actor beside ``run()``: while a batch waits for its fsync, attempts keep
    /// starting, and the next batch gathers.
    func settleFinished() async {
        while true {
            let batch = finished.withLock { results in
                defer { results.removeAll(keepingCapacity: true) }
                return results
            }
            if batch.isEmpty {
                if settlerStopping { return }
                await settlerWakeup.wait(for: .milliseconds(100))
                continue
            }
            await settle(batch)
        }
    }

    /// Lets the settler return once what has finished is settled (results arriving later are not
    /// journaled: those deliveries stay pending, as for any transfer cut short by shutdown).
    func stopSettler() {
        settlerStopping = true
        settlerWakeup.signal()
    }
}
