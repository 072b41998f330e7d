/// Thrown by ``withDeadline(_:operation:)`` when the operation did not finish in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let duration: Duration
    public var description: String { "operation did not finish within \(duration)" }
}

/// Runs `operation`, cancelling it and throwing ``DeadlineExceeded`` if it takes longer than `duration`.
///
/// Used wherever the gateway bounds a wait (close handshakes, shutdown drains) and by the tests,
/// which wait on events rather than sleeping but must never hang.
public func withDeadline<Value: Sendable>(
    _ duration: Duration,
    operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw DeadlineExceeded(duration: duration)
        }
        return value
    }
}
