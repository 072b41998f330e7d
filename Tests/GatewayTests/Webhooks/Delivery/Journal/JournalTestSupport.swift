import Foundation
import Logging
import ServiceLifecycle
import Synchronization
@testable import Gateway

/// The journal tests' log capture is the suite's ``LogRecorder``.
typealias JournalLogCapture = LogRecorder

/// A unique folder per test (parallel-safe); the journal lives in `path`, one level below the root.
struct JournalTestDirectory {
    let root: String
    let path: String

    init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("journal-tests-\(UUID().uuidString)").path
        path = root + "/journal"
    }

    /// Segment file names, in order.
    var segmentNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix("segment-") }.sorted()
    }

    func segmentPath(_ name: String) -> String { "\(path)/\(name)" }

    func bytes(of name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: segmentPath(name)))) }

    func write(_ bytes: [UInt8], to name: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: segmentPath(name))) }

    func size(of name: String) throws -> Int { try bytes(of: name).count }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// Records for tests.
enum JournalSamples {
    /// A small event whose id tells its position.
    static func event(_ index: Int, payloadBytes: Int = 24) -> JournalRecord {
        .event(
            EventRecord(
                eventID: "evt_\(index)", type: "message-broadcast", timestamp: 1_700_000_000_000 + Int64(index),
                payload: [UInt8](repeating: UInt8(ascii: "a") + UInt8((index % 26 + 26) % 26), count: payloadBytes)
            )
        )
    }

    static func events(_ range: Range<Int>, payloadBytes: Int = 24) -> [JournalRecord] {
        range.map { event($0, payloadBytes: payloadBytes) }
    }

    /// Every kind of record, with edge values: empty and large byte fields, non-ASCII text, extreme integers.
    static let everyKind: [JournalRecord] = [
        .event(EventRecord(eventID: "evt_1", type: "message-broadcast", timestamp: 1_700_000_000_123, payload: Array(#"{"a":1}"#.utf8))),
        .event(EventRecord(eventID: "", type: "", timestamp: 0, payload: [])),
        .event(EventRecord(eventID: "evt_big", type: "server-status", timestamp: -1, payload: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })),
        .event(EventRecord(eventID: "évt_ü", type: "client-connected 🚀", timestamp: .max, payload: Array("héllo wörld ✓ 日本".utf8))),
        .enqueued(DeliveryRecord(deliveryID: "msg_1", eventID: "evt_1", subscriptionID: "wh_1", createdAt: 1, attempts: 0, nextAttemptAt: 2)),
        .enqueued(DeliveryRecord(deliveryID: "msg_2", eventID: "evt_1", subscriptionID: "wh_ñ", createdAt: .min, attempts: .max, nextAttemptAt: .max)),
        .attempted(
            AttemptRecord(
                deliveryID: "msg_1", attempt: 1, at: 10, durationMillis: 250, statusCode: 503, error: "", responseSnippet: Array("busy".utf8),
                nextAttemptAt: 5_000
            )
        ),
        .attempted(
            AttemptRecord(
                deliveryID: "msg_1", attempt: 2, at: 20, durationMillis: 0, statusCode: 0, error: "connect: refused — 拒否", responseSnippet: [],
                nextAttemptAt: 0
            )
        ),
        .delivered(deliveryID: "msg_1", at: 30),
        .dead(deliveryID: "msg_2", at: 40, reason: "HTTP 410 Gone ⛔"),
        .dead(deliveryID: "msg_3", at: 41, reason: ""),
        .idempotencyKey(IdempotencyRecord(key: "order-42 ✓", fingerprint: "9f86d081", storedAt: 1_700_000_000_000, recipients: 3, timestamp: "2026-11-29T08:37:22.123Z")),
        .idempotencyKey(IdempotencyRecord(key: "", fingerprint: "", storedAt: .min, recipients: 0, timestamp: "")),
    ]
}

/// Runs `journal` in a `ServiceGroup` while `body` runs, then triggers graceful shutdown and waits
/// for the journal to finish, as the application does.
func withRunningJournal<Value: Sendable>(_ journal: OutboxJournal, _ body: () async throws -> Value) async throws -> Value {
    let quiet = Logger(label: "journal-test-group") { _ in SwiftLogNoOpLogHandler() }
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [journal], logger: quiet))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let value: Value
        do {
            value = try await body()
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return value
    }
}

/// Opens a fresh journal on `directory` and recovers it: what a restart would see.
func recoverJournal(at directory: JournalTestDirectory, logs: JournalLogCapture = JournalLogCapture()) throws -> [JournalRecord] {
    try OutboxJournal(directory: directory.path, configuration: .init(), logger: logs.logger).recover()
}

/// Waits for a state the journal does not announce (a counter, a queue), yielding between looks and
/// failing after `limit`: for the few places where no event exists to wait on.
func journalWaitUntil(within limit: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while !condition() {
        guard clock.now < deadline else { throw JournalTestTimeout(limit: limit) }
        await Task.yield()
    }
}

/// ``journalWaitUntil(within:_:)`` gave up.
struct JournalTestTimeout: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "condition not met within \(limit)" }
}
