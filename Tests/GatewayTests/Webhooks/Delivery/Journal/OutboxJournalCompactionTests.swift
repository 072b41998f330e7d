import Logging
import Synchronization
import Testing
@testable import Gateway

/// Compaction: the snapshot replaces the history, safely against crashes and racing appends.
@Suite(.timeLimit(.minutes(1))) struct OutboxJournalCompactionTests {
    @Test func compactionKeepsExactlyTheSnapshotAndRemovesOlderSegments() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(segmentMaxBytes: 200), logger: JournalLogCapture().logger)
        let snapshot = [JournalSamples.event(3), JournalSamples.event(7)]
        try await withRunningJournal(journal) {
            for record in JournalSamples.events(0..<12) { try await journal.append([record]) }
            #expect(directory.segmentNames.count == 4)

            try await journal.compact(keeping: snapshot)

            let names = directory.segmentNames
            try #require(names.count == 1)
            #expect(try directory.bytes(of: names[0]) == JournalRecordCodec.encode(snapshot))
            #expect(journal.statistics.segments == 1)
            #expect(journal.totalBytes == (try JournalRecordCodec.encode(snapshot).count))
            try await journal.append([JournalSamples.event(20)])
        }
        #expect(try recoverJournal(at: directory) == snapshot + [JournalSamples.event(20)])
    }

    @Test func aJournalReopenedAfterACompactionThatCrashedBeforeDeletingRecovers() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(segmentMaxBytes: 200), logger: JournalLogCapture().logger)
        let snapshot = [JournalSamples.event(4), JournalSamples.event(5)]
        var oldest = ""
        var oldestBytes: [UInt8] = []
        try await withRunningJournal(journal) {
            for record in JournalSamples.events(0..<6) { try await journal.append([record]) }
            oldest = try #require(directory.segmentNames.first)
            oldestBytes = try directory.bytes(of: oldest)
            try await journal.compact(keeping: snapshot)
        }
        // As if the process died after the snapshot was durable but before the old segment was deleted.
        try directory.write(oldestBytes, to: oldest)
        let logs = JournalLogCapture()

        #expect(try recoverJournal(at: directory, logs: logs) == JournalSamples.events(0..<3) + snapshot)
        #expect(logs.at(.warning).isEmpty && logs.at(.error).isEmpty)
    }

    @Test func appendsNotYetWrittenWhenCompactionIsAskedForLandAfterTheSnapshot() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let earlier = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        try await withRunningJournal(earlier) { try await earlier.append(JournalSamples.events(0..<5)) }

        let journal = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        let snapshot = try journal.recover()
        let racing = JournalSamples.events(10..<30)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            // Before run(): the appends are buffered first, then the compaction is asked for.
            for record in racing { tasks.addTask { try await journal.append([record]) } }
            try await journalWaitUntil { journal.state.withLock { $0.batch?.records == racing.count } }
            tasks.addTask { try await journal.compact(keeping: snapshot) }
            try await journalWaitUntil { journal.state.withLock { $0.compactions.count == 1 } }
            try await withRunningJournal(journal) { try await tasks.waitForAll() }
        }

        let recovered = try recoverJournal(at: directory)
        #expect(Array(recovered.prefix(5)) == snapshot)
        #expect(Set(recovered.dropFirst(5).map { "\($0)" }) == Set(racing.map { "\($0)" }))
        #expect(recovered.count == 25)
        #expect(directory.segmentNames.count == 1)
    }

    @Test func aCompactionCalledFromAnActorIsQueuedBeforeThatActorRunsAnythingElse() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        let engine = SnapshottingActor()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await engine.compact(journal) }  // suspends: the journal is not running yet
            var queued: Int?
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(10))
            while queued == nil, clock.now < deadline {
                queued = await engine.queuedCompactions(journal)
                await Task.yield()
            }
            // The actor ran this only after compact() suspended: by then the barrier must be queued.
            #expect(queued == 1)
            try await withRunningJournal(journal) { try await tasks.waitForAll() }
        }
    }

    @Test func aCompactionAskedForWhileABatchIsBeingWrittenCarriesThatBatch() async throws {
        var state = OutboxJournal.State(maxBufferedBytes: 1 << 20, acknowledgesWhenBuffered: false, segmentSizes: [:])
        try await withCheckedThrowingContinuation { append in
            state.offer([1, 2, 3], records: 1, completion: append).resume()
            #expect(state.takeWork()?.batch?.bytes == [1, 2, 3])  // now being written
            append.resume()  // stands in for the flusher; the test only looks at the state
        }
        try await withCheckedThrowingContinuation { compaction in
            _ = state.offerCompaction([], records: 0, completion: compaction)
            #expect(state.compactions.first?.carriesInFlightBatch == true)
            state.takeWork()?.compactions.first?.completion.resume()
        }
        state.batchInFlight = false  // the flusher, in the step that resumes the batch's appends
        try await withCheckedThrowingContinuation { compaction in
            _ = state.offerCompaction([], records: 0, completion: compaction)
            #expect(state.compactions.first?.carriesInFlightBatch == false)
            state.takeWork()?.compactions.first?.completion.resume()
        }
    }

    @Test func aCompactionGoesAheadOfAppendsThatHaveNotReturned() async throws {
        var state = OutboxJournal.State(maxBufferedBytes: 1 << 20, acknowledgesWhenBuffered: false, segmentSizes: [:])
        try await withCheckedThrowingContinuation { append in
            state.offer([7], records: 1, completion: append).resume()
            append.resume()  // stands in for the flusher
        }
        try await withCheckedThrowingContinuation { compaction in
            _ = state.offerCompaction([9], records: 1, completion: compaction)
            let work = state.takeWork()
            #expect(work?.compactions.map(\.snapshot) == [[9]])
            #expect(work?.compactions.first?.precedingBatch == nil)
            #expect(work?.batch?.bytes == [7])
            work?.compactions.first?.completion.resume()
        }
    }

    @Test func withDurabilityOffBufferedAppendsHaveReturnedAndGoBeforeTheSnapshot() async throws {
        var state = OutboxJournal.State(maxBufferedBytes: 1 << 20, acknowledgesWhenBuffered: true, segmentSizes: [:])
        try await withCheckedThrowingContinuation { append in state.offer([7], records: 1, completion: append).resume() }
        try await withCheckedThrowingContinuation { compaction in
            _ = state.offerCompaction([9], records: 1, completion: compaction)
            let work = state.takeWork()
            #expect(work?.compactions.first?.precedingBatch?.bytes == [7])
            #expect(work?.compactions.first?.carriesInFlightBatch == false)
            #expect(work?.batch == nil)
            work?.compactions.first?.completion.resume()
        }
    }
}

/// Stands in for the delivery engine: takes a snapshot and compacts on its own actor.
private actor SnapshottingActor {
    private var started = false

    func compact(_ journal: OutboxJournal) async throws {
        started = true
        try await journal.compact(keeping: [])
    }

    /// `nil` until ``compact(_:)`` has started on this actor.
    func queuedCompactions(_ journal: OutboxJournal) -> Int? {
        started ? journal.state.withLock { $0.compactions.count } : nil
    }
}
