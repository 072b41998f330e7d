import Configuration
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The registry's REST API through the real app.
@Suite struct WebhookRoutesTests {
    @Test func createAnswers201WithLocationETagAndTheSecret() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let response = try await client.admin(.post, "/webhooks", json: #"{"url": "https://hooks.example/in", "description": "ci"}"#)
            #expect(response.status == .created)
            let body = response.json
            let id = try #require(body["id"] as? String)
            #expect(id.hasPrefix("wh_"))
            #expect(response.headers[.location] == "/webhooks/\(id)")
            #expect(response.headers[.eTag] == "\"1\"")
            #expect((body["secret"] as? String)?.hasPrefix("whsec_") == true)
            #expect(body["events"] as? [String] == ["*"])
            #expect(body["enabled"] as? Bool == true)
        }
    }

    @Test func getPatchDeleteThenNotFound() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let id = try #require(try await client.createWebhook()["id"] as? String)
            let fetched = try await client.admin(.get, "/webhooks/\(id)")
            #expect(fetched.status == .ok)
            #expect(fetched.json["secret"] == nil)
            let patched = try await client.admin(.patch, "/webhooks/\(id)", json: #"{"events": ["client-connected"], "enabled": false}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["events"] as? [String] == ["client-connected"])
            #expect(patched.json["enabled"] as? Bool == false)
            #expect(patched.headers[.eTag] == "\"2\"")
            #expect(try await client.admin(.delete, "/webhooks/\(id)").status == .noContent)
            let again = try await client.admin(.delete, "/webhooks/\(id)")
            #expect(again.status == .notFound)
            #expect(again.error?.code == "not_found")
            #expect(try await client.admin(.get, "/webhooks/\(id)").status == .notFound)
        }
    }

    @Test func staleIfMatchIs412AndCurrentIfMatchWins() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let id = try #require(try await client.createWebhook()["id"] as? String)
            let first = try await client.admin(.patch, "/webhooks/\(id)", json: #"{"description": "a"}"#, headers: [.ifMatch: "\"1\""])
            #expect(first.status == .ok)
            let stale = try await client.admin(.patch, "/webhooks/\(id)", json: #"{"description": "b"}"#, headers: [.ifMatch: "\"1\""])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.error?.code == "precondition_failed")
            #expect(try await client.admin(.get, "/webhooks/\(id)").json["description"] as? String == "a")
        }
    }

    @Test func listIsPaginatedFilteredAndNeverShowsSecrets() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            var created: [String] = []
            for index in 0..<5 {
                let events = index.isMultiple(of: 2) ? #"["message-broadcast"]"# : #"["client-connected"]"#
                created.append(try #require(try await client.createWebhook(#"{"url": "https://h.example/\#(index)", "events": \#(events)}"#)["id"] as? String))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.admin(.get, "/webhooks?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                let items = try #require(page.json["data"] as? [[String: Any]])
                #expect(items.allSatisfy { $0["secret"] == nil })
                seen += items.compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == created)
            let filtered = try await client.admin(.get, "/webhooks?event=client-connected").json["data"] as? [[String: Any]]
            #expect(filtered?.count == 2)
            #expect(try await client.admin(.get, "/webhooks?limit=0").status == .unprocessableContent)
        }
    }

    @Test func rotationGivesANewSecretAndKeepsTheOldOneWithAnExpiry() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let created = try await client.createWebhook()
            let id = try #require(created["id"] as? String)
            let oldSecret = try #require(created["secret"] as? String)
            let rotated = try await client.admin(.post, "/webhooks/\(id)/rotate-secret")
            #expect(rotated.status == .ok)
            let newSecret = try #require(rotated.json["secret"] as? String)
            #expect(newSecret != oldSecret)
            let previous = try #require(rotated.json["previous_secrets"] as? [[String: Any]])
            #expect(previous.first?["secret"] as? String == oldSecret)
            #expect(previous.first?["expires_at"] is String)
            let secret = try await client.admin(.get, "/webhooks/\(id)/secret")
            #expect(secret.json["secret"] as? String == newSecret)
            let given = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
            let chosen = try await client.admin(.post, "/webhooks/\(id)/rotate-secret", json: #"{"secret": "\#(given)"}"#)
            #expect(chosen.json["secret"] as? String == given)
        }
    }

    @Test func reloadRereadsFilesEditedOnDisk() async throws {
        let dataDir = TestConfig.temporaryDirectory()
        var overrides = TestAdmin.overrides
        overrides["data.dir"] = .string(dataDir)
        try await withLiveApp(overrides) { client, _ in
            let id = try #require(try await client.createWebhook(#"{"url": "https://h.example/a", "description": "before"}"#)["id"] as? String)
            let path = "\(dataDir)/webhooks/\(id).json"
            let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"before\"", with: "\"after\"")
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
            try "{broken".write(toFile: "\(dataDir)/webhooks/wh_broken.json", atomically: true, encoding: .utf8)
            let report = try await client.admin(.post, "/webhooks/reload")
            #expect(report.status == .ok)
            #expect(report.json["loaded"] as? Int == 1)
            #expect((report.json["quarantined"] as? [[String: Any]])?.first?["file"] as? String == "wh_broken.json")
            #expect(try await client.admin(.get, "/webhooks/\(id)").json["description"] as? String == "after")
        }
    }

    @Test func theEventCatalogListsEveryEventWithASchema() async throws {
        try await withLiveApp(TestAdmin.overrides) { client, _ in
            let catalog = try #require(try await client.get("/events").json["data"] as? [[String: Any]])
            let names = catalog.compactMap { $0["name"] as? String }
            for name in ["message-broadcast", "client-connected", "client-disconnected", "server-status", "broadcast-stats", "webhook.test"] {
                #expect(names.contains(name))
            }
            #expect(catalog.allSatisfy { ($0["schema"] as? [String: Any])?["type"] as? String == "object" })
        }
    }

    @Test func twoHundredParallelCreatesGiveTwoHundredFiles() async throws {
        let dataDir = TestConfig.temporaryDirectory()
        var overrides = TestAdmin.overrides
        overrides["data.dir"] = .string(dataDir)
        try await withLiveApp(overrides) { client, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask { _ = try await client.createWebhook(#"{"url": "https://h.example/\#(index)"}"#) }
                }
                try await group.waitForAll()
            }
            let all = try await client.admin(.get, "/webhooks?limit=500").json["data"] as? [[String: Any]]
            #expect(all?.count == 200)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dataDir + "/webhooks").filter { $0.hasSuffix(".json") }
        #expect(files.count == 200)
    }
}
