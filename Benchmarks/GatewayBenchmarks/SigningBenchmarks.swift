import Benchmark
import Gateway

/// `WebhookSigner.header(secrets:id:timestamp:body:)`, as every delivery attempt calls it: a
/// ~300-byte and a ~4 KB body, one secret and two (during a rotation both sign).
/// - Returns: The benchmarks registered.
func signingBenchmarks() -> [Benchmark?] {
    let secrets = [SubscriptionRules.generateSecret(), SubscriptionRules.generateSecret()]
    let id = "msg_2Vbq6m1Yl0n7hQ3xK9cT5wRzJ8"
    let timestamp: Int64 = 1_795_941_442
    return [300, 4096].flatMap { size in
        [1, 2].map { secretCount in
            let signing = Array(secrets.prefix(secretCount))
            return Benchmark(
                "Signing: header, \(size) B body, \(secretCount) secret\(secretCount == 1 ? "" : "s")",
                configuration: .init(scalingFactor: .kilo)
            ) { benchmark, body in
                for _ in benchmark.scaledIterations {
                    blackHole(try WebhookSigner.header(secrets: signing, id: id, timestamp: timestamp, body: body))
                }
            } setup: {
                try Fixtures.payload(bytes: size)
            }
        }
    }
}
