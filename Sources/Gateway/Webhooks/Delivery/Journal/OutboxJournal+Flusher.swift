import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

extension OutboxJournal {
    /// The flusher: writes buffered appends in batches until graceful shutdown (or cancellation),
    /// then writes what is still buffered, fsyncs it (unless durability is `off`), closes the
    /// segment and returns. Appends made after shutdown began fail with ``JournalError`` `closed`.
    ///
    /// Owns the I/O thread (started here, shut down before returning) and, for `batch` durability,
    /// a child task that asks for an fsync every `batchInterval` while bytes are unsynced.
    /// - Throws: ``JournalError`` `alreadyRunning` if called twice. I/O failures do not end it: they
    ///   fail the appends concerned and are logged, so one bad write does not stop the server.
    public func run() async throws {
        try state.withLock { state throws(JournalError) in
            guard state.phase == .idle else { throw .alreadyRunning }
            state.phase = .running
        }
        let io = NIOThreadPool(numberOfThreads: 1)
        io.start()
        logger.info(
            "Outbox journal started",
            metadata: ["journal.directory": "\(files.path)", "journal.durability": "\(configuration.durability.rawValue)"]
        )
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if configuration.durability == .batch {
                    group.addTask { await self.tickBatchFsync() }
                }
                await self.flushUntilClosed(io: io)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        try? await io.shutdownGracefully()
        let statistics = self.statistics
        logger.info(
            "Outbox journal stopped",
            metadata: ["journal.records": "\(statistics.appendedRecords)", "journal.fsyncs": "\(statistics.fsyncs)"]
        )
    }

    /// The flusher's loop: take everything queued, write it, resume its appends; until drained.
    private func flushUntilClosed(io: NIOThreadPool) async {
        var writer = SegmentWriter(
            directory: files, maxBytes: configuration.segmentMaxBytes, syncs: configuration.durability != .off,
            nextSequence: firstOwnSequence, fsyncDuration: metrics.fsyncDuration
        )
        let syncEachBatch = configuration.durability == .always
        /// The latest batch written, kept only while a compaction asked for while it was in flight waits to carry it.
        var lastBatch: [UInt8] = []
        while true {
            let work = await nextWork()
            for compaction in work.compactions {
                if let preceding = compaction.precedingBatch {
                    _ = await write(preceding, sync: syncEachBatch, writer: &writer, io: io)
                }
                let snapshot = compaction.carriesInFlightBatch ? compaction.snapshot + lastBatch : compaction.snapshot
                let report = await onIOThread(io, &writer) { $0.compact(snapshot: snapshot, report: &$1) }
                let unsynced = writer.isDirty
                state.withLock {
                    $0.apply(report)
                    $0.unsynced = unsynced
                }
                logCompaction(report, records: compaction.records)
                if let error = report.error { compaction.completion.resume(throwing: error) } else { compaction.completion.resume() }
            }
            if let batch = work.batch {
                let wanted = await write(batch, sync: syncEachBatch, writer: &writer, io: io)
                lastBatch = wanted ? batch.bytes : []
            }
            if work.fsync {
                let report = await onIOThread(io, &writer) { $0.syncIfDirty(report: &$1) }
                let unsynced = writer.isDirty
                state.withLock {
                    $0.apply(report)
                    $0.unsynced = unsynced
                }
                if let error = report.error { logger.error("Outbox journal fsync failed", metadata: ["error": "\(error)"]) }
            }
            if work.finish {
                let report = await onIOThread(io, &writer) { $0.close(sync: $0.syncs, report: &$1) }
                if let error = report.error { logger.error("Outbox journal close failed", metadata: ["error": "\(error)"]) }
                state.withLock {
                    $0.apply(report)
                    return $0.close()
                }.resume()
                return
            }
        }
    }

    /// Waits until there is work (or shutdown), without holding the lock while asleep.
    ///
    /// The check and the parking happen under one lock, so a wake-up between them cannot be lost.
    /// Cancelling ``run()`` starts the same drain as graceful shutdown.
    private func nextWork() async -> Work {
        while true {
            if let work = state.withLock({ $0.takeWork() }) { return work }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (flusher: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        if state.hasWork { return true }
                        state.flusher = flusher
                        return false
                    }
                    if ready { flusher.resume() }
                }
            } onCancel: {
                self.beginShutdown()
            }
        }
    }

    /// Runs `body` on the I/O thread with the writer, and brings back the updated writer.
    ///
    /// The writer travels by value, so only one thread ever holds it. Uses `submit` rather than
    /// `runIfActive` on purpose: the latter skips work when the calling task is cancelled, and the
    /// drain after a cancellation must still reach the disk.
    private func onIOThread(
        _ io: NIOThreadPool, _ writer: inout SegmentWriter,
        _ body: @escaping @Sendable (inout SegmentWriter, inout JournalIOReport) -> Void
    ) async -> JournalIOReport {
        let input = writer
        let (updated, report) = await withCheckedContinuation { (done: CheckedContinuation<(SegmentWriter, JournalIOReport), Never>) in
            io.submit { work in
                var writer = input
                var report = JournalIOReport()
                if case .active = work { body(&writer, &report) } else { report.error = .closed }
                done.resume(returning: (writer, report))
            }
        }
        writer = updated
        return report
    }

    /// Writes one batch, then resumes its appends with the outcome.
    ///
    /// The appends are resumed under the lock, in the same step that ends "in flight", so that a
    /// compaction asked for before they returned carries the batch and one asked for after does
    /// not. Safe under a lock: `resume` only enqueues the task, it never runs it inline.
    /// - Returns: Whether a waiting compaction must carry this batch (it was written, and was in flight when asked for).
    private func write(_ batch: Batch, sync: Bool, writer: inout SegmentWriter, io: NIOThreadPool) async -> Bool {
        let bytes = batch.bytes
        let report = await onIOThread(io, &writer) { $0.append(bytes, sync: sync, report: &$1) }
        let unsynced = writer.isDirty
        let (wakeups, carry) = state.withLock { state in
            let wakeups = state.finishedBatch(bytes: bytes.count, records: batch.records, report: report, unsynced: unsynced)
            for waiter in batch.waiters {
                if let error = report.error { waiter.resume(throwing: error) } else { waiter.resume() }
            }
            state.batchInFlight = false
            return (wakeups, state.compactions.contains(where: \.carriesInFlightBatch))
        }
        wakeups.resume()
        if let error = report.error {
            logger.error("Outbox journal write failed", metadata: ["journal.records": "\(batch.records)", "error": "\(error)"])
        }
        return carry && report.error == nil
    }

    private func logCompaction(_ report: JournalIOReport, records: Int) {
        if let error = report.error {
            logger.error("Outbox journal compaction failed", metadata: ["journal.records": "\(records)", "error": "\(error)"])
            return
        }
        logger.info(
            "Outbox journal compacted",
            metadata: ["journal.records": "\(records)", "journal.segments.removed": "\(report.removed.count)", "journal.bytes": "\(totalBytes)"]
        )
    }

    /// `batch` durability: every `batchInterval`, asks the flusher for an fsync if bytes are unsynced,
    /// so fsyncs happen at most once per interval however many appends arrive. Ends when cancelled.
    private func tickBatchFsync() async {
        while true {
            do {
                try await Task.sleep(for: configuration.batchInterval)
            } catch {
                return
            }
            state.withLock { $0.tick() }?.resume()
        }
    }
}
