import Gateway
import Logging
import Testing

/// `CurlTransport` over HTTPS to a real nginx on 127.0.0.1: certificates are verified (a private CA
/// only with `deliveries.caFile`), and HTTP/2 is used and multiplexed where the server offers it.
@Suite(.enabled(if: NginxTLSServer.isAvailable, "needs nginx and openssl; .ci/run installs them"))
struct TLSDeliveryTests {
    @Test func anUnknownCAIsRefusedAndTheConfiguredCAIsTrusted() async throws {
        try await withNginx { server in
            let untrusting = CurlTransport(configuration: loopbackConfiguration(caFile: nil), logger: silentLogger)
            defer { Task { await untrusting.shutdown() } }
            do {
                let response = try await untrusting.send(request(server.port))
                Issue.record("a server signed by an unknown CA answered: HTTP \(response.statusCode)")
            } catch let error as TransportError {
                #expect(error.kind == .connectionFailed)
                #expect(error.message.lowercased().contains("certificate"), "\(error.message)")
            }
            let trusting = CurlTransport(configuration: loopbackConfiguration(caFile: server.caFile), logger: silentLogger)
            let response = try await trusting.send(request(server.port))
            #expect(response.statusCode == 204)
            await trusting.shutdown()
            #expect(server.requests().count == 1, "the refused attempt never reached the server")
        }
    }

    @Test func requestsToAnHTTP2ServerAreMultiplexedOverOneConnection() async throws {
        try await withNginx { server in
            let transport = CurlTransport(configuration: loopbackConfiguration(caFile: server.caFile), logger: silentLogger)
            // The first request learns (by ALPN) that the server speaks HTTP/2; the next ones share its connection.
            #expect(try await transport.send(request(server.port)).statusCode == 204)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 { group.addTask { try await transport.send(request(server.port)).statusCode } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            await transport.shutdown()
            #expect(statuses == Array(repeating: 204, count: 40))
            let requests = server.requests()
            #expect(requests.count == 41)
            #expect(requests.allSatisfy { $0.protocol == "HTTP/2.0" })
            let connections = Set(requests.map(\.connection))
            #expect(connections.count <= 2, "41 requests used \(connections.count) connections")
        }
    }
}

private func withNginx(_ body: (NginxTLSServer) async throws -> Void) async throws {
    let server = try await NginxTLSServer()
    defer { server.stop() }
    try await server.waitUntilListening()
    try await body(server)
}

private func loopbackConfiguration(caFile: String?) -> CurlTransport.Configuration {
    CurlTransport.Configuration(
        userAgent: "gateway-tests/1.0", addressPolicy: AddressPolicy(allowedNetworks: [CIDR("127.0.0.0/8")].compactMap { $0 }), caFile: caFile
    )
}

private func request(_ port: Int) -> TransportRequest {
    TransportRequest(
        url: "https://127.0.0.1:\(port)/hook", headers: [("content-type", "application/json")], body: Array(#"{"type":"webhook.test"}"#.utf8),
        connectTimeout: .seconds(5), totalTimeout: .seconds(15)
    )
}
