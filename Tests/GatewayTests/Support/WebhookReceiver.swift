import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP receiver on 127.0.0.1 port 0, in process: records every webhook request and answers
/// per path as a test scripts it (statuses, Retry-After, a dropped connection, a hang).
final class WebhookReceiver: Sendable {
    /// One received request.
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        /// When the receiver got it.
        var at = ContinuousClock.now
    }

    /// How a path answers; a script is consumed in order, then `.status(200)` forever.
    enum Answer: Sendable {
        case status(Int, headers: [String: String] = [:])
        /// Close the TCP connection without answering.
        case dropConnection
        /// Never answer (until the receiver stops).
        case hang
    }

    let requests = TestMailbox<Received>()
    private let scripts = Mutex<[String: [Answer]]>([:])
    private let all = Mutex<[Received]>([])

    /// Everything received so far.
    var received: [Received] { all.withLock { $0 } }

    /// Scripts the answers of `path`.
    func script(_ path: String, _ answers: [Answer]) { scripts.withLock { $0[path] = answers } }

    /// Starts the receiver, runs `body` with its port, stops it.
    func run<Value: Sendable>(_ body: @Sendable (Int) async throws -> Value) async throws -> Value {
        let router = Router(context: ReceiverContext.self)
        router.post("**") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 22)
            let path = request.uri.path
            let entry = Received(
                path: path,
                headers: Dictionary(request.headers.map { ($0.name.canonicalName.lowercased(), $0.value) }) { $1 },
                body: Array(bytes.readableBytesView)
            )
            self.all.withLock { $0.append(entry) }
            self.requests.push(entry)
            switch self.next(for: path) {
            case .status(let code, let headers):
                var fields = HTTPFields()
                for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
                return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(string: "answer \(code)")))
            case .dropConnection:
                try await context.channel.close()
                throw CancellationError()
            case .hang:
                // Answer only when the receiver shuts down (its server's graceful shutdown reaches every handler).
                try? await gracefulShutdown()
                return Response(status: .serviceUnavailable)
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: silentLogger)
        return try await app.test(.live) { client in try await body(client.port!) }
    }

    private func next(for path: String) -> Answer {
        scripts.withLock { scripts in
            guard var queue = scripts[path], !queue.isEmpty else { return .status(200) }
            let answer = queue.removeFirst()
            scripts[path] = queue
            return answer
        }
    }
}

/// The receiver's request context: it needs the channel to drop a connection on purpose.
struct ReceiverContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
