import Benchmark
import Gateway

/// `OutboxJournal.append(_:)` with group commit: concurrent tasks each append batches of an event
/// and its deliveries (what `DeliveryEngine.accept` writes per broadcast), durability `always` and `off`.
///
/// One iteration opens a journal in a new folder on the disk, runs its flusher, appends 1 000
/// batches from ``appenders`` tasks, then shuts it down. Only the appends are measured (opening,
/// the first segment's creation and the shutdown are not), so with the `.kilo` scaling the
/// throughput reads as appends per second and the mallocs as mallocs per append. A custom metric
/// counts the fsyncs the 1 000 appends took: group commit makes it far fewer than 1 000.
/// - Returns: The benchmarks registered.
func journalBenchmarks() -> [Benchmark?] {
    [OutboxJournal.Durability.always, .off].map { durability in
        Benchmark(
            "Journal: append event + \(Fixtures.deliveriesPerEvent) deliveries, \(appenders) tasks, durability \(durability.rawValue)",
            configuration: .init(metrics: BenchmarkSettings.metrics + [fsyncsPerThousand], scalingFactor: .kilo, maxDuration: .seconds(3))
        ) { benchmark, batches in
            try await appendAll(batches, durability: durability, benchmark: benchmark)
        } setup: {
            try (0..<1_000).map { try Fixtures.appendBatch(index: $0) }
        }
    }
}

/// Tasks appending at once, as concurrent broadcasts do.
private let appenders = 20

/// fsync(2) calls made by one iteration's 1 000 appends.
private let fsyncsPerThousand = BenchmarkMetric.custom("fsyncs per 1000 appends", polarity: .prefersSmaller, useScalingFactor: false)

/// One iteration: a fresh journal, `batches` appended by ``appenders`` tasks (measured), shutdown.
private func appendAll(_ batches: [[JournalRecord]], durability: OutboxJournal.Durability, benchmark: Benchmark) async throws {
    let directory = try Fixtures.scratchDirectory("journal")
    defer { Fixtures.remove(directory) }
    let journal = try OutboxJournal(directory: directory, configuration: .init(durability: durability), logger: Fixtures.silentLogger)
    try await withThrowingTaskGroup(of: Void.self) { flusher in
        flusher.addTask { try await journal.run() }
        // The first append creates the segment file (and fsyncs the folder): not part of the measure.
        try await journal.append(try Fixtures.appendBatch(index: -1))
        let fsyncsBefore = journal.statistics.fsyncs
        benchmark.startMeasurement()
        try await withThrowingDiscardingTaskGroup { group in
            for appender in 0..<appenders {
                group.addTask {
                    for index in stride(from: appender, to: batches.count, by: appenders) {
                        try await journal.append(batches[index])
                    }
                }
            }
        }
        benchmark.stopMeasurement()
        benchmark.measurement(fsyncsPerThousand, (journal.statistics.fsyncs - fsyncsBefore) * 1_000 / batches.count)
        flusher.cancelAll()  // cancelling run() drains and closes the journal
        try await flusher.waitForAll()
    }
}
