import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `CurlTransport` against a real in-process Hummingbird receiver on 127.0.0.1 (port 0): what is sent,
/// what comes back, the SSRF guard at connect time, timeouts, load, overload, cancellation and shutdown.
/// Every test has its own receiver and transport, so all run in parallel.
@Suite struct CurlTransportTests {
    @Test func postArrivesWithExactBodyAndHeadersAndResponseIsCaptured() async throws {
        let logs = LogRecorder()
        try await withReceiver(logger: Logger(label: "curl", factory: logs.factory)) { receiver, port, transport in
            let body = #"{"type":"message-broadcast","data":{"message":"héllo"}}"#
            var sent = post(port, "/echo", body: body)
            sent.headers = [("content-type", "application/json"), ("webhook-id", "msg_1"), ("x-empty", "")]
            let response = try await transport.send(sent)
            #expect(response.statusCode == 200)
            #expect(response.body == Array("accepted".utf8))
            #expect(response.headers["etag"] == #""v1""#)
            #expect(response.headers["cache-control"] == "no-store", "the last occurrence wins")
            let received = try #require(try await receiver.received.next())
            #expect(received.body == Array(body.utf8))
            #expect(received.headers[.contentType] == "application/json")
            #expect(received.headers[try #require(HTTPField.Name("webhook-id"))] == "msg_1")
            #expect(received.headers[try #require(HTTPField.Name("x-empty"))] == "")
            #expect(received.headers[.userAgent] == "gateway-tests/1.0")
            #expect(received.headers[.expect] == nil)
            #expect(logs.all.contains { $0.contains("webhook transfer finished") && $0.contains("delivery.status=200") })
        }
    }

    @Test func aLargeBodyIsSentAtOnceWithoutExpectAndHeadersKeepTheirCaseAndEmptyValues() async throws {
        try await withReceiver { receiver, port, transport in
            var sent = post(port, "/echo", body: String(repeating: "b", count: 2 << 20))
            sent.headers = [("X-Mixed-Case", "Value With Spaces"), ("x-empty", ""), ("webhook-id", "msg_large")]
            let response = try await transport.send(sent)
            #expect(response.statusCode == 200)
            let received = try #require(try await receiver.received.next())
            #expect(received.body.count == 2 << 20)
            #expect(received.headers[.expect] == nil, "no 100-continue round trip for a large body")
            #expect(received.headers[try #require(HTTPField.Name("x-mixed-case"))] == "Value With Spaces")
            #expect(received.headers[try #require(HTTPField.Name("x-empty"))] == "")
        }
    }

    @Test func serviceUnavailableIsAResponseWithRetryAfter() async throws {
        try await withReceiver { _, port, transport in
            let response = try await transport.send(post(port, "/unavailable"))
            #expect(response.statusCode == 503 && response.headers["retry-after"] == "7")
        }
    }

    @Test func largeResponseBodyIsTruncatedToTheCaptureLimit() async throws {
        try await withReceiver { _, port, transport in
            let response = try await transport.send(post(port, "/large"))
            #expect(response.statusCode == 200 && response.body == Array(repeating: UInt8(ascii: "a"), count: 4096))
        }
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await withReceiver { receiver, port, transport in
            let redirect = try await transport.send(post(port, "/redirect", body: "original"))
            #expect(redirect.statusCode == 302)
            #expect(redirect.headers["location"] == "/echo")
            _ = try await transport.send(post(port, "/echo", body: "marker"))
            #expect(try await receiver.received.next()?.path == "/redirect")
            #expect(try await receiver.received.next()?.body == Array("marker".utf8), "nothing followed the redirect")
        }
    }

    @Test func loopbackIsRefusedBeforeConnectingUnlessAllowListed() async throws {
        let refusing = configuration { $0.addressPolicy = AddressPolicy() }
        try await withReceiver { receiver, port, allowingTransport throws in
            let transport = CurlTransport(configuration: refusing, logger: quietLogger)
            let refused = await transportError { try await transport.send(post(port, "/echo", body: "blocked")) }
            #expect(refused?.kind == .blockedAddress)
            #expect(refused?.message == "127.0.0.1 is a loopback address (127.0.0.0/8); add it to webhooks.allowedNetworks to allow it")
            let ipv6 = await transportError { try await transport.send(post(port, "/echo", host: "[::1]")) }
            #expect(ipv6?.kind == .blockedAddress && ipv6?.message.hasPrefix("::1 is a loopback address") == true)
            await transport.shutdown()
            #expect(try await allowingTransport.send(post(port, "/echo", body: "allowed")).statusCode == 200)
            #expect(try await receiver.received.next()?.body == Array("allowed".utf8), "the refused request never arrived")
        }
    }

    @Test func silentReceiverTimesOutWhileAFastRequestCompletes() async throws {
        let (silent, silentPort) = try boundPort(listening: true)
        defer { close(silent) }
        try await withReceiver { receiver, port, transport in
            async let held = Outcome { try await transport.send(post(port, "/hang")) }
            _ = try await receiver.hangArrived.next()
            async let slow = transportError { try await transport.send(post(silentPort, "/", timeout: .milliseconds(300))) }
            // `held` cannot finish before the release below, so no transfer waits for a hanging one.
            #expect(try await transport.send(post(port, "/echo")).statusCode == 200)
            let error = await slow
            #expect(error?.kind == .timedOut)
            #expect(error.map { $0.duration >= .milliseconds(290) && $0.duration < .seconds(10) } == true, "ended by the total timeout")
            receiver.release.push(())
            #expect(await held == .status(200))
        }
    }

    @Test func twoHundredConcurrentSendsAllComplete() async throws {
        try await withReceiver { _, port, transport in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 { group.addTask { try await transport.send(post(port, "/echo", body: "\(index)")).statusCode } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 200))
        }
    }

    @Test func refusedConnectionIsConnectionFailedAndAHeaderWithALineBreakIsRefused() async throws {
        let (descriptor, port) = try boundPort(listening: false)
        defer { close(descriptor) }
        try await withReceiver { _, _, transport in
            let refused = await transportError { try await transport.send(post(port, "/echo")) }
            #expect(refused?.kind == .connectionFailed && refused?.message.contains("curl error 7") == true)
            var smuggling = post(port, "/echo")
            smuggling.headers = [("x-note", "a\r\nx-injected: 1")]
            #expect(await transportError { try await transport.send(smuggling) }?.kind == .other, "refused before anything is sent")
            smuggling.headers = [("x-note", "cut\0here")]
            #expect(await transportError { try await transport.send(smuggling) }?.kind == .other, "NUL too")
            var badURL = post(port, "/echo")
            badURL.url += "\nx"
            #expect(await transportError { try await transport.send(badURL) }?.kind == .other, "and in the URL")
            var unicode = post(port, "/echo")
            unicode.headers = [("x-note", "café ✓ \u{2028}")]
            #expect(await transportError { try await transport.send(unicode) }?.kind == .connectionFailed, "other characters pass validation")
        }
    }

    @Test func fullInboxRefusesAtOnceWithOverloaded() async throws {
        try await withReceiver(configuration { ($0.maxConcurrentTransfers, $0.inboxCapacity) = (1, 1) }) { receiver, port, transport in
            let outcomes = TestMailbox<Outcome>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { outcomes.push(await Outcome { try await transport.send(post(port, "/hang")) }) }
                _ = try await receiver.hangArrived.next()
                // The only transfer slot is taken, so of these two one waits in the inbox and one is refused.
                for _ in 0..<2 { group.addTask { outcomes.push(await Outcome { try await transport.send(post(port, "/echo")) }) } }
                #expect(try await outcomes.next() == .failure(.overloaded))
                receiver.release.push(())
                #expect(try await outcomes.next() == .status(200))
                #expect(try await outcomes.next() == .status(200))
            }
        }
    }

    @Test func transfersBeyondAnOriginsConnectionLimitWaitWithoutBlockingOtherOrigins() async throws {
        try await withReceiver(configuration { $0.maxHostConnections = 1 }) { receiver, port, transport in
            let outcomes = TestMailbox<Outcome>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { outcomes.push(await Outcome { try await transport.send(post(port, "/hang")) }) }
                _ = try await receiver.hangArrived.next()
                group.addTask { outcomes.push(await Outcome { try await transport.send(post(port, "/echo", body: "waits")) }) }
                // `localhost` is another origin for the limit, though it reaches the same receiver.
                #expect(try await transport.send(post(port, "/echo", host: "localhost", body: "passes")).statusCode == 200)
                #expect(try await receiver.received.next()?.body == Array("passes".utf8))
                receiver.release.push(())
                #expect(try await outcomes.next() == .status(200))
                #expect(try await outcomes.next() == .status(200))
            }
        }
    }

    @Test func cancellingASendRemovesTheTransferPromptly() async throws {
        try await withReceiver { receiver, port, transport in
            try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask { await Outcome { try await transport.send(post(port, "/hang")) } }
                _ = try await receiver.hangArrived.next()
                group.cancelAll()
                #expect(try await group.next() == .error("CancellationError()"))
            }
            receiver.release.push(())
            #expect(try await transport.send(post(port, "/echo")).statusCode == 200, "the transport still works")
        }
    }

    @Test func shutdownFailsQueuedAndNewSendsAndAbortsRunningAfterGrace() async throws {
        try await withReceiver(configuration { $0.maxConcurrentTransfers = 1 }) { receiver, port, transport in
            let outcomes = TestMailbox<Outcome>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { outcomes.push(await Outcome { try await transport.send(post(port, "/hang")) }) }
                _ = try await receiver.hangArrived.next()
                group.addTask { outcomes.push(await Outcome { try await transport.send(post(port, "/echo")) }) }
                group.addTask { await transport.shutdown(gracePeriod: .milliseconds(200)) }
                #expect(try await outcomes.next() == .failure(.shutdown), "queued or refused")
                #expect(try await outcomes.next() == .failure(.shutdown), "running, aborted after the grace period")
            }
            #expect(await Outcome { try await transport.send(post(port, "/echo")) } == .failure(.shutdown))
            receiver.release.push(())
        }
    }
}

/// A logger that drops everything, for tests that do not look at logs.
private let quietLogger = Logger(label: "curl-transport-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// The configuration the tests use (loopback allowed), adjusted by `change`.
private func configuration(_ change: (inout CurlTransport.Configuration) -> Void = { _ in }) -> CurlTransport.Configuration {
    var configuration = CurlTransport.Configuration(userAgent: "gateway-tests/1.0")
    configuration.addressPolicy = AddressPolicy(allowedNetworks: [CIDR("127.0.0.0/8")].compactMap { $0 })
    change(&configuration)
    return configuration
}

/// Runs `body` with a fresh receiver, its port and a fresh transport; then shuts the transport down
/// (at once if `body` threw) and stops the receiver.
private func withReceiver(
    _ configuration: CurlTransport.Configuration = configuration(),
    logger: Logger = quietLogger,
    _ body: @escaping @Sendable (TestReceiver, Int, CurlTransport) async throws -> Void
) async throws {
    let receiver = TestReceiver()
    try await receiver.run { port in
        let transport = CurlTransport(configuration: configuration, logger: logger)
        do {
            try await body(receiver, port, transport)
            await transport.shutdown(gracePeriod: .seconds(5))
        } catch {
            await transport.shutdown(gracePeriod: .zero)
            throw error
        }
    }
}

/// A POST of `body` to `path` on the receiver at `host:port`.
private func post(_ port: Int, _ path: String, host: String = "127.0.0.1", body: String = "", timeout: Duration = .seconds(30)) -> TransportRequest {
    TransportRequest(url: "http://\(host):\(port)\(path)", headers: [], body: Array(body.utf8), connectTimeout: .seconds(5), totalTimeout: timeout)
}

/// The ``TransportError`` that `operation` throws (recording an issue if it returns or throws another error).
private func transportError(_ operation: () async throws -> TransportResponse) async -> TransportError? {
    do {
        Issue.record("expected a TransportError, got HTTP \(try await operation().statusCode)")
    } catch {
        if let error = error as? TransportError { return error }
        Issue.record("expected a TransportError, got \(error)")
    }
    return nil
}

/// What one send ended with, comparable in `#expect`.
private enum Outcome: Equatable, Sendable {
    case status(Int)
    case failure(TransportError.Kind)
    /// Any other error, e.g. `CancellationError()`.
    case error(String)

    init(_ operation: () async throws -> TransportResponse) async {
        do {
            self = .status(try await operation().statusCode)
        } catch {
            self = (error as? TransportError).map { .failure($0.kind) } ?? .error("\(error)")
        }
    }
}

/// A request as the receiver saw it.
private struct ReceivedRequest: Sendable { let path: String, headers: HTTPFields, body: [UInt8] }

/// An in-process Hummingbird receiver on 127.0.0.1, port 0, with one route per behaviour under test.
private struct TestReceiver {
    /// `/echo` and `/redirect` requests, in arrival order.
    let received = TestMailbox<ReceivedRequest>()
    /// One element per request that reached `/hang`.
    let hangArrived = TestMailbox<Void>()
    /// Each element lets one `/hang` request answer 200 (tests push one before they end).
    let release = TestMailbox<Void>()

    /// Starts the receiver, runs `body` with its port, and stops it.
    func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        var echoHeaders: HTTPFields = [.contentType: "text/plain", .eTag: #""v1""#, .cacheControl: "no-cache"]
        echoHeaders.append(HTTPField(name: .cacheControl, value: "no-store"))
        let echo = Response(status: .ok, headers: echoHeaders, body: .init(byteBuffer: ByteBuffer(string: "accepted")))
        router.post("echo") { request, _ -> Response in try await record(request, "/echo", answer: echo) }
        let redirect = Response(status: .found, headers: [.location: "/echo"])
        router.post("redirect") { request, _ -> Response in try await record(request, "/redirect", answer: redirect) }
        router.post("unavailable") { _, _ in Response(status: .serviceUnavailable, headers: [.retryAfter: "7"]) }
        router.post("large") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "a"), count: 10_000))) }
        router.post("hang") { _, _ -> Response in
            hangArrived.push(())
            _ = try await release.next(within: .seconds(60))
            return Response(status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    /// Pushes `request` with its whole body into ``received`` and returns `answer`.
    private func record(_ request: Request, _ path: String, answer: Response) async throws -> Response {
        let body = try await request.body.collect(upTo: 4 << 20)
        received.push(ReceivedRequest(path: path, headers: request.headers, body: Array(body.readableBytesView)))
        return answer
    }
}

/// Binds a TCP socket to a free port on 127.0.0.1 that no other test can take while the returned
/// descriptor is open. Not `listening`, connections are refused; listening, they are accepted by the
/// kernel and never answered.
private func boundPort(listening: Bool) throws -> (descriptor: Int32, port: Int) {
    let descriptor = socket(AF_INET, 1, 0)  // 1 is SOCK_STREAM, which Glibc and Darwin import with different types
    var address = sockaddr_in()
    (address.sin_family, address.sin_addr.s_addr) = (sa_family_t(AF_INET), UInt32(0x7F00_0001).bigEndian)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
    }
    try #require(descriptor >= 0 && bound && (!listening || listen(descriptor, 8) == 0), "could not bind a port on 127.0.0.1")
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
}
