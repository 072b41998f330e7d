import Testing

@testable import Gateway

/// The ledger's view of one delivery as the journal's records arrive.
@Suite struct DeliveryLedgerTests {
    private func attempt(_ number: Int, status: Int, error: String = "") -> JournalRecord {
        .attempted(AttemptRecord(deliveryID: "msg_1", attempt: number, at: 0, durationMillis: 1, statusCode: status, error: error, responseSnippet: [], nextAttemptAt: 0))
    }

    @Test func aSuccessfulAttemptClearsTheLastErrorSoARetriedDeliveryShowsNone() {
        var ledger = DeliveryLedger()
        ledger.apply(.enqueued(DeliveryRecord(deliveryID: "msg_1", eventID: "evt_1", subscriptionID: "wh_1", createdAt: 0, nextAttemptAt: 0)))
        ledger.apply(attempt(1, status: 503))
        #expect(ledger.entries["msg_1"]?.lastError == "HTTP 503")
        ledger.apply(attempt(2, status: 0, error: "connection refused"))
        #expect(ledger.entries["msg_1"]?.lastError == "connection refused")
        ledger.apply(attempt(3, status: 200))
        ledger.apply(.delivered(deliveryID: "msg_1", at: 1))
        #expect(ledger.entries["msg_1"]?.lastError == "")
        // POST /deliveries/{id}/retry re-enqueues it: pending again, with no error to show.
        ledger.apply(.enqueued(DeliveryRecord(deliveryID: "msg_1", eventID: "evt_1", subscriptionID: "wh_1", createdAt: 0, attempts: 3, nextAttemptAt: 2)))
        #expect(ledger.entries["msg_1"]?.status == .pending)
        #expect(ledger.entries["msg_1"]?.lastError == "")
    }
}
