import Gateway

/// A crowd of ``BenchSocket``s run in one task group, with waits on their progress.
struct BenchSockets: Sendable {
    let sockets: [BenchSocket]
    let changed: WakeupSignal

    /// How many sockets are open, closed and failed (with one failure reason, if any).
    func census() -> (open: Int, ended: Int, failure: String?) {
        var open = 0
        var ended = 0
        var failure: String?
        for socket in sockets {
            switch socket.currentPhase {
            case .connecting: break
            case .open: open += 1
            case .closed: ended += 1
            case .failed(let reason):
                ended += 1
                failure = failure ?? reason
            }
        }
        return (open, ended, failure)
    }

    /// Waits until `condition` holds, re-checking whenever `signal` (or a socket) changes, at most `timeout`.
    /// - Returns: whether it held in time.
    static func wait(on signal: WakeupSignal, timeout: Duration, until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, !Task.isCancelled else { return condition() }
            await signal.wait(for: min(left, .milliseconds(100)))
        }
        return true
    }

    /// Opens `count` sockets (at most `concurrency` handshakes at a time), runs `body` once all are
    /// open, then closes them and waits for them to end.
    static func with<Result: Sendable>(
        count: Int,
        concurrency: Int = 64,
        make: @Sendable (Int, WakeupSignal) -> BenchSocket,
        _ body: @Sendable (BenchSockets) async throws -> Result
    ) async throws -> Result {
        let changed = WakeupSignal()
        let crowd = BenchSockets(sockets: (0..<count).map { make($0, changed) }, changed: changed)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            for (index, socket) in crowd.sockets.enumerated() {
                group.addTask { await socket.run() }
                // Bound the handshakes in flight: wait while too many are still connecting.
                if index % concurrency == concurrency - 1 {
                    _ = await wait(on: changed, timeout: .seconds(30)) {
                        crowd.sockets.prefix(index + 1).filter { $0.currentPhase == .connecting }.count < concurrency / 2
                    }
                }
            }
            let opened = await wait(on: changed, timeout: .seconds(60)) { crowd.census().open + crowd.census().ended == count }
            let census = crowd.census()
            guard opened, census.open == count else {
                throw BenchError("only \(census.open) of \(count) WebSocket clients connected\(census.failure.map { ": \($0)" } ?? "")")
            }
            let result = try await body(crowd)
            for socket in crowd.sockets { socket.close() }
            _ = await wait(on: changed, timeout: .seconds(30)) { crowd.census().ended == count }
            return result
        }
    }
}
