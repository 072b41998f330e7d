import Gateway
import Testing

/// The pooled generator behind ids and retry jitter: every word is handed out once, also to many
/// threads at once, and its bits are not stuck.
@Suite struct PooledRandomGeneratorTests {
    @Test func wordsAreNeverHandedOutTwice() {
        var generator = PooledRandomGenerator()
        let words = (0..<10_000).map { _ in generator.next() }
        #expect(Set(words).count == words.count)
    }

    @Test func concurrentDrawsAreAllDistinct() async {
        let drawn = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var generator = PooledRandomGenerator()
                    return (0..<2_000).map { _ in generator.next() }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(drawn.count == 16_000)
        #expect(Set(drawn).count == drawn.count)
    }

    @Test func everyBitTakesBothValues() {
        var generator = PooledRandomGenerator()
        var ones: UInt64 = 0
        var zeros: UInt64 = 0
        for _ in 0..<1_000 {
            let word = generator.next()
            ones |= word
            zeros |= ~word
        }
        #expect(ones == .max)
        #expect(zeros == .max)
    }
}
