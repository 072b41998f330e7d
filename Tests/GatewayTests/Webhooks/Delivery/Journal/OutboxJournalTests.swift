import Testing
@testable import Gateway

/// Appending, group commit, durability modes, backpressure and shutdown, on a real folder.
@Suite(.timeLimit(.minutes(1))) struct OutboxJournalTests {
    @Test func appendedRecordsAreRecoveredInOrderAcrossSegments() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(segmentMaxBytes: 200), logger: JournalLogCapture().logger)
        let records = JournalSamples.events(0..<30) + JournalSamples.everyKind
        try await withRunningJournal(journal) {
            for record in records[..<30] { try await journal.append([record]) }
            try await journal.append(Array(records[30...]))
        }

        #expect(directory.segmentNames.count > 5)
        #expect(journal.statistics.segments == directory.segmentNames.count)
        #expect(journal.totalBytes == (try directory.segmentNames.map { try directory.size(of: $0) }.reduce(0, +)))
        #expect(journal.statistics.appendedRecords == records.count)
        #expect(try recoverJournal(at: directory) == records)
    }

    @Test func concurrentAppendsShareFsyncs() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(durability: .always), logger: JournalLogCapture().logger)
        let (before, after) = try await withRunningJournal(journal) {
            try await journal.append([JournalSamples.event(1000)])  // the flusher is running: the 100 below race it
            let before = journal.statistics
            try await withThrowingDiscardingTaskGroup { group in
                for index in 0..<100 {
                    group.addTask { try await journal.append([JournalSamples.event(index)]) }
                }
            }
            return (before, journal.statistics)
        }

        let fsyncs = after.fsyncs - before.fsyncs
        #expect(after.appendedRecords - before.appendedRecords == 100)
        #expect(fsyncs < 100, "group commit: \(fsyncs) fsyncs and \(after.writes - before.writes) writes for 100 appends")
        let recovered = try recoverJournal(at: directory)
        #expect(Set(recovered.dropFirst().map(Self.eventID)) == Set((0..<100).map { "evt_\($0)" }))
    }

    @Test func appendsMadeBeforeRunCompleteOnceItStarts() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        try await withThrowingTaskGroup(of: Void.self) { appends in
            for index in 0..<10 {
                appends.addTask { try await journal.append([JournalSamples.event(index)]) }
            }
            try await withRunningJournal(journal) { try await appends.waitForAll() }
        }
        #expect(journal.statistics.appendedRecords == 10)
        #expect(try recoverJournal(at: directory).count == 10)
    }

    @Test func durabilityOffNeverFsyncs() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(durability: .off), logger: JournalLogCapture().logger)
        try await withRunningJournal(journal) {
            try await withThrowingDiscardingTaskGroup { group in
                for index in 0..<50 {
                    group.addTask { try await journal.append([JournalSamples.event(index)]) }
                }
            }
        }
        #expect(journal.statistics.fsyncs == 0)
        #expect(journal.statistics.appendedRecords == 50)
        #expect(try recoverJournal(at: directory).count == 50)
    }

    @Test func batchDurabilityReturnsAfterTheWriteAndFsyncsOnShutdown() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        // An interval far longer than the test: only shutdown can fsync the data.
        let configuration = OutboxJournal.Configuration(durability: .batch, batchInterval: .seconds(3600))
        let journal = try OutboxJournal(directory: directory.path, configuration: configuration, logger: JournalLogCapture().logger)
        let beforeShutdown = try await withRunningJournal(journal) {
            for index in 0..<5 { try await journal.append([JournalSamples.event(index)]) }
            return journal.statistics
        }
        #expect(beforeShutdown.appendedRecords == 5)
        #expect(beforeShutdown.fsyncs == 1, "only the folder, when the segment was created")
        #expect(journal.statistics.fsyncs == 2, "shutdown fsyncs the unsynced segment")
        #expect(try recoverJournal(at: directory) == JournalSamples.events(0..<5))
    }

    @Test func batchDurabilityFsyncsOnItsTick() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let configuration = OutboxJournal.Configuration(durability: .batch, batchInterval: .milliseconds(5))
        let journal = try OutboxJournal(directory: directory.path, configuration: configuration, logger: JournalLogCapture().logger)
        try await withRunningJournal(journal) {
            try await journal.append([JournalSamples.event(0)])
            // One fsync for the new segment's folder entry; the tick adds one for the data.
            try await journalWaitUntil { journal.statistics.fsyncs >= 2 }
        }
    }

    @Test func cancellingRunDrainsLikeGracefulShutdown() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(durability: .off), logger: JournalLogCapture().logger)
        for index in 0..<10 { try await journal.append([JournalSamples.event(index)]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await journal.run() }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(try recoverJournal(at: directory) == JournalSamples.events(0..<10))
        await #expect(throws: JournalError.closed) { try await journal.append([JournalSamples.event(10)]) }
    }

    @Test func gracefulShutdownWritesBufferedRecordsAndRejectsLaterAppends() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(durability: .off), logger: JournalLogCapture().logger)
        // `off` returns once buffered: these are in memory only until the flusher runs.
        for index in 0..<20 { try await journal.append([JournalSamples.event(index)]) }
        #expect(directory.segmentNames.isEmpty)

        try await withRunningJournal(journal) {}

        #expect(try recoverJournal(at: directory) == JournalSamples.events(0..<20))
        await #expect(throws: JournalError.closed) { try await journal.append([JournalSamples.event(99)]) }
        await #expect(throws: JournalError.closed) { try await journal.compact(keeping: []) }
    }

    @Test func aFullBufferMakesAppendsWaitNotFail() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        // Every append (about 150 bytes) is larger than the bound, so each is admitted alone.
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(maxBufferedBytes: 100), logger: JournalLogCapture().logger)
        try await withRunningJournal(journal) {
            try await withThrowingDiscardingTaskGroup { group in
                for index in 0..<40 {
                    group.addTask { try await journal.append([JournalSamples.event(index, payloadBytes: 120)]) }
                }
            }
        }
        #expect(journal.statistics.writes == 40)
        #expect(try recoverJournal(at: directory).count == 40)
    }

    @Test func appendsAfterRecoveryGoToANewSegment() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let first = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        try await withRunningJournal(first) { try await first.append(JournalSamples.events(0..<3)) }
        let firstSegment = try #require(directory.segmentNames.first)
        let firstSize = try directory.size(of: firstSegment)

        let second = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        #expect(try second.recover() == JournalSamples.events(0..<3))
        try await withRunningJournal(second) { try await second.append([JournalSamples.event(3)]) }

        #expect(directory.segmentNames.count == 2)
        #expect(try directory.size(of: firstSegment) == firstSize)
        #expect(try recoverJournal(at: directory) == JournalSamples.events(0..<4))
    }

    @Test func runningTwiceIsRefused() async throws {
        let directory = JournalTestDirectory()
        defer { directory.remove() }
        let journal = try OutboxJournal(directory: directory.path, configuration: .init(), logger: JournalLogCapture().logger)
        try await withRunningJournal(journal) {
            try await journal.append([JournalSamples.event(0)])  // returns only once run() is flushing
            await #expect(throws: JournalError.alreadyRunning) { try await journal.run() }
        }
        await #expect(throws: JournalError.alreadyRunning) { try await journal.run() }
    }

    private static func eventID(_ record: JournalRecord) -> String {
        if case .event(let event) = record { return event.eventID }
        return ""
    }
}
