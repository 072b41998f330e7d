import Foundation
import Gateway
import Testing

/// Ids are what deliveries, events and subscriptions are found by (and file names): unique, well
/// formed, ordered by creation time, and random in their whole random part.
@Suite struct IdentifierTests {
    @Test func idsAreWellFormedUniqueAndSortByCreationTime() {
        let earlier = Date(timeIntervalSince1970: 1_800_000_000)
        let ids = (0..<20_000).map { Identifier.make(prefix: "msg_", now: earlier.addingTimeInterval(Double($0 / 1000))) }
        #expect(ids.allSatisfy { Identifier.isValid($0, prefix: "msg_") })
        #expect(Set(ids).count == ids.count)
        // Within one millisecond the order is random; across seconds it follows time.
        let firstOfEachSecond = stride(from: 0, to: ids.count, by: 1000).map { ids[$0] }
        #expect(firstOfEachSecond == firstOfEachSecond.sorted())
    }

    @Test func everyRandomCharacterTakesEveryValue() {
        let ids = (0..<2_000).map { _ in Array(Identifier.make(prefix: "").utf8) }
        for position in 10..<26 {
            let seen = Set(ids.map { $0[position] })
            #expect(seen.count == 32, "position \(position) took \(seen.count) of 32 values")
        }
    }
}
