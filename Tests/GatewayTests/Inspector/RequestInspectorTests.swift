import Foundation
import Testing

@testable import Gateway

/// The request bin's rules as a pure value: bounds and their overflow policies, expiry, signature checks.
@Suite struct RequestInspectorTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test func signaturesAreCheckedWithTheBinsSecret() throws {
        let inspector = RequestInspector()
        let signed = inspector.create(secret: Self.secret)
        let unsigned = inspector.create(secret: nil)
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let good = try WebhookSigner.signature(secret: Self.secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        func headers(_ signature: String) -> [(name: String, value: String)] {
            [("Webhook-Id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", "1614265330"), ("webhook-signature", signature)]
        }
        #expect(inspector.record(binID: signed.id, method: "POST", headers: headers("v1,bogus " + good), body: body)?.signature == .valid)
        #expect(inspector.record(binID: signed.id, method: "POST", headers: headers("v1,bogus"), body: body)?.signature == .invalid)
        #expect(inspector.record(binID: signed.id, method: "POST", headers: [], body: body)?.signature == .missing)
        #expect(inspector.record(binID: unsigned.id, method: "POST", headers: headers(good), body: body)?.signature == .unchecked)
        #expect(inspector.record(binID: "bin_unknown", method: "POST", headers: [], body: body) == nil)
        let detail = try #require(inspector.bin(id: signed.id))
        #expect(detail.requests.map(\.signature) == [.missing, .invalid, .valid], "newest first")
        #expect(detail.requests.last?.headers["webhook-id"] == "msg_p5jXN8AQM9LWM0D4loKWxJek", "names are lower-cased")
        #expect(detail.requests.last?.body == #"{"test": 2432232314}"#)
    }

    @Test func boundsDropTheOldestRequestAndTheLeastRecentlyUsedBin() throws {
        var limits = RequestInspector.Limits()
        (limits.maxBins, limits.maxRequestsPerBin) = (2, 3)
        let inspector = RequestInspector(limits: limits)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let first = inspector.create(secret: nil, now: start)
        let second = inspector.create(secret: nil, now: start.addingTimeInterval(1))
        for index in 0..<5 {
            _ = inspector.record(binID: first.id, method: "POST", headers: [], body: Array("\(index)".utf8), now: start.addingTimeInterval(2))
        }
        let kept = try #require(inspector.bin(id: first.id, now: start.addingTimeInterval(3)))
        #expect(kept.requests.map(\.body) == ["4", "3", "2"])
        #expect(kept.bin.requestCount == 5)
        // `second` is now the least recently used: a third bin replaces it.
        let third = inspector.create(secret: nil, now: start.addingTimeInterval(4))
        #expect(Set(inspector.list(now: start.addingTimeInterval(4)).map(\.id)) == [first.id, third.id])
        #expect(inspector.bin(id: second.id, now: start.addingTimeInterval(4)) == nil)
    }

    @Test func aBinExpiresAnHourAfterItsLastRequest() {
        let inspector = RequestInspector()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let bin = inspector.create(secret: nil, now: start)
        _ = inspector.record(binID: bin.id, method: "POST", headers: [], body: [], now: start.addingTimeInterval(3000))
        #expect(inspector.bin(id: bin.id, now: start.addingTimeInterval(6500)) != nil)
        #expect(inspector.bin(id: bin.id, now: start.addingTimeInterval(6601)) == nil)
        #expect(inspector.record(binID: bin.id, method: "POST", headers: [], body: [], now: start.addingTimeInterval(6602)) == nil)
    }

    @Test func onlyThisGatewaysOwnBinURLsAreInspectorURLs() {
        let address = InspectorAddress()
        #expect(!address.isInspectorURL("http://127.0.0.1:8000/inspect/bin_01ABC"), "unknown until the server listens")
        address.serverListening(on: 8000)
        #expect(address.isInspectorURL("http://127.0.0.1:8000/inspect/bin_01ABC"))
        #expect(address.isInspectorURL("http://localhost:8000/inspect/bin_01ABC"))
        #expect(address.isInspectorURL("http://[::1]:8000/inspect/bin_01ABC"))
        for other in [
            "http://127.0.0.1:8001/inspect/bin_01ABC", "http://127.0.0.1:8000/webhooks", "http://127.0.0.1:8000/inspect/bin_01ABC/x",
            "http://127.0.0.1:8000/inspect/../webhooks", "http://127.0.0.1:8000/inspect/bin_01ABC?x=1", "https://127.0.0.1:8000/inspect/bin_01ABC",
            "http://10.0.0.1:8000/inspect/bin_01ABC", "http://user@127.0.0.1:8000/inspect/bin_01ABC", "http://127.0.0.1/inspect/bin_01ABC",
            "http://127.0.0.1:8000/inspect/notabin",
        ] {
            #expect(!address.isInspectorURL(other), "\(other)")
        }
    }
}
