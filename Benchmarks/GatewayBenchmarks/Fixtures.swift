import Gateway
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The data the benchmarks work on: typical messages, bodies and journal batches, scratch folders.
enum Fixtures {
    /// Deliveries per event in a journal batch: the event fans out to three subscriptions.
    static let deliveriesPerEvent = 3

    /// A fixed time, so that every run encodes the same bytes.
    static let time = Date(timeIntervalSince1970: 1_795_941_442.123)

    /// A 120-character chat message, the hub's everyday traffic.
    static let chatMessage = BroadcastMessage(
        message: String(repeating: "Hello from the benchmark, ", count: 5).prefix(120).description,
        sender: "client_2Vbq6m1Yl0n7hQ3xK9cT", messageType: BroadcastMessage.Kind.chat, timestamp: time
    )

    /// A logger that drops everything, so that no benchmark measures log I/O.
    static let silentLogger = Logger(label: "gateway.benchmarks", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A `message-broadcast` webhook body of exactly `bytes` bytes (its message padded to fit), or the
    /// smallest such body when `bytes` is below that.
    static func payload(bytes: Int) throws -> [UInt8] {
        func body(padding: Int) throws -> [UInt8] {
            var message = chatMessage
            message.message = String(repeating: "x", count: padding)
            return try WebhookEvent(.messageBroadcast(message, source: .api, recipients: 42)).payload()
        }
        let base = try body(padding: 0).count
        return try body(padding: max(0, bytes - base))
    }

    /// One `accept` worth of journal records: a `message-broadcast` event and its deliveries.
    /// - Parameter index: Makes the ids unique per batch.
    static func appendBatch(index: Int) throws -> [JournalRecord] {
        var event = WebhookEvent(.messageBroadcast(chatMessage, source: .websocket, recipients: 42))
        event.id = "evt_bench\(index)"
        let record = try event.record()
        let deliveries = (0..<deliveriesPerEvent).map { subscription in
            JournalRecord.enqueued(
                DeliveryRecord(
                    deliveryID: "msg_bench\(index)_\(subscription)", eventID: record.eventID, subscriptionID: "wh_bench\(subscription)",
                    createdAt: record.timestamp, nextAttemptAt: record.timestamp
                )
            )
        }
        return [.event(record)] + deliveries
    }

    /// Creates an empty folder for one benchmark and returns its path.
    /// - Parameter inMemory: Prefer `/dev/shm` (where fsync is free), for fixtures whose disk cost is
    ///   not what is measured; otherwise the temporary directory, on the disk the journal would use.
    static func scratchDirectory(_ name: String, inMemory: Bool = false) throws -> String {
        let memory = "/dev/shm"
        let root = inMemory && FileManager.default.isWritableFile(atPath: memory) ? memory : FileManager.default.temporaryDirectory.path
        let path = root + "/gateway-bench-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Removes a scratch folder (best effort: a leftover in the temporary directory is harmless).
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
