/// A first-in-first-out queue of submissions with removal by id, for ``CurlInbox``.
///
/// An array with a moving head: `popFirst` is O(1) amortised instead of `removeFirst`'s O(n), which
/// matters when thousands wait and the curl thread takes one at a time as slots free up. Removal by
/// id (cancellation, rare) leaves a hole that `popFirst` skips. The bound lives in ``CurlInbox``.
struct CurlSubmissionQueue {
    /// Slots from `head` on; `nil` marks a removed submission.
    private var slots: [CurlSubmission?] = []
    /// Index of the first slot not yet taken.
    private var head = 0
    /// Submissions waiting (holes not counted).
    private(set) var count = 0

    /// Adds `submission` at the end.
    mutating func append(_ submission: CurlSubmission) {
        slots.append(submission)
        count += 1
    }

    /// Removes and returns up to `limit` submissions from the front, oldest first.
    mutating func popFirst(_ limit: Int) -> [CurlSubmission] {
        var taken: [CurlSubmission] = []
        while taken.count < limit, head < slots.count {
            if let submission = slots[head] {
                taken.append(submission)
                count -= 1
            }
            slots[head] = nil
            head += 1
        }
        compact()
        return taken
    }

    /// Removes the submission with `id`, if it is still waiting.
    mutating func remove(id: UInt64) -> CurlSubmission? {
        guard let index = slots[head...].firstIndex(where: { $0?.id == id }), let submission = slots[index] else { return nil }
        slots[index] = nil
        count -= 1
        return submission
    }

    /// Removes and returns every waiting submission, oldest first.
    mutating func removeAll() -> [CurlSubmission] {
        let all = slots[head...].compactMap { $0 }
        self = CurlSubmissionQueue()
        return all
    }

    /// Drops taken slots once they are at least half the array, keeping appends amortised O(1).
    private mutating func compact() {
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
    }
}
