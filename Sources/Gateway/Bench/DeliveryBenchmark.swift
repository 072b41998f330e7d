public import Logging
import CCurlBaseline
#if canImport(Glibc)
import Glibc
#endif
import Configuration
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `gateway bench deliveries`: the delivery engine (journal with group commit, signing, scheduling,
/// libcurl) against two references posting the same bodies to the same local receiver in the same
/// run: a plain C curl-multi client (the ceiling, `CCurlBaseline`) and the gateway's transport alone.
/// The ratios show what the engine and the Swift transport cost over moving the bytes.
public struct DeliveryBenchmark: Sendable {
    public var subscriptions: Int
    public var events: Int
    public var durability: String
    /// Events per second, paced; 0 fires them as fast as the engine accepts them.
    public var rate: Int
    public var directory: String
    public var logger: Logger

    public init(subscriptions: Int, events: Int, durability: String, rate: Int = 0, directory: String, logger: Logger) {
        self.subscriptions = subscriptions
        self.events = events
        self.durability = durability
        self.rate = rate
        self.directory = directory
        self.logger = logger
    }

    /// The figures `gateway bench deliveries` prints.
    public struct Report: Sendable, CustomStringConvertible {
        public var deliveries: Int
        /// The plain C curl-multi client, same connections per host as the transport.
        public var rawCurlPerSecond: Double
        public var transportOnlyPerSecond: Double
        public var enginePerSecond: Double
        public var acceptedEventsPerSecond: Double
        public var latency: LatencySummary
        public var lost: Int
        /// Requests the receiver got beyond the first of each delivery (at-least-once repeats).
        public var duplicated = 0
        /// Attempts the engine made (more than the deliveries when some were retried).
        public var attempts = 0
        /// The pacing, in events per second (0 = unpaced, where the ratio to the transport means something).
        public var rate: Int
        /// The whole process's CPU time per request in each phase (the receiver's share included), in µs.
        public var cpuMicros: (raw: Double, transport: Double, engine: Double) = (0, 0, 0)
        /// The engine with a transport that answers 200 at once, in process (no network, no receiver):
        /// what the engine itself costs per delivery.
        public var instantPerSecond: Double = 0
        public var instantCPUMicros: Double = 0
        /// CPU µs per request by thread role in each phase (the C client runs on NIO's singleton pool; the
        /// receiver's event loops are NIO's, its handlers Swift tasks).
        public var threads: (raw: [ThreadUsage.Role: Double], transport: [ThreadUsage.Role: Double], engine: [ThreadUsage.Role: Double]) = ([:], [:], [:])
        /// The engine phase's journal: appends (one per accepted batch and per settled batch), records and fsyncs.
        public var journal: (appends: Int, records: Int, fsyncs: Int) = (0, 0, 0)

        public var description: String {
            func percent(_ value: Double) -> String { rawCurlPerSecond > 0 ? "\(Int((value / rawCurlPerSecond * 100).rounded()))% of raw" : "-" }
            func cpu(_ micros: Double) -> String { micros > 0 ? ", \(Int(micros.rounded())) µs CPU each" : "" }
            let comparison = rate > 0 ? "paced at \(rate) events/s" : percent(enginePerSecond)
            func byThread(_ micros: [ThreadUsage.Role: Double]) -> String {
                ThreadUsage.Role.allCases.compactMap { role in
                    micros[role].flatMap { $0 >= 0.5 ? "\(role.rawValue) \(Int($0.rounded()))" : nil }
                }.joined(separator: ", ")
            }
            return """
                delivery benchmark: \(deliveries) deliveries to a local receiver (CPU: the whole process, receiver included)
                  raw curl multi (C, no engine)           \(Int(rawCurlPerSecond)) requests/s\(cpu(cpuMicros.raw))
                  transport only (Swift curl multi)       \(Int(transportOnlyPerSecond)) requests/s  (\(percent(transportOnlyPerSecond))\(cpu(cpuMicros.transport)))
                  engine (journal + sign + schedule)      \(Int(enginePerSecond)) deliveries/s  (\(comparison)\(cpu(cpuMicros.engine)))
                  CPU µs per request, by thread:
                    raw curl multi                        \(byThread(threads.raw))
                    transport only                        \(byThread(threads.transport))
                    engine                                \(byThread(threads.engine))
                  engine alone (instant transport)        \(Int(instantPerSecond)) deliveries/s  (no network, no receiver\(cpu(instantCPUMicros)))
                  events accepted (durable)               \(Int(acceptedEventsPerSecond)) events/s
                  engine's journal                        \(journal.appends) writes of \(journal.records) records, \(journal.fsyncs) fsyncs (\(journal.fsyncs > 0 ? "\(journal.records / journal.fsyncs)" : "-") records each)
                  event-to-receiver latency               \(latency)
                  lost                                    \(lost)
                  duplicated                              \(duplicated)  (attempts made: \(attempts))
                """
        }
    }

    public func run() async throws -> Report {
        let receiver = BenchReceiver()
        return try await receiver.run(logger: logger) { port in try await measure(receiver: receiver, url: "http://127.0.0.1:\(port)/hook") }
    }

    private func measure(receiver: BenchReceiver, url: String) async throws -> Report {
        let values: [String: ConfigContent] = [
            "webhooks.allowedNetworks": .stringArray(["127.0.0.0/8"]), "journal.durability": .string(durability), "data.dir": .string(directory),
            "webhooks.maxSubscriptions": .int(max(subscriptions, 10)),
        ]
        let provider = ConfigurationSources.inMemory(values)
        let configuration = try GatewayConfiguration(reader: ConfigReader(provider: provider))
        let stack = try await WebhookStack(configuration: configuration, logger: logger)
        let total = subscriptions * events
        let body = Array(#"{"type":"message-broadcast","timestamp":"2026-11-29T00:00:00.000Z","data":{"message":"benchmark"}}"#.utf8)

        // Phase 0: the plain C client, with as many connections as the transport opens to one host.
        let inFlight = configuration.delivery.maxHostConnections
        /// CPU µs of this process per request since `since`.
        func cpuPerRequest(since: ProcessUsage?) -> Double {
            guard let since, let now = ProcessUsage.current else { return 0 }
            return (now.cpuSeconds - since.cpuSeconds) / Double(total) * 1e6
        }
        var usage = ProcessUsage.current
        var threadUsage = ThreadUsage.current
        // Every phase sends the headers a delivery carries (a unique webhook-id included), so the receiver
        // does the same work per request in each and the ratios compare the senders alone.
        let headers: [(name: String, value: String)] = [
            ("content-type", "application/json"), ("user-agent", stack.transport.configuration.userAgent),
            ("webhook-timestamp", "1764374400"), ("webhook-signature", "v1," + String(repeating: "A", count: 43) + "="),
        ]
        let raw = try await NIOThreadPool.singleton.runIfActive {
            let lines = headers.map { strdup("\($0.name): \($0.value)") }
            defer { for line in lines { free(line) } }
            let pointers = lines.map { UnsafePointer($0) }
            return body.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    ccurl_baseline_post(url, $0.baseAddress, $0.count, total, inFlight, pointers, pointers.count, "msg_01KBASELINE")
                }
            }
        }
        if raw.failed > 0 { logger.warning("raw curl client: \(raw.failed) requests failed") }
        let rawCPU = cpuPerRequest(since: usage)
        let rawThreads = ThreadUsage.current.microseconds(since: threadUsage, per: total)
        receiver.reset()
        usage = ProcessUsage.current
        threadUsage = ThreadUsage.current

        // Phase 1: the transport alone, 192–256 in flight, through `submit` as the engine uses it. The
        // submitting loop is woken every 64 completions, not on each (a wake-up per request would be
        // the harness's CPU, not the transport's).
        let clock = ContinuousClock()
        let transportStart = clock.now
        let completed = Mutex(0)
        let failed = Mutex(0)
        let progress = WakeupSignal()
        var started = 0
        while completed.withLock({ $0 }) < total {
            while started < total, started - completed.withLock({ $0 }) < 256 {
                let request = TransportRequest(
                    url: url, headers: headers + [("webhook-id", "msg_01KTRANSPORT\(started)")], body: body, connectTimeout: .seconds(5), totalTimeout: .seconds(15)
                )
                stack.transport.submit(request) { result in
                    if case .success(let response) = result, (200..<300).contains(response.statusCode) {} else { failed.withLock { $0 += 1 } }
                    let done = completed.withLock {
                        $0 += 1
                        return $0
                    }
                    if done % 64 == 0 || done == total { progress.signal() }
                }
                started += 1
            }
            await progress.wait(for: .milliseconds(100))
        }
        let transportSeconds = transportStart.duration(to: clock.now).seconds
        let transportFailed = failed.withLock { $0 }
        if transportFailed > 0 { logger.warning("transport alone: \(transportFailed) requests failed (the rate counts only the others)") }
        let transportCPU = cpuPerRequest(since: usage)
        let transportThreads = ThreadUsage.current.microseconds(since: threadUsage, per: total)
        receiver.reset()

        // Phase 2: the engine.
        for index in 0..<subscriptions { _ = try await stack.registry.create(WebhookInput(url: url + "?s=\(index)", events: ["message-broadcast"])) }
        let group = ServiceGroup(configuration: .init(services: [stack.journal, TransportService(transport: stack.transport), stack.engine], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var accepted: [String: ContinuousClock.Instant] = [:]
            let journalBefore = stack.journal.statistics
            let engineUsage = ProcessUsage.current
            let engineThreadUsage = ThreadUsage.current
            let engineStart = clock.now
            let batchSize = rate > 0 ? 1 : 100
            for batch in stride(from: 0, to: events, by: batchSize) {
                if rate > 0 {
                    // Paced: event n is due n/rate seconds after the start.
                    try await Task.sleep(until: engineStart + .milliseconds(Int64(batch) * 1000 / Int64(rate)), clock: clock)
                }
                let batchEvents = (batch..<min(events, batch + batchSize)).map { WebhookEvent(type: "message-broadcast", data: ["message": .string("benchmark \($0)")]) }
                let created = try await stack.engine.accept(batchEvents)
                let now = clock.now
                for ids in created.values { for id in ids { accepted[id] = now } }
            }
            let acceptSeconds = engineStart.duration(to: clock.now).seconds
            _ = await receiver.waitForCount(total, timeout: .seconds(120))
            let engineSeconds = engineStart.duration(to: clock.now).seconds
            let engineCPU = cpuPerRequest(since: engineUsage)
            let engineThreads = ThreadUsage.current.microseconds(since: engineThreadUsage, per: total)
            let journalAfter = stack.journal.statistics
            let arrivals = receiver.arrivals
            let latencies = accepted.compactMap { id, at in arrivals[id].map { at.duration(to: $0) } }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            let instant = try await measureEngineAlone(configuration: configuration, registry: stack.registry, total: total)
            try await stack.registry.shutdown()
            var report = Report(
                deliveries: total, rawCurlPerSecond: Double(raw.succeeded) / max(raw.seconds, 1e-9), transportOnlyPerSecond: Double(total - transportFailed) / transportSeconds, enginePerSecond: Double(arrivals.count) / engineSeconds,
                acceptedEventsPerSecond: Double(events) / acceptSeconds, latency: LatencySummary(latencies), lost: total - arrivals.count, rate: rate
            )
            report.cpuMicros = (rawCPU, transportCPU, engineCPU)
            report.threads = (rawThreads, transportThreads, engineThreads)
            (report.instantPerSecond, report.instantCPUMicros) = instant
            report.journal = (journalAfter.writes - journalBefore.writes, journalAfter.appendedRecords - journalBefore.appendedRecords, journalAfter.fsyncs - journalBefore.fsyncs)
            report.duplicated = max(0, receiver.count - arrivals.count)
            report.attempts = stack.engine.statistics.attempts
            return report
        }
    }

    /// The same events through a second engine (own journal, same subscriptions) whose transport answers
    /// 200 at once: deliveries/s and CPU µs per delivery of the engine alone.
    private func measureEngineAlone(configuration: GatewayConfiguration, registry: FileWebhookRegistry, total: Int) async throws -> (Double, Double) {
        let journal = try OutboxJournal(
            directory: directory + "/journal-instant",
            configuration: .init(durability: OutboxJournal.Durability(rawValue: durability) ?? .always, segmentMaxBytes: configuration.delivery.journalSegmentMaxBytes),
            logger: logger
        )
        let engine = DeliveryEngine(
            settings: .init(delivery: configuration.delivery, userAgent: "gateway-bench"), registry: registry, transport: InstantTransport(), journal: journal,
            recovered: try journal.recover(), logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [journal, engine], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let usage = ProcessUsage.current
            let start = ContinuousClock.now
            for batch in stride(from: 0, to: events, by: 100) {
                _ = try await engine.accept((batch..<min(events, batch + 100)).map { WebhookEvent(type: "message-broadcast", data: ["message": .string("benchmark \($0)")]) })
            }
            _ = try? await withDeadline(.seconds(120)) {
                while engine.statistics.delivered < total, !Task.isCancelled { await engine.countersChanged.wait(for: .milliseconds(100)) }
            }
            let seconds = start.duration(to: .now).seconds
            let cpu = (ProcessUsage.current?.cpuSeconds ?? 0) - (usage?.cpuSeconds ?? 0)
            let delivered = engine.statistics.delivered
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return (Double(delivered) / seconds, cpu / Double(max(1, delivered)) * 1e6)
        }
    }
}

/// A transport that answers every request with 200 at once, in process: the engine's own cost.
struct InstantTransport: WebhookTransport {
    func send(_ request: TransportRequest) async throws -> TransportResponse {
        TransportResponse(statusCode: 200, headers: [:], body: [], duration: .zero)
    }

    func submit(_ request: TransportRequest, completion: @escaping @Sendable (Result<TransportResponse, TransportError>) -> Void) {
        completion(.success(TransportResponse(statusCode: 200, headers: [:], body: [], duration: .zero)))
    }
}
