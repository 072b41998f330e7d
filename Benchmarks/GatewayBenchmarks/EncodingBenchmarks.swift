import Benchmark
import Gateway

/// Envelope encoding: the hub's once-per-message WebSocket frame, and a webhook event's JSON body and
/// journal record, as the dispatcher builds them for every broadcast.
/// - Returns: The benchmarks registered.
func encodingBenchmarks() -> [Benchmark?] {
    let message = Fixtures.chatMessage
    let hubEvent = HubEvent.messageBroadcast(message, source: .websocket, recipients: 42)
    let event = WebhookEvent(hubEvent)

    let encoded = Benchmark("Encoding: hub message encoded()", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(message.encoded())
        }
    }
    let payload = Benchmark("Encoding: webhook event payload()", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try event.payload())
        }
    }
    let record = Benchmark("Encoding: hub event to webhook event record()", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try WebhookEvent(hubEvent).record())
        }
    }
    let frames = Benchmark(
        "Encoding: journal frames, event + \(Fixtures.deliveriesPerEvent) deliveries",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark, batch in
        for _ in benchmark.scaledIterations {
            blackHole(try JournalRecordCodec.encode(batch))
        }
    } setup: {
        try Fixtures.appendBatch(index: 0)
    }
    return [encoded, payload, record, frames]
}
