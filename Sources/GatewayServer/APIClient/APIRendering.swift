import Gateway

/// The human (table) form of each REST answer. Pure functions of the server's JSON: the field names are
/// the contract's (`Sources/Gateway/API/openapi.json`); a field the server adds later still shows in the
/// key/value views, after the known ones.
enum APIRendering {
    /// `GET /health` and `GET /health/ready` together.
    static func health(_ value: JSONValue) -> String {
        let health = value["health"] ?? .null
        let ready = value["ready"] ?? .null
        let checks = ready["checks"]?.members.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.text)" }.joined(separator: ", ")
        return TextTable.keyValues([
            ("status", health["status"]?.text),
            ("ready", ready["status"].map { status in checks.map { "\(status.text) (\($0))" } ?? status.text }),
            ("connections", health["active_connections"]?.text),
            ("server time", health["timestamp"]?.text),
        ])
    }

    /// `GET /stats`: the hub's figures, then the webhook figures as `webhooks.*`.
    static func stats(_ value: JSONValue) -> String {
        keyValues(value, first: [
            "active_connections", "total_messages_sent", "uptime_seconds", "frames_sent", "messages_received", "messages_dropped",
            "clients_evicted", "total_connections_created", "connections_refused",
        ])
    }

    /// `GET /info`: start time and counters, then one row per connected client.
    static func info(_ value: JSONValue) -> String {
        let summary = TextTable.keyValues([
            ("start_time", value["start_time"]?.text), ("total_connections_created", value["total_connections_created"]?.text),
            ("clients", String(value["clients"]?.array.count ?? 0)),
        ])
        let clients = value["clients"]?.array ?? []
        guard !clients.isEmpty else { return summary }
        let rows = clients.map { cells($0, ["client_id", "connected_at", "messages_in", "messages_out", "queued_frames"]) }
        return summary + "\n" + TextTable(headers: ["CLIENT", "CONNECTED", "IN", "OUT", "QUEUED"], rows: rows).render()
    }

    /// `GET /events`: the event catalog.
    static func events(_ value: JSONValue) -> String {
        let rows = (value["data"]?.array ?? []).map { cells($0, ["name", "description"]) }
        return TextTable(headers: ["EVENT", "DESCRIPTION"], rows: rows, maxCellWidth: 90).render()
    }

    /// `POST /broadcast`: `Message sent to 2 clients at 2026-…`.
    static func broadcast(_ value: JSONValue) -> String {
        "\(value["message"]?.text ?? "sent") at \(value["timestamp"]?.text ?? "-")\n"
    }

    /// `GET /webhooks`: one row per subscription, and how to get the next page.
    static func webhookPage(_ value: JSONValue) -> String {
        let data = value["data"]?.array ?? []
        guard !data.isEmpty else { return "no webhooks\n" }
        let rows = data.map { webhook in
            [
                webhook["id"]?.text ?? "", webhook["url"]?.text ?? "", webhook["events"]?.text ?? "",
                enabled(webhook), webhook["description"]?.text ?? "",
            ]
        }
        return TextTable(headers: ["ID", "URL", "EVENTS", "ENABLED", "DESCRIPTION"], rows: rows, maxCellWidth: 40).render()
            + nextPage(value)
    }

    /// One subscription (with its secret after a create).
    static func webhook(_ value: JSONValue) -> String {
        keyValues(value, first: ["id", "url", "events", "enabled", "disabled_reason", "description", "secret", "headers", "metadata", "delivery"])
    }

    /// `GET /webhooks/{id}/secret` and the rotation's answer: the current secret and those still signing.
    static func secret(_ value: JSONValue) -> String {
        var pairs: [(key: String, value: String?)] = [("secret", value["secret"]?.text)]
        for previous in value["previous_secrets"]?.array ?? [] {
            pairs.append(("previous", "\(previous["secret"]?.text ?? "?") (signs until \(previous["expires_at"]?.text ?? "?"))"))
        }
        return TextTable.keyValues(pairs)
    }

    /// A delivery list (`GET /deliveries`, `GET /webhooks/{id}/deliveries`), newest first.
    static func deliveryPage(_ value: JSONValue) -> String {
        let data = value["data"]?.array ?? []
        guard !data.isEmpty else { return "no deliveries\n" }
        let rows = data.map { delivery in
            cells(delivery, ["id", "event_type", "subscription_id", "status", "attempts"])
                + [lastOutcome(delivery), delivery["created_at"]?.text ?? ""]
        }
        return TextTable(headers: ["ID", "EVENT", "WEBHOOK", "STATUS", "ATTEMPTS", "LAST", "CREATED"], rows: rows).render() + nextPage(value)
    }

    /// `GET /deliveries/{id}`: the delivery, its attempts, and the exact payload sent.
    static func delivery(_ value: JSONValue) -> String {
        var summary = value.members
        let attempts = summary.removeValue(forKey: "attempts")?.array ?? []
        let payload = summary.removeValue(forKey: "payload")
        var text = keyValues(.object(summary), first: ["id", "status", "event_id", "event_type", "subscription_id", "created_at"])
        if !attempts.isEmpty {
            let rows = attempts.map { attempt in
                cells(attempt, ["attempt", "at"]) + [attempt["status_code"]?.text ?? "-", attempt["duration_ms"]?.text ?? "",
                    attempt["error"]?.text ?? attempt["response"]?.text ?? ""]
            }
            text += "\nattempts:\n" + TextTable(headers: ["#", "AT", "STATUS", "MS", "ERROR / RESPONSE"], rows: rows).render()
        }
        if let payload { text += "\npayload:\n" + (payload.string ?? payload.prettyJSON) + "\n" }
        return text
    }

    /// A delivery summary (the answer to a retry).
    static func deliverySummary(_ value: JSONValue) -> String {
        keyValues(value, first: ["id", "status", "event_id", "event_type", "subscription_id", "attempts"])
    }

    /// `POST /webhooks/{id}/test`: the event and the delivery to follow.
    static func testDelivery(_ value: JSONValue) -> String {
        TextTable.keyValues([("event_id", value["event_id"]?.text), ("delivery_id", value["delivery_id"]?.text)])
            + "follow it with: gateway api deliveries get \(value["delivery_id"]?.text ?? "ID")\n"
    }

    /// `POST /webhooks/{id}/replay`.
    static func replay(_ value: JSONValue) -> String {
        let queued = value["queued"]?.int ?? 0
        return "queued \(queued) \(queued == 1 ? "delivery" : "deliveries")\n"
    }

    /// An object as key/value lines: `first` in that order, then the rest sorted; nested objects flatten
    /// to `parent.child` keys, other values print as ``JSONValue/text``.
    static func keyValues(_ value: JSONValue, first: [String]) -> String {
        let members = value.members
        let rest = members.keys.filter { !first.contains($0) }.sorted()
        var pairs: [(key: String, value: String?)] = []
        for key in first + rest {
            guard let member = members[key] else { continue }
            if case .object(let nested) = member, !nested.isEmpty, key != "headers", key != "metadata" {
                for (child, value) in nested.sorted(by: { $0.key < $1.key }) { pairs.append(("\(key).\(child)", value.text)) }
            } else {
                pairs.append((key, member.text))
            }
        }
        return TextTable.keyValues(pairs)
    }

    private static func cells(_ value: JSONValue, _ keys: [String]) -> [String] {
        keys.map { value[$0]?.text ?? "" }
    }

    private static func enabled(_ webhook: JSONValue) -> String {
        if webhook["enabled"] == .bool(true) { return "yes" }
        return webhook["disabled_reason"]?.string.map { "no (\($0))" } ?? "no"
    }

    private static func lastOutcome(_ delivery: JSONValue) -> String {
        if let code = delivery["last_status_code"]?.int { return "HTTP \(code)" }
        return delivery["last_error"]?.text ?? "-"
    }

    private static func nextPage(_ value: JSONValue) -> String {
        value["next_cursor"]?.string.map { "more: --cursor \($0)\n" } ?? ""
    }
}
