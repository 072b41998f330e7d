import CCurlBaseline
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One slice of one phase of `gateway bench deliveries`: what was sent, how long it took, what it cost.
struct PhaseSlice: Sendable {
    /// Requests (or deliveries) the slice was to complete.
    var count = 0
    /// Of those, the ones that succeeded (2xx; for the engine: arrived at the receiver).
    var succeeded = 0
    var seconds = 0.0
    /// The process's CPU time, by thread role.
    var threads = ThreadUsage(seconds: [:])

    /// Successful requests per second.
    var rate: Double { Double(succeeded) / max(seconds, 1e-9) }

    /// The slices of one phase added up (rounds of the benchmark).
    static func + (lhs: PhaseSlice, rhs: PhaseSlice) -> PhaseSlice {
        PhaseSlice(
            count: lhs.count + rhs.count, succeeded: lhs.succeeded + rhs.succeeded, seconds: lhs.seconds + rhs.seconds,
            threads: lhs.threads + rhs.threads
        )
    }

    /// CPU µs of the whole process per request.
    var cpuMicros: Double { threads.total / Double(max(count, 1)) * 1e6 }

    /// Runs `body` and measures it: wall time, process CPU and CPU by thread role.
    static func measure(count: Int, _ body: () async throws -> Int) async rethrows -> PhaseSlice {
        let threads = ThreadUsage.current
        let start = ContinuousClock.now
        let succeeded = try await body()
        let seconds = start.duration(to: .now).seconds
        return PhaseSlice(count: count, succeeded: succeeded, seconds: seconds, threads: ThreadUsage.current.since(threads))
    }
}

/// What every slice posts: the same body and the headers a delivery carries, so the receiver does the
/// same work per request in each phase and the ratios compare the senders alone.
struct BenchRequestShape: Sendable {
    let url: String
    let body: [UInt8]
    let headers: [(name: String, value: String)]

    init(url: String, userAgent: String) {
        self.url = url
        body = Array(#"{"type":"message-broadcast","timestamp":"2026-11-29T00:00:00.000Z","data":{"message":"benchmark"}}"#.utf8)
        headers = [
            ("content-type", "application/json"), ("user-agent", userAgent),
            ("webhook-timestamp", "1764374400"), ("webhook-signature", "v1," + String(repeating: "A", count: 43) + "="),
        ]
    }

    /// The plain C curl-multi client (`CCurlBaseline`), `count` requests with `connections` per host, on
    /// a thread of NIO's singleton pool. Returns the requests that got a 2xx.
    func postWithC(count: Int, connections: Int) -> Int {
        let lines = headers.map { strdup("\($0.name): \($0.value)") }
        defer { for line in lines { free(line) } }
        let pointers = lines.map { UnsafePointer($0) }
        let result = body.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                ccurl_baseline_post(url, $0.baseAddress, $0.count, count, connections, pointers, pointers.count, "msg_01KBASELINE")
            }
        }
        return result.succeeded
    }

    /// The gateway's transport alone, through `submit` as the engine uses it, 192–256 in flight. The
    /// submitting loop is woken every 64 completions, not on each (a wake-up per request would be the
    /// harness's CPU, not the transport's). Returns the requests that got a 2xx.
    func postWithTransport(_ transport: CurlTransport, count: Int) async -> Int {
        let completed = Mutex(0)
        let succeeded = Mutex(0)
        let progress = WakeupSignal()
        var started = 0
        while completed.withLock({ $0 }) < count {
            while started < count, started - completed.withLock({ $0 }) < 256 {
                let request = TransportRequest(
                    url: url, headers: headers + [("webhook-id", "msg_01KTRANSPORT\(started)")], body: body, connectTimeout: .seconds(5), totalTimeout: .seconds(15)
                )
                transport.submit(request) { result in
                    if case .success(let response) = result, (200..<300).contains(response.statusCode) { succeeded.withLock { $0 += 1 } }
                    let done = completed.withLock {
                        $0 += 1
                        return $0
                    }
                    if done % 64 == 0 || done == count { progress.signal() }
                }
                started += 1
            }
            await progress.wait(for: .milliseconds(100))
        }
        return succeeded.withLock { $0 }
    }
}
