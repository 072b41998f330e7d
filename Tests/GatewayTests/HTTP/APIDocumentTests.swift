import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Gateway

/// The OpenAPI document: served, parseable, complete (every route the router serves is in it and
/// every operation in it is served), with the webhooks section; and the two documentation pages.
@Suite struct APIDocumentTests {
    @Test func theDocumentIsServedWithTheBuildVersionServerAndWebhooks() async throws {
        try await withLiveApp(["http.publicURL": .string("https://gateway.example")]) { client, _ in
            let response = try await client.get("/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let document = response.json
            #expect(document["openapi"] as? String == "3.1.0")
            #expect((document["info"] as? [String: Any])?["version"] as? String == GatewayVersion.current)
            #expect(((document["servers"] as? [[String: Any]])?.first)?["url"] as? String == "https://gateway.example")
            let webhooks = document["webhooks"] as? [String: [String: Any]] ?? [:]
            #expect(Set(webhooks.keys) == Set(WebhookEventType.all.map(\.name)))
            let shared = (document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
            for (name, item) in webhooks {
                let parameters = ((item["post"] as? [String: Any])?["parameters"] as? [[String: Any]] ?? []).compactMap { parameter in
                    let resolved = (parameter["$ref"] as? String).flatMap { shared[String($0.split(separator: "/").last ?? "")] } ?? parameter
                    return resolved["name"] as? String
                }
                #expect(Set(parameters).isSuperset(of: ["webhook-id", "webhook-timestamp", "webhook-signature"]), "\(name)")
            }
            #expect(document["x-websocket"] is [String: Any])
        }
    }

    @Test func everyServedRouteIsDocumentedAndEveryDocumentedOperationIsServed() async throws {
        let configuration = try GatewayConfiguration(reader: TestConfig.reader())
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let webhooks = try await WebhookStack(configuration: configuration, logger: logger)
        let hub = BroadcastHub(configuration: configuration.broadcast, events: webhooks.dispatcher, logger: logger)
        let token = try AdminToken.load(configured: "documented-token", dataDirectory: configuration.dataDirectory)
        let router = buildRouter(configuration: configuration, hub: hub, webhooks: webhooks, token: token, logger: logger)
        try await webhooks.registry.shutdown()
        await webhooks.transport.shutdown(gracePeriod: .zero)

        // The WebSocket routes are described by the `x-websocket` extension, not as paths.
        let served = Set(router.routes.map { "\($0.method) \($0.path)" }.filter { !$0.hasPrefix("GET /ws") })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(APIDocument.bytes)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        let documented = Set(paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(served.count > 15)
    }

    @Test func theDocumentationPagesLoadTheirAssetsFromTheConfiguredBase() async throws {
        try await withLiveApp(["http.docsAssetsURL": .string("https://assets.example/npm/")]) { client, _ in
            let docs = try await client.get("/docs")
            #expect(docs.status == .ok)
            #expect(docs.headers[.contentType]?.hasPrefix("text/html") == true)
            let swagger = String(buffer: docs.body)
            #expect(swagger.contains(#"src="https://assets.example/npm/swagger-ui-dist@5/swagger-ui-bundle.js""#))
            #expect(swagger.contains(#"url: "/openapi.json""#))
            let redoc = String(buffer: try await client.get("/redoc").body)
            #expect(redoc.contains(#"<redoc spec-url="/openapi.json">"#))
            #expect(redoc.contains(#"src="https://assets.example/npm/redoc@2/bundles/redoc.standalone.js""#))
        }
    }

    @Test func theEventCatalogTakesItsSchemasFromTheDocument() async throws {
        try await withLiveApp { client, _ in
            let catalog = try await client.get("/events").json["data"] as? [[String: Any]] ?? []
            #expect(catalog.count == WebhookEventType.all.count)
            let broadcast = try #require(catalog.first { $0["name"] as? String == "message-broadcast" })
            let schema = broadcast["schema"] as? [String: Any]
            #expect(Set(schema?["required"] as? [String] ?? []) == ["message", "sender", "message_type", "source", "recipients", "timestamp"])
            #expect(catalog.allSatisfy { (($0["schema"] as? [String: Any])?["properties"] as? [String: Any])?.isEmpty == false })
        }
    }
}
