import Foundation
import Gateway
import Testing

/// Timestamps: printed rounded to the millisecond (stable across a store-and-reload in ms), read strictly as RFC 3339.
@Suite struct ISO8601Tests {
    @Test func printingRoundsToTheMillisecondSoATimeReloadedFromMillisecondsPrintsTheSame() {
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 1_700_000_000.6239999)) == "2023-11-14T22:13:20.624Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 1_700_000_000.9996)) == "2023-11-14T22:13:21.000Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        for millis in stride(from: Int64(1_764_406_642_000), to: 1_764_406_643_000, by: 7) {
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            #expect(epochMillis(date) == millis)
            #expect(ISO8601.string(from: date).hasSuffix(String(format: ".%03dZ", Int(millis % 1000))))
        }
    }

    @Test(arguments: ["2026-11-29T08:37:22Z", "2026-11-29t08:37:22z", "2026-11-29T08:37:22.5Z", "2026-11-29T09:37:22+01:00", "2026-11-29T08:37:22.123456Z"])
    func validRFC3339IsRead(text: String) throws {
        let date = try #require(ISO8601.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - 1_795_941_442) < 1)
    }

    @Test(arguments: ["2024-01-01T12:99:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00",
        "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+0100", "yesterday", "", "2024-01-01T00:00:00Z trailing"])
    func invalidTimestampsAreRefused(text: String) {
        #expect(ISO8601.date(from: text) == nil)
    }
}
