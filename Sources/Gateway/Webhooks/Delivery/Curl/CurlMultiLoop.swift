internal import CCurl
import Logging

/// The body of the `gateway.curl` thread: drives every transfer through one curl multi handle.
///
/// Each turn: let libcurl do ready I/O (`curl_multi_perform`), resume the callers of finished
/// transfers, take new submissions and cancellations from the ``CurlInbox``, then block in
/// `curl_multi_poll` until a socket, a libcurl timer or a wake-up needs attention.
///
/// Created on the curl thread and never shared, so it is deliberately not `Sendable`: the table of
/// running transfers and every easy handle are touched by this thread alone, which is what lets
/// ``CurlEasyHandle`` and its callbacks go without locks. At most `maxConcurrentTransfers` handles,
/// and at most `maxHostConnections` per origin (``CurlOriginGate``), are in libcurl at once; the rest
/// wait in the inbox or the gate, because libcurl 7.88 stalls when handed more transfers than it has
/// connections.
final class CurlMultiLoop {
    /// A transfer libcurl is carrying out.
    private struct Running {
        let easy: CurlEasyHandle
        let origin: String
        let waiter: CurlWaiter
        let started: ContinuousClock.Instant
    }

    private let multi: CurlMultiHandle
    private let inbox: CurlInbox
    private let configuration: CurlTransport.Configuration
    private let logger: Logger
    /// Transfers in libcurl, by transfer id.
    private var running: [UInt64: Running] = [:]
    /// Submissions whose origin is at its connection limit, and the per-origin counts.
    private var gate: CurlOriginGate
    /// Easy handles of finished transfers, ready for the next (libcurl's advice: reuse handles).
    /// Bounded by `maxConcurrentTransfers`; **overflow policy: free** the handle.
    private var idleHandles: [CurlEasyHandle] = []
    /// The longest single poll, so a drain deadline is noticed without a libcurl timer.
    private static let maximumPollMilliseconds: Int32 = 1000

    /// A loop over `multi` fed by `inbox`.
    init(multi: CurlMultiHandle, inbox: CurlInbox, configuration: CurlTransport.Configuration, logger: Logger) {
        self.multi = multi
        self.inbox = inbox
        self.configuration = configuration
        self.logger = logger
        self.gate = CurlOriginGate(limit: configuration.maxHostConnections)
    }

    /// Runs until shutdown has drained or aborted every transfer, then marks the inbox stopped.
    func run() {
        let slots = max(1, configuration.maxConcurrentTransfers)
        while true {
            let performed = multi.perform()
            if performed != CURLM_OK {
                logger.error("curl_multi_perform failed", metadata: ["curl.code": "\(performed.rawValue)"])
            }
            finishCompletedTransfers()
            let turn = inbox.takeTurn(freeSlots: slots - running.count, parked: gate.parkedCount)
            for submission in turn.submissions { admit(submission) }
            for id in turn.cancellations { cancel(id) }
            if let deadline = turn.drainDeadline {
                failParked()
                if running.isEmpty || .now >= deadline {
                    abortRunning()
                    break
                }
            }
            if !turn.submissions.isEmpty { continue }
            _ = multi.poll(timeoutMilliseconds: Self.pollTimeout(until: turn.drainDeadline))
        }
        inbox.markExited()
    }

    /// Starts `submission` if its origin has room, or parks it in the gate.
    private func admit(_ submission: CurlSubmission) {
        let origin = CurlOriginGate.origin(of: submission.request.url)
        if gate.admit(submission, origin: origin), !start(submission, origin: origin) { release(origin) }
    }

    /// A transfer of `origin` left libcurl: starts that origin's next parked submission, if any.
    private func release(_ origin: String) {
        while let next = gate.finished(origin: origin) {
            if start(next, origin: origin) { return }
        }
    }

    /// Prepares an easy handle (an idle one, or a new one) for `submission` and adds it to libcurl;
    /// the submission is already counted by the gate.
    ///
    /// - Returns: `false` when that failed; the submission has then been resumed with the error.
    private func start(_ submission: CurlSubmission, origin: String) -> Bool {
        let policy = submission.request.allowsLoopback ? configuration.addressPolicy.allowingLoopback : configuration.addressPolicy
        let easy: CurlEasyHandle
        do {
            easy = try idleHandles.popLast() ?? makeHandle(policy: policy)
            try easy.prepare(for: submission.request, transferID: submission.id, addressPolicy: policy)
        } catch {
            // A handle that failed to prepare is dropped, never reused.
            submission.waiter.resume(throwing: error)
            return false
        }
        guard multi.add(easy) else {
            submission.waiter.resume(throwing: TransportError(.other, "libcurl refused to add the transfer"))
            return false
        }
        running[submission.id] = Running(easy: easy, origin: origin, waiter: submission.waiter, started: .now)
        return true
    }

    /// A new easy handle with the options every transfer shares.
    private func makeHandle(policy: AddressPolicy) throws(TransportError) -> CurlEasyHandle {
        guard let easy = CurlEasyHandle(addressPolicy: policy, maxResponseBytes: configuration.maxResponseBytes) else {
            throw TransportError(.other, "libcurl could not allocate an easy handle")
        }
        try easy.configureShared(userAgent: configuration.userAgent, caFile: configuration.caFile)
        return easy
    }

    /// Keeps the handle of a finished transfer (already removed from libcurl) for the next one.
    private func recycle(_ easy: CurlEasyHandle) {
        guard idleHandles.count < max(1, configuration.maxConcurrentTransfers) else { return }
        // An idle handle keeps no payload: a burst of large bodies must not stay resident.
        easy.releaseBody()
        idleHandles.append(easy)
    }

    /// Resumes the caller of every transfer libcurl reports as done.
    private func finishCompletedTransfers() {
        while let (owner, code) = multi.nextMessage() {
            let easy = CurlEasyHandle.from(owner)
            multi.remove(easy)
            guard let transfer = running.removeValue(forKey: easy.transferID) else { continue }
            let result = easy.outcome(of: code, duration: .now - transfer.started)
            log(transferID: easy.transferID, result)
            transfer.waiter.resume(with: result.mapError { $0 as any Error })
            recycle(easy)
            release(transfer.origin)
        }
    }

    /// Removes a running or parked transfer whose task was cancelled; unknown ids already finished.
    private func cancel(_ id: UInt64) {
        if let parked = gate.removeParked(id: id) {
            parked.waiter.resume(throwing: CancellationError())
            return
        }
        guard let transfer = running.removeValue(forKey: id) else { return }
        multi.remove(transfer.easy)
        logger.debug("webhook transfer cancelled", metadata: ["transfer.id": "\(id)"])
        transfer.waiter.resume(throwing: CancellationError())
        release(transfer.origin)
    }

    /// Shutdown began: parked submissions never started, so they fail now like those in the inbox.
    private func failParked() {
        let error = TransportError(.shutdown, "the transport shut down before the transfer started")
        for submission in gate.removeAllParked() { submission.waiter.resume(throwing: error) }
    }

    /// Ends every transfer still running when the shutdown grace period is over.
    private func abortRunning() {
        if !running.isEmpty {
            logger.info("curl transport aborting transfers at shutdown", metadata: ["transfer.count": "\(running.count)"])
        }
        for (_, transfer) in running {
            multi.remove(transfer.easy)
            let error = TransportError(.shutdown, "the transport shut down before the transfer finished", duration: .now - transfer.started)
            transfer.waiter.resume(throwing: error)
        }
        running.removeAll()
    }

    /// One debug line per finished transfer (the URL is left out: it may carry a secret token).
    private func log(transferID: UInt64, _ result: Result<TransportResponse, TransportError>) {
        guard logger.logLevel <= .debug else { return }
        switch result {
        case .success(let response):
            logger.debug(
                "webhook transfer finished",
                metadata: [
                    "transfer.id": "\(transferID)", "delivery.status": "\(response.statusCode)",
                    "delivery.duration_ms": "\(CurlEasyHandle.milliseconds(response.duration))",
                ]
            )
        case .failure(let error):
            logger.debug(
                "webhook transfer failed",
                metadata: ["transfer.id": "\(transferID)", "delivery.error.kind": "\(error.kind.rawValue)", "delivery.error": "\(error.message)"]
            )
        }
    }

    /// How long the next poll may block: capped, and never past the drain deadline.
    private static func pollTimeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return maximumPollMilliseconds }
        let remaining = CurlEasyHandle.milliseconds(deadline - .now)
        return Int32(clamping: min(remaining, Int(maximumPollMilliseconds)))
    }
}
