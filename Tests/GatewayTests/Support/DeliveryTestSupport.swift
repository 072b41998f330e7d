import Configuration
import Foundation
import Gateway
import Logging
import Synchronization

/// A journal that keeps records in memory, in order: for engine tests that need ordering, not files.
///
/// It also notes the actor each call started on: the engine relies on its appends and compactions
/// being queued on its own actor, before their first suspension (see ``DeliveryJournal``).
final class MemoryJournal: DeliveryJournal {
    private let records = Mutex<[JournalRecord]>([])
    private let startedOn = Mutex<[ObjectIdentifier?]>([])
    /// What it reports as its size: above `journal.compactAfterBytes`, the engine compacts it.
    let totalBytes: Int

    init(totalBytes: Int = 0) {
        self.totalBytes = totalBytes
    }

    var all: [JournalRecord] { records.withLock { $0 } }
    /// The actor each append and compaction started on, in call order; `nil` when on no actor.
    var callers: [ObjectIdentifier?] { startedOn.withLock { $0 } }

    nonisolated(nonsending) func append(_ new: [JournalRecord]) async throws {
        let caller = #isolation.map { ObjectIdentifier($0) }
        startedOn.withLock { $0.append(caller) }
        records.withLock { $0 += new }
    }

    nonisolated(nonsending) func compact(keeping kept: [JournalRecord]) async throws {
        let caller = #isolation.map { ObjectIdentifier($0) }
        startedOn.withLock { $0.append(caller) }
        records.withLock { $0 = kept }
    }
}

/// A transport that answers from a script per URL and records every request it saw.
/// A fake only to inject a precise fault sequence; the live tests use libcurl.
final class ScriptedTransport: WebhookTransport {
    struct Seen: Sendable {
        var url: String
        var headers: [String: String]
        var body: [UInt8]
    }

    private let script: Mutex<[String: [Result<TransportResponse, TransportError>]]>
    private let seen = Mutex<[Seen]>([])
    let requests = TestMailbox<Seen>()

    /// `script[url]` is consumed in order; when it runs out, the answer is 200.
    init(_ script: [String: [Result<TransportResponse, TransportError>]] = [:]) {
        self.script = Mutex(script)
    }

    var received: [Seen] { seen.withLock { $0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }) { $1 }
        let entry = Seen(url: request.url, headers: headers, body: request.body)
        seen.withLock { $0.append(entry) }
        requests.push(entry)
        let next = script.withLock { script -> Result<TransportResponse, TransportError>? in
            guard var queue = script[request.url], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            script[request.url] = queue
            return first
        }
        switch next ?? .success(.status(200)) {
        case .success(let response): return response
        case .failure(let error): throw error
        }
    }
}

extension TransportResponse {
    static func status(_ code: Int, headers: [String: String] = [:]) -> TransportResponse {
        TransportResponse(statusCode: code, headers: headers, body: Array("ok".utf8), duration: .milliseconds(1))
    }
}

/// Delivery settings with a fast retry schedule for tests.
func fastDeliverySettings(_ overrides: [String: ConfigContent] = [:]) throws -> DeliveryEngine.Settings {
    var values: [String: ConfigContent] = [
        "deliveries.retrySchedule": .stringArray(["0", "0.02", "0.02", "0.02"]),
        "deliveries.jitterPercent": .int(0),
        "deliveries.minimumThrottleSeconds": .double(0.02),
        "deliveries.breakerThreshold": .int(100),
    ]
    values.merge(overrides) { $1 }
    let configuration = try GatewayConfiguration(reader: TestConfig.reader(values))
    return DeliveryEngine.Settings(delivery: configuration.delivery, userAgent: "gateway-tests")
}

let silentLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
