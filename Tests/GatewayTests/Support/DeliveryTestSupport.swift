import Configuration
import Foundation
import Gateway
import Logging
import Synchronization

/// A journal that keeps records in memory, in order: for engine tests that need ordering, not files.
final class MemoryJournal: DeliveryJournal {
    private let records = Mutex<[JournalRecord]>([])
    var all: [JournalRecord] { records.withLock { $0 } }
    var totalBytes: Int { 0 }
    func append(_ new: [JournalRecord]) async throws { records.withLock { $0 += new } }
    func compact(keeping kept: [JournalRecord]) async throws { records.withLock { $0 = kept } }
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
func fastDeliverySettings(_ overrides: [String: String] = [:]) throws -> DeliveryEngine.Settings {
    var values: [String: ConfigContent] = [
        "deliveries.retrySchedule": .stringArray(["0", "0.02", "0.02", "0.02"]),
        "deliveries.jitterPercent": .int(0),
        "deliveries.minimumThrottleSeconds": .double(0.02),
        "deliveries.breakerThreshold": .int(100),
    ]
    for (key, value) in overrides { values[key] = .string(value) }
    let configuration = try GatewayConfiguration(reader: TestConfig.reader(values))
    return DeliveryEngine.Settings(delivery: configuration.delivery, userAgent: "gateway-tests")
}

let silentLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
