import Dispatch
import Synchronization

import Foundation

/// One thing the user did at the terminal.
enum UserInput: Sendable, Equatable {
    case line(String)
    /// Standard input ended (Ctrl-D, or the end of a pipe).
    case endOfInput
    /// The first Ctrl-C (a second one exits at once with 130).
    case interrupt
}

/// Standard input, read on a dedicated thread (a blocking `readLine` must not hold a cooperative
/// thread), and Ctrl-C, delivered as one ``events`` stream.
///
/// Bounded with backpressure, not by dropping: the reader thread takes a credit before each line
/// and the consumer returns it with ``consumed()``, so at most ``capacity`` lines wait; beyond that the
/// thread stops reading and a writer piping into us blocks. The stream's buffer has room for those
/// lines plus the end of input and one interrupt, so it never drops.
struct TerminalInput: Sendable {
    /// Lines read ahead of the consumer, at most.
    static let capacity = 64

    let events: AsyncStream<UserInput>
    private let credits: DispatchSemaphore

    /// Starts the reader thread and the Ctrl-C handler. Keep the returned signal source alive for
    /// as long as Ctrl-C should quit cleanly.
    static func start() -> (TerminalInput, any DispatchSourceSignal) {
        let (events, continuation) = AsyncStream<UserInput>.makeStream(bufferingPolicy: .bufferingOldest(capacity + 2))
        // Starts at 0 and is raised to `capacity`: libdispatch traps when a semaphore is released
        // below its initial value, which this one (credits in flight) may well be at exit.
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<capacity { credits.signal() }
        Thread.detachNewThread {
            while true {
                credits.wait()
                guard let line = readLine(strippingNewline: true) else {
                    continuation.yield(.endOfInput)
                    return
                }
                continuation.yield(.line(line))
            }
        }
        let presses = InterruptCount()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if presses.count.add(1, ordering: .relaxed).newValue == 1 {
                continuation.yield(.interrupt)
            } else {
                exit(130)
            }
        }
        source.resume()
        return (TerminalInput(events: events, credits: credits), source)
    }

    /// The consumer is done with one line: the reader may read another.
    func consumed() {
        credits.signal()
    }

    /// How many times Ctrl-C was pressed.
    private final class InterruptCount: Sendable {
        let count = Atomic<Int>(0)
    }
}
