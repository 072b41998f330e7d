import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Gateway

/// `GET /metrics` as Prometheus scrapes it: the text format parses, every promised series is there,
/// and the series move with real traffic (WebSocket messages, broadcasts, deliveries, fsyncs).
@Suite struct MetricsTests {
    /// Every series `/metrics` promises from the first scrape, before any traffic.
    static let promised = [
        "gateway_ws_connections", "gateway_ws_connections_opened_total", "gateway_ws_connections_refused_total",
        "gateway_ws_messages_received_total", "gateway_ws_messages_fanned_out_total", "gateway_ws_frames_sent_total",
        "gateway_ws_frames_dropped_total", "gateway_ws_clients_evicted_total", "gateway_ws_fanout_duration_seconds_count",
        "gateway_events_total{type=\"message-broadcast\"}", "gateway_deliveries_total{outcome=\"delivered\"}",
        "gateway_deliveries_total{outcome=\"retrying\"}", "gateway_deliveries_total{outcome=\"dead\"}",
        "gateway_delivery_attempt_duration_seconds_count", "gateway_delivery_queue_depth", "gateway_delivery_in_flight",
        "gateway_delivery_circuit_breakers_open", "gateway_webhook_subscriptions", "gateway_journal_bytes",
        "gateway_journal_fsync_duration_seconds_count", "gateway_dispatcher_events_dropped",
    ]

    @Test func everySeriesIsPresentInTheTextFormatBeforeAnyTraffic() async throws {
        try await withLiveApp { client, _ in
            let response = try await client.get("/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let samples = try Self.parse(String(buffer: response.body))
            for series in Self.promised { #expect(samples[series] != nil, "\(series) missing") }
            #expect(samples["gateway_ws_connections"] == 0)
            #expect(samples["gateway_delivery_queue_depth"] == 0)
        }
    }

    @Test func seriesMoveWithWebSocketTrafficBroadcastsAndDeliveries() async throws {
        let receiver = WebhookReceiver()
        receiver.script("/flaky", [.status(500)])
        try await receiver.run { receiverPort in
            try await withLiveApp(deliveryOverrides()) { client, port in
                let before = try await scrape(client)
                _ = try await client.subscribe("http://127.0.0.1:\(receiverPort)/flaky", events: ["message-broadcast"])
                try await withWebSockets(port: port, paths: ["/ws/alice", "/ws/bob"]) { sockets in
                    _ = try await sockets[0].next(type: "welcome")
                    _ = try await sockets[1].next(type: "welcome")
                    let connected = try await scrape(client)
                    #expect(connected["gateway_ws_connections"] == 2)
                    sockets[0].send(json: ["message": "counted"])
                    _ = try await sockets[1].next(type: "chat")
                }
                _ = try await client.post("/broadcast", json: #"{"message": "from api"}"#)
                // The first attempt of each delivery fails (500), the retry succeeds.
                let after = try await poll({ try await scrape(client) }) { ($0["gateway_deliveries_total{outcome=\"delivered\"}"] ?? 0) >= 2 }
                func moved(_ series: String) -> Double { (after[series] ?? 0) - (before[series] ?? 0) }
                #expect(after["gateway_ws_connections"] == 0)
                #expect(moved("gateway_ws_connections_opened_total") == 2)
                #expect(moved("gateway_ws_messages_received_total") == 1)
                #expect(moved("gateway_ws_messages_fanned_out_total") >= 2, "the chat and the API broadcast")
                #expect(moved("gateway_ws_frames_sent_total") >= 2)
                #expect(moved("gateway_ws_fanout_duration_seconds_count") == moved("gateway_ws_messages_fanned_out_total"))
                #expect(moved("gateway_events_total{type=\"message-broadcast\"}") == 2)
                #expect(moved("gateway_events_total{type=\"client-connected\"}") == 2)
                #expect(moved("gateway_deliveries_total{outcome=\"retrying\"}") >= 1)
                #expect(moved("gateway_delivery_attempt_duration_seconds_count") >= 3)
                #expect(moved("gateway_journal_fsync_duration_seconds_count") >= 1)
                #expect(after["gateway_webhook_subscriptions"] == 1)
                let buckets = after.keys.filter { $0.hasPrefix("gateway_delivery_attempt_duration_seconds_bucket") }
                #expect(buckets.count >= 10, "a histogram with buckets")
                #expect(after["gateway_delivery_attempt_duration_seconds_bucket{le=\"+Inf\"}"] == after["gateway_delivery_attempt_duration_seconds_count"])
            }
        }
    }

    @Test func swiftMetricsLabelsBecomeValidPrometheusNames() {
        #expect(GatewayMetrics.prometheusName("hb.requests") == "hb_requests")
        #expect(GatewayMetrics.prometheusName("http.request.method") == "http_request_method")
        #expect(GatewayMetrics.prometheusName("a:b_c9") == "a:b_c9")
        #expect(GatewayMetrics.prometheusName("é-x") == "__x")
    }

    private func scrape(_ client: some TestClientProtocol) async throws -> [String: Double] {
        let response = try await client.get("/metrics")
        return try Self.parse(String(buffer: response.body))
    }

    /// Parses the text exposition format: `# HELP`/`# TYPE` comments, then `name{labels} value` lines.
    /// Keys are the series as written (name and labels); a malformed line fails the test.
    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw TestFailure("not a sample line: \(line)")
            }
            let series = String(line[..<space])
            let name = series.prefix { $0 != "{" }
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }), !name.isEmpty else {
                throw TestFailure("invalid metric name: \(series)")
            }
            samples[series] = value
        }
        return samples
    }
}
