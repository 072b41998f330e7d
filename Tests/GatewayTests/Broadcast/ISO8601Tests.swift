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

    /// What Foundation prints for the whole seconds, with the milliseconds appended as the gateway
    /// rounds them (before 1582-10-15 Foundation's Gregorian calendar turns Julian; a gateway's times are later).
    private func foundation(_ millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        return whole.dropLast() + String(format: ".%03dZ", Int(millis - seconds * 1000))
    }

    @Test func printingAgreesWithFoundationsISO8601StyleFrom1583To9999() {
        // Leap-year rules (1600, 1900, 2000, 2100), the edges of 1970 and of 9999, and random instants.
        let edges: [Int64] = [
            -12_212_553_600_000, -11_676_096_000_001, -11_676_096_000_000, -2_208_988_800_000, -1, 0, 951_782_399_999, 951_782_400_000,
            951_868_800_000, 4_107_455_999_999, 4_107_542_400_000, 253_402_300_799_999,
        ]
        var random = SplitMix64(seed: 20_261_130)  // the same instants in every run
        let instants = edges + (0..<2_000).map { _ in Int64.random(in: -12_212_553_600_000...253_402_300_799_999, using: &random) }
        for millis in instants {
            #expect(ISO8601.string(from: Date(timeIntervalSince1970: Double(millis) / 1000)) == foundation(millis), "at \(millis) ms")
        }
    }

    @Test(arguments: [-62_135_596_800.0, -12_212_553_600.001, 253_402_300_799.9995, 253_402_300_800, 1e13, -1e13])
    func datesOutsideThoseYearsArePrintedByFoundation(seconds: Double) {
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: seconds)) == foundation(Int64((seconds * 1000).rounded())))
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

/// A seeded generator (SplitMix64), so that a property test checks the same cases in every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
