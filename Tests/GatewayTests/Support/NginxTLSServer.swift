import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real HTTPS + HTTP/2 receiver for the transport's TLS tests: nginx (Debian's `nginx-light`,
/// installed by `.ci/run`) on 127.0.0.1 with a certificate for `127.0.0.1` signed by a throw-away CA
/// that `openssl` makes in a temp directory. It answers 204 to everything and logs, per request,
/// the protocol and the connection serial number, so a test can see HTTP/2 and multiplexing.
final class NginxTLSServer: Sendable {
    /// Whether nginx and openssl are installed (`.ci/run` installs both).
    static let isAvailable = ["/usr/sbin/nginx", "/usr/bin/openssl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    let directory: String
    let port: Int
    /// The PEM of the CA that signed the server's certificate (for `deliveries.caFile`).
    var caFile: String { directory + "/ca.pem" }
    private let process: Process

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-nginx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/temp", withIntermediateDirectories: true)
        try await Self.makeCertificates(in: directory)
        port = try Self.freePort()
        let configuration = """
            daemon off; master_process off; worker_processes 1; pid \(directory)/nginx.pid; error_log \(directory)/error.log;
            events { worker_connections 256; }
            http {
              log_format probe '$server_protocol $connection $request_method $request_uri';
              access_log \(directory)/access.log probe;
              client_body_temp_path \(directory)/temp/body; proxy_temp_path \(directory)/temp/proxy;
              fastcgi_temp_path \(directory)/temp/fastcgi; uwsgi_temp_path \(directory)/temp/uwsgi; scgi_temp_path \(directory)/temp/scgi;
              server {
                listen 127.0.0.1:\(port) ssl http2;
                ssl_certificate \(directory)/server.pem; ssl_certificate_key \(directory)/server.key;
                location / { return 204; }
              }
            }
            """
        try configuration.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", directory, "-c", directory + "/nginx.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until nginx accepts connections (bounded).
    func waitUntilListening(within limit: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + limit
        while !Self.accepts(port: port) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TestFailure("nginx did not start: \((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "")")
            }
            // nginx gives no readiness signal but its port accepting connections: poll it, bounded by the deadline.
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The access log: one `(protocol, connection serial)` per request, in order.
    func requests() -> [(protocol: String, connection: Int)] {
        let text = (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let connection = Int(fields[1]) else { return nil }
            return (String(fields[0]), connection)
        }
    }

    /// Kills nginx: SIGKILL, because a child spawned from a Swift process can inherit a signal mask
    /// that blocks SIGTERM (nginx then never exits).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The CA and the server's key and certificate, by `openssl` (waited for without blocking a thread of
    /// the cooperative pool: two RSA keys can take a second on a loaded machine).
    private static func makeCertificates(in directory: String) async throws {
        let steps = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=gateway test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2",
             "-extfile", "san.ext"],
        ]
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        for arguments in steps {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = arguments
            openssl.currentDirectoryURL = URL(fileURLWithPath: directory)
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            guard try await openssl.runToEnd() == 0 else { throw TestFailure("openssl \(arguments[0]) failed") }
        }
    }

    /// A port on 127.0.0.1 that was free a moment ago (nginx cannot bind port 0 and report it).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, 1, 0)  // SOCK_STREAM
        defer { close(descriptor) }
        var address = sockaddr_in()
        (address.sin_family, address.sin_addr.s_addr) = (sa_family_t(AF_INET), UInt32(0x7F00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound else { throw TestFailure("could not bind a port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, 1, 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        (address.sin_family, address.sin_port, address.sin_addr.s_addr) = (sa_family_t(AF_INET), UInt16(port).bigEndian, UInt32(0x7F00_0001).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

extension Process {
    /// Runs the process to its end and returns its status, without blocking a thread: the termination
    /// handler resumes the caller.
    func runToEnd() async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try run()
            } catch {
                terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
