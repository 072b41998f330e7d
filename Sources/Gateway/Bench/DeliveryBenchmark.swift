public import Logging
import Configuration
import NIOPosix
import ServiceLifecycle

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
    /// The three phases run this many times in turn, each round with its share of the events.
    public var rounds: Int
    public var directory: String
    public var logger: Logger

    public init(subscriptions: Int, events: Int, durability: String, rate: Int = 0, rounds: Int = 1, directory: String, logger: Logger) {
        self.subscriptions = subscriptions
        self.events = events
        self.durability = durability
        self.rate = rate
        self.rounds = rounds
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
        /// Each round's transport and engine rates over the C client's in the same round.
        public var rounds: [(transport: Double, engine: Double)] = []
        /// The engine phase's journal: appends (one per accepted batch and per settled batch), records and fsyncs.
        public var journal: (appends: Int, records: Int, fsyncs: Int) = (0, 0, 0)

        public var description: String {
            func percent(_ value: Double) -> String { rawCurlPerSecond > 0 ? "\(Int((value / rawCurlPerSecond * 100).rounded()))% of raw" : "-" }
            func cpu(_ micros: Double) -> String { micros > 0 ? ", \(Int(micros.rounded())) µs CPU each" : "" }
            let comparison = rate > 0 ? "paced at \(rate) events/s" : percent(enginePerSecond)
            var roundsLine: String {
                guard rounds.count > 1 else { return "" }
                func spread(_ ratios: [Double]) -> String {
                    let sorted = ratios.sorted()
                    let percents = sorted.map { "\(Int(($0 * 100).rounded()))" }
                    return "\(percents.first!)–\(percents.last!) % (median \(Int((sorted[sorted.count / 2] * 100).rounded())) %)"
                }
                return "rounds of the three phases             \(rounds.count): engine \(spread(rounds.map(\.engine))) of raw, transport \(spread(rounds.map(\.transport)))\n  "
            }
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
                  \(roundsLine)CPU µs per request, by thread:
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
        let shape = BenchRequestShape(url: url, userAgent: stack.transport.configuration.userAgent)
        // The C client opens as many connections to the receiver as the transport does.
        let connections = configuration.delivery.maxHostConnections
        for index in 0..<subscriptions { _ = try await stack.registry.create(WebhookInput(url: url + "?s=\(index)", events: ["message-broadcast"])) }
        let group = ServiceGroup(configuration: .init(services: [stack.journal, TransportService(transport: stack.transport), stack.engine], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var raw = PhaseSlice(), transport = PhaseSlice(), engine = PhaseSlice()
            var ratios: [(transport: Double, engine: Double)] = []
            var latencies: [Duration] = []
            var acceptSeconds = 0.0
            var duplicated = 0
            let journalBefore = stack.journal.statistics
            let rounds = max(1, min(self.rounds, events))
            var firstEvent = 0
            // Round after round of the three phases, so that a change in the machine's speed (this is a
            // shared VM) falls on all three alike instead of on whichever phase ran at the time.
            for round in 0..<rounds {
                let roundEvents = events / rounds + (round < events % rounds ? 1 : 0)
                let count = roundEvents * subscriptions
                let rawSlice = try await PhaseSlice.measure(count: count) {
                    try await NIOThreadPool.singleton.runIfActive { shape.postWithC(count: count, connections: connections) }
                }
                receiver.reset()
                let transportSlice = await PhaseSlice.measure(count: count) { await shape.postWithTransport(stack.transport, count: count) }
                receiver.reset()
                var accepted: [String: ContinuousClock.Instant] = [:]
                let engineSlice = try await PhaseSlice.measure(count: count) {
                    let start = ContinuousClock.now
                    accepted = try await fire(events: firstEvent..<firstEvent + roundEvents, into: stack.engine)
                    acceptSeconds += start.duration(to: .now).seconds
                    _ = await receiver.waitForCount(count, timeout: .seconds(120))
                    return receiver.arrivalCount
                }
                let arrivals = receiver.arrivals
                latencies += accepted.compactMap { id, at in arrivals[id].map { at.duration(to: $0) } }
                duplicated += max(0, receiver.count - arrivals.count)
                receiver.reset()
                firstEvent += roundEvents
                for (name, slice) in [("raw curl client", rawSlice), ("transport alone", transportSlice)] where slice.succeeded < slice.count {
                    logger.warning("\(name): \(slice.count - slice.succeeded) requests failed (the rate counts only the others)")
                }
                ratios.append((transportSlice.rate / max(rawSlice.rate, 1e-9), engineSlice.rate / max(rawSlice.rate, 1e-9)))
                raw = raw + rawSlice
                transport = transport + transportSlice
                engine = engine + engineSlice
            }
            let journalAfter = stack.journal.statistics
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            let instant = try await measureEngineAlone(configuration: configuration, registry: stack.registry, total: subscriptions * events)
            try await stack.registry.shutdown()
            var report = Report(
                deliveries: engine.count, rawCurlPerSecond: raw.rate, transportOnlyPerSecond: transport.rate, enginePerSecond: engine.rate,
                acceptedEventsPerSecond: Double(events) / max(acceptSeconds, 1e-9), latency: LatencySummary(latencies), lost: engine.count - engine.succeeded, rate: rate
            )
            report.cpuMicros = (raw.cpuMicros, transport.cpuMicros, engine.cpuMicros)
            report.threads = (raw.threads.microseconds(per: raw.count), transport.threads.microseconds(per: transport.count), engine.threads.microseconds(per: engine.count))
            report.rounds = ratios
            (report.instantPerSecond, report.instantCPUMicros) = instant
            report.journal = (journalAfter.writes - journalBefore.writes, journalAfter.appendedRecords - journalBefore.appendedRecords, journalAfter.fsyncs - journalBefore.fsyncs)
            report.duplicated = duplicated
            report.attempts = stack.engine.statistics.attempts
            return report
        }
    }

    /// Fires `events` (their numbers) as `message-broadcast` events: in batches of 100, or one at a time
    /// at `rate` per second (event n is due n/rate seconds after the first). Returns when each delivery
    /// was accepted (journaled), by delivery id.
    private func fire(events: Range<Int>, into engine: DeliveryEngine) async throws -> [String: ContinuousClock.Instant] {
        var accepted: [String: ContinuousClock.Instant] = [:]
        let start = ContinuousClock.now
        let batchSize = rate > 0 ? 1 : 100
        for batch in stride(from: events.lowerBound, to: events.upperBound, by: batchSize) {
            if rate > 0 {
                try await Task.sleep(until: start + .milliseconds(Int64(batch - events.lowerBound) * 1000 / Int64(rate)), clock: .continuous)
            }
            let batchEvents = (batch..<min(events.upperBound, batch + batchSize)).map { WebhookEvent(type: "message-broadcast", data: ["message": .string("benchmark \($0)")]) }
            let created = try await engine.accept(batchEvents)
            let now = ContinuousClock.now
            for ids in created.values { for id in ids { accepted[id] = now } }
        }
        return accepted
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
