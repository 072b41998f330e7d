import Logging

extension OutboxJournal {
    /// `gateway bench journal`: append throughput with group commit, and the fsyncs it took.
    ///
    /// Opens a journal in `directory` (use an empty one on the disk to measure), runs its flusher,
    /// and has `concurrency` tasks append `records` one-record events of `payloadBytes` each, as the
    /// dispatcher does under load; then shuts the journal down (which fsyncs what is buffered, unless
    /// `off`). The figures are for the appends only, not the shutdown.
    /// Logs nothing: a no-op logger keeps the measurement free of log I/O.
    /// - Returns: Appends completed per second, and every fsync made (including shutdown's).
    public static func benchmark(
        records: Int, payloadBytes: Int, durability: Durability, directory: String, concurrency: Int = 64
    ) async throws -> (appendsPerSecond: Double, fsyncs: Int) {
        let journal = try OutboxJournal(
            directory: directory, configuration: Configuration(durability: durability),
            logger: Logger(label: "gateway.journal.benchmark", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: max(0, payloadBytes))
        let appenders = max(1, min(concurrency, records))
        let clock = ContinuousClock()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await journal.run() }
            let started = clock.now
            try await withThrowingDiscardingTaskGroup { appends in
                for appender in 0..<appenders {
                    appends.addTask {
                        for index in stride(from: appender, to: records, by: appenders) {
                            let event = EventRecord(eventID: "evt_\(index)", type: "message-broadcast", timestamp: Int64(index), payload: payload)
                            try await journal.append([.event(event)])
                        }
                    }
                }
            }
            let elapsed = started.duration(to: clock.now)
            group.cancelAll()  // cancelling run() drains and closes the journal
            try await group.waitForAll()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return (Double(max(records, 0)) / max(seconds, 1e-9), journal.statistics.fsyncs)
        }
    }
}
