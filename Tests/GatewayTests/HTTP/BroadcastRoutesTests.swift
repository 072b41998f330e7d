import HTTPTypes
import Configuration
import Gateway
import HummingbirdTesting
import NIOCore
import Testing

/// The seed's REST routes, through the real router.
@Suite struct BroadcastRoutesTests {
    @Test func broadcastReachesEveryClientAsApiBroadcast() async throws {
        try await withLiveApp { client, port in
            try await withWebSockets(port: port, paths: ["/ws", "/ws", "/ws"]) { sockets in
                for socket in sockets { _ = try await socket.next(type: "welcome") }
                let response = try await client.post("/broadcast", json: #"{"message": "from the API"}"#)
                #expect(response.status == .ok)
                #expect(response.json["recipients"] as? Int == 3)
                #expect(response.json["status"] as? String == "success")
                for socket in sockets {
                    let message = try await socket.next()
                    #expect(message["message"] == "from the API")
                    #expect(message["message_type"] == "api_broadcast")
                    #expect(message["sender"] == "API")
                }
            }
        }
    }

    @Test func broadcastWithNoClientIsStillASuccess() async throws {
        try await withLiveApp { client, _ in
            let response = try await client.post("/broadcast", json: #"{"message": "anyone?", "sender": "ops", "message_type": "broadcast"}"#)
            #expect(response.status == .ok)
            #expect(response.json["recipients"] as? Int == 0)
        }
    }

    @Test func specificBroadcastReachesExactlyTheChosenClients() async throws {
        try await withLiveApp { client, port in
            try await withWebSockets(port: port, paths: ["/ws/a", "/ws/b", "/ws/c"]) { sockets in
                for socket in sockets { _ = try await socket.next(type: "welcome") }
                let byID = try await client.post("/broadcast/specific", json: #"{"message": "to a and c", "client_ids": ["a", "c", "zz"]}"#)
                #expect(byID.json["recipients"] as? Int == 2)
                #expect(try await sockets[0].next()["message"] == "to a and c")
                #expect(try await sockets[2].next()["message"] == "to a and c")
                // client_indices count in connection order, which /info lists.
                let order = try #require(try await client.get("/info").json["clients"] as? [[String: Any]]).compactMap { $0["client_id"] as? String }
                let indexOfB = try #require(order.firstIndex(of: "b"))
                let byIndex = try await client.post("/broadcast/specific", json: #"{"message": "to b", "client_indices": [\#(indexOfB)]}"#)
                #expect(byIndex.json["recipients"] as? Int == 1)
                #expect(try await sockets[1].next()["message"] == "to b")
                _ = try await client.post("/broadcast", json: #"{"message": "marker"}"#)
                #expect(try await sockets[0].next()["message"] == "marker")
                #expect(try await sockets[2].next()["message"] == "marker")
            }
        }
    }

    @Test func healthStatsAndInfoReportTheHub() async throws {
        try await withLiveApp { client, port in
            try await withWebSockets(port: port, paths: ["/ws/watcher"]) { sockets in
                _ = try await sockets[0].next(type: "welcome")
                sockets[0].send(json: ["message": "hi"])
                _ = try await sockets[0].next()
                #expect(try await client.get("/health").json["status"] as? String == "healthy")
                let stats = try await client.get("/stats").json
                for key in ["active_connections", "total_messages_sent", "uptime_seconds", "messages_received", "messages_dropped", "clients_evicted"] {
                    #expect(stats[key] != nil, "missing \(key)")
                }
                #expect(stats["active_connections"] as? Int == 1)
                #expect(stats["messages_received"] as? Int == 1)
                let info = try await client.get("/info").json
                #expect(info["total_connections_created"] as? Int == 1)
                #expect(info["start_time"] is String)
                let clients = try #require(info["clients"] as? [[String: Any]])
                #expect(clients.first?["client_id"] as? String == "watcher")
                #expect(clients.first?["messages_in"] as? Int == 1)
            }
        }
    }

    @Test func theBrowserPageIsServedAtTheRoot() async throws {
        try await withLiveApp { client, _ in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("<title>"))
            #expect(try await client.get("/app.js").headers[.contentType]?.contains("javascript") == true)
        }
    }
}
