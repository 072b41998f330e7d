extension OutboxJournal {
    /// Resumed once the records of one append (or one compaction) are as durable as promised.
    typealias Completion = CheckedContinuation<Void, any Error>

    /// Appends buffered together: written with one write(2) and, for `always`, one fsync.
    struct Batch {
        var bytes: [UInt8] = []
        var records = 0
        /// Appends waiting for this batch (empty for `off`, whose appends return when buffered).
        var waiters: [Completion] = []
    }

    /// A compaction waiting for the flusher.
    ///
    /// The rule: appends that had not returned when compaction was asked for land after the
    /// snapshot; appends that had returned are covered by it and are not written after it.
    struct PendingCompaction {
        var snapshot: [UInt8]
        var records: Int
        /// A batch was being written and its appends had not returned (`always`, `batch`): its bytes
        /// are written again after the snapshot instead of being lost with their segment.
        var carriesInFlightBatch: Bool
        /// `off` only: appends already returned but still buffered, written before the snapshot.
        var precedingBatch: Batch?
        var completion: Completion
    }

    /// An append that did not fit the buffer (backpressure), waiting in arrival order.
    struct BlockedAppend {
        var bytes: [UInt8]
        var records: Int
        var completion: Completion
    }

    /// The journal's life: appends are accepted while `idle` (before `run()`) and `running`.
    enum Phase {
        case idle, running, draining, closed
    }

    /// What the flusher takes in one go: compactions first, then the batch.
    struct Work {
        var compactions: [PendingCompaction] = []
        var batch: Batch?
        /// The `batch` tick asked for an fsync.
        var fsync = false
        /// Shutdown: everything accepted has been written; sync, close and stop.
        var finish = false
    }

    /// Continuations to resume once the lock is released.
    struct Wakeups {
        var flusher: CheckedContinuation<Void, Never>?
        var acknowledged: [Completion] = []
        var rejected: [Completion] = []

        func resume() {
            flusher?.resume()
            for completion in acknowledged { completion.resume() }
            for completion in rejected { completion.resume(throwing: JournalError.closed) }
        }
    }

    /// Everything shared between appenders, the flusher and the readers of statistics; guarded by
    /// the journal's `Mutex`. Each transition is a short synchronous step that returns the
    /// continuations to resume after unlocking (the one exception, resuming a written batch's
    /// appends, is explained at the flusher's `write`).
    struct State {
        let maxBufferedBytes: Int
        /// `off`: an append is acknowledged as soon as its bytes are buffered.
        let acknowledgesWhenBuffered: Bool
        var phase = Phase.idle
        /// Compactions go before the batch: appends that have not returned when compaction is asked
        /// for land after the snapshot, never in a segment it deletes (see ``PendingCompaction``).
        var compactions: [PendingCompaction] = []
        /// Appends buffered since the flusher last took work, merged into one write.
        var batch: Batch?
        /// The flusher has taken a batch and not finished writing it.
        var batchInFlight = false
        /// Bytes buffered plus the batch being written: the group-commit buffer's fill level.
        var bufferedBytes = 0
        var blocked: [BlockedAppend] = []
        /// The flusher, when it sleeps for want of work.
        var flusher: CheckedContinuation<Void, Never>?
        /// Segment bytes written but not fsynced (`batch`): the tick only wakes the flusher then.
        var unsynced = false
        var fsyncDue = false
        var statistics = Statistics()
        var segmentSizes: [UInt64: Int]

        var hasWork: Bool { batch != nil || !compactions.isEmpty || fsyncDue || phase == .draining }

        /// Buffers an append, or parks it while the buffer is full, or rejects it after shutdown.
        mutating func offer(_ bytes: [UInt8], records: Int, completion: Completion) -> Wakeups {
            var wakeups = Wakeups()
            guard phase == .idle || phase == .running else {
                wakeups.rejected.append(completion)
                return wakeups
            }
            if !blocked.isEmpty || (bufferedBytes > 0 && bufferedBytes + bytes.count > maxBufferedBytes) {
                blocked.append(BlockedAppend(bytes: bytes, records: records, completion: completion))
                return wakeups
            }
            admit(bytes, records: records, completion: completion, into: &wakeups)
            return wakeups
        }

        /// Queues a compaction ahead of every append that has not returned (see ``PendingCompaction``).
        mutating func offerCompaction(_ snapshot: [UInt8], records: Int, completion: Completion) -> Wakeups {
            var wakeups = Wakeups()
            guard phase == .idle || phase == .running else {
                wakeups.rejected.append(completion)
                return wakeups
            }
            compactions.append(
                PendingCompaction(
                    snapshot: snapshot, records: records, carriesInFlightBatch: batchInFlight && !acknowledgesWhenBuffered,
                    precedingBatch: acknowledgesWhenBuffered ? batch.take() : nil, completion: completion
                )
            )
            wakeups.flusher = takeFlusher()
            return wakeups
        }

        /// Everything queued, for the flusher; the bytes stay counted in ``bufferedBytes`` until written.
        mutating func takeWork() -> Work? {
            if batch != nil || !compactions.isEmpty || fsyncDue {
                defer {
                    compactions = []
                    batch = nil
                    fsyncDue = false
                }
                batchInFlight = batch != nil
                return Work(compactions: compactions, batch: batch, fsync: fsyncDue)
            }
            if phase == .draining, blocked.isEmpty, bufferedBytes == 0 {
                return Work(finish: true)
            }
            return nil
        }

        /// Records a written batch and lets blocked appends in, oldest first, while they fit.
        mutating func finishedBatch(bytes: Int, records: Int, report: JournalIOReport, unsynced: Bool) -> Wakeups {
            apply(report)
            if report.error == nil {
                statistics.appendedRecords += records
                statistics.writes += 1
            }
            self.unsynced = unsynced
            bufferedBytes -= bytes
            var wakeups = Wakeups()
            var admitted = 0
            for append in blocked {
                guard bufferedBytes == 0 || bufferedBytes + append.bytes.count <= maxBufferedBytes else { break }
                admit(append.bytes, records: append.records, completion: append.completion, into: &wakeups)
                admitted += 1
            }
            blocked.removeFirst(admitted)
            return wakeups
        }

        /// Folds one I/O step into the statistics and the segment sizes.
        mutating func apply(_ report: JournalIOReport) {
            statistics.fsyncs += report.fsyncs
            statistics.bytesWritten += report.bytesWritten
            if let duration = report.lastFsyncDuration { statistics.lastFsyncDuration = duration }
            segmentSizes.merge(report.sizes) { $1 }
            for sequence in report.removed { segmentSizes[sequence] = nil }
            statistics.segments = segmentSizes.count
        }

        /// The `batch` tick: asks for an fsync if anything is unsynced.
        mutating func tick() -> CheckedContinuation<Void, Never>? {
            guard unsynced else { return nil }
            fsyncDue = true
            return takeFlusher()
        }

        /// Graceful shutdown or cancellation: accept nothing new, let the flusher drain.
        mutating func beginShutdown() -> CheckedContinuation<Void, Never>? {
            guard phase == .idle || phase == .running else { return nil }
            phase = .draining
            return takeFlusher()
        }

        /// The end of `run()`: anything still here (nothing, once drained) is rejected.
        mutating func close() -> Wakeups {
            phase = .closed
            var wakeups = Wakeups()
            wakeups.rejected = blocked.map(\.completion) + compactions.map(\.completion) + (batch?.waiters ?? [])
            wakeups.rejected += compactions.flatMap { $0.precedingBatch?.waiters ?? [] }
            blocked = []
            compactions = []
            batch = nil
            return wakeups
        }

        /// Adds an append's bytes to the buffered batch.
        private mutating func admit(_ bytes: [UInt8], records: Int, completion: Completion, into wakeups: inout Wakeups) {
            bufferedBytes += bytes.count
            var next = batch.take() ?? Batch()  // moved out: appending below does not copy the buffer
            if next.bytes.isEmpty { next.bytes = bytes } else { next.bytes += bytes }
            next.records += records
            if acknowledgesWhenBuffered { wakeups.acknowledged.append(completion) } else { next.waiters.append(completion) }
            batch = next
            wakeups.flusher = takeFlusher()
        }

        private mutating func takeFlusher() -> CheckedContinuation<Void, Never>? {
            defer { flusher = nil }
            return flusher
        }
    }
}
