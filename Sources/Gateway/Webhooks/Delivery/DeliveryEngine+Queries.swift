#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DeliveryEngine {
    /// A subscription's deliveries, newest first, after `cursor`, optionally of one status.
    public func deliveries(subscriptionID: String?, status: DeliverySummary.Status?, cursor: String?, limit: Int) -> DeliveryPage {
        let ids: [String]
        if let subscriptionID {
            ids = ledger.deliveries(of: subscriptionID)
        } else {
            ids = ledger.entries.keys.sorted(by: >)
        }
        var items: [DeliverySummary] = []
        var next: String?
        for id in ids where cursor.map({ id < $0 }) ?? true {
            guard let item = try? summary(id) else { continue }
            if let status, item.status != status { continue }
            guard items.count < limit else {
                next = items.last?.id
                break
            }
            items.append(item)
        }
        return DeliveryPage(items: items, nextCursor: next)
    }

    /// One delivery with its payload and attempts.
    public func delivery(id: String) throws -> DeliveryDetail {
        guard let entry = ledger.entries[id] else { throw WebhookError.notFound("delivery", id: id) }
        let attempts = entry.attempts.map { attempt in
            AttemptView(
                attempt: attempt.attempt, at: Date(epochMillis: attempt.at), statusCode: attempt.statusCode == 0 ? nil : attempt.statusCode,
                durationMillis: attempt.durationMillis, error: attempt.error.isEmpty ? nil : attempt.error,
                response: String(decoding: attempt.responseSnippet, as: UTF8.self)
            )
        }
        return DeliveryDetail(summary: try summary(id), payload: ledger.events[entry.record.eventID]?.payload ?? [], attempts: attempts)
    }

    /// The list form of one delivery.
    func summary(_ id: String) throws -> DeliverySummary {
        guard let entry = ledger.entries[id] else { throw WebhookError.notFound("delivery", id: id) }
        let last = entry.attempts.last
        let status: DeliverySummary.Status =
            switch entry.status {
            case .delivered: .delivered
            case .dead: .dead
            case .pending: entry.attemptCount > entry.attemptBase ? .failed : .pending
            }
        return DeliverySummary(
            id: id, eventID: entry.record.eventID, eventType: ledger.events[entry.record.eventID]?.type ?? "",
            subscriptionID: entry.record.subscriptionID, status: status, attempts: entry.attemptCount,
            createdAt: Date(epochMillis: entry.record.createdAt), lastAttemptAt: last.map { Date(epochMillis: $0.at) },
            nextAttemptAt: entry.status == .pending ? Date(epochMillis: entry.record.nextAttemptAt) : nil,
            lastStatusCode: last.flatMap { $0.statusCode == 0 ? nil : $0.statusCode },
            lastError: entry.status == .delivered || entry.lastError.isEmpty ? nil : entry.lastError,
            lastDurationMillis: last?.durationMillis
        )
    }
}
