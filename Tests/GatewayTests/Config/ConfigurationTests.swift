import Configuration
import Foundation
import Gateway
import Testing

/// Precedence (flags > GATEWAY_* env > config file > defaults) and clear errors, on the real code path.
@Suite struct ConfigurationTests {
    private func writeFile(_ contents: String) throws -> String {
        let path = TestConfig.temporaryDirectory() + "/gateway.json"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() async throws {
        let file = try writeFile(#"{"http": {"port": 9001, "host": "127.0.0.2"}, "log": {"level": "debug", "format": "json"}}"#)
        let environment = ["GATEWAY_HTTP_PORT": "9002", "GATEWAY_LOG_LEVEL": "error", "HTTP_PORT": "1"]
        let all = try GatewayConfiguration(
            reader: try await ConfigurationSources.reader(flags: ["http.port": .int(9003)], environment: environment, configFile: file)
        )
        #expect(all.http.port == 9003)
        #expect(all.http.host == "127.0.0.2")
        #expect(all.log.level == "error")
        #expect(all.log.format == "json")
        #expect(all.dataDirectory == "data")
        let noFlags = try GatewayConfiguration(reader: try await ConfigurationSources.reader(environment: environment, configFile: file))
        #expect(noFlags.http.port == 9002)
        let fileOnly = try GatewayConfiguration(reader: try await ConfigurationSources.reader(environment: [:], configFile: file))
        #expect(fileOnly.http.port == 9001)
    }

    @Test func defaultsMatchTheSeed() async throws {
        let configuration = try GatewayConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [:])))
        #expect(configuration.http.host == "0.0.0.0")
        #expect(configuration.http.port == 8000)
        #expect(configuration.http.corsAllowOrigin == "*")
        #expect(configuration.broadcast.writeDelay == nil, "every frame is written at once unless an operator trades latency for CPU")
    }

    @Test func aWriteDelayIsReadInMilliseconds() async throws {
        let reader = try await ConfigurationSources.reader(environment: ["GATEWAY_BROADCAST_WRITE_DELAY_MILLISECONDS": "3"], configFile: nil)
        #expect(try GatewayConfiguration(reader: reader).broadcast.writeDelay == .milliseconds(3))
    }

    @Test func theConfigFileCanBeNamedByEnvironment() async throws {
        let file = try writeFile(#"{"http": {"port": 9100}}"#)
        let configuration = try GatewayConfiguration(reader: try await ConfigurationSources.reader(environment: ["GATEWAY_CONFIG": file]))
        #expect(configuration.http.port == 9100)
    }

    @Test func aMalformedFileIsOneClearError() async throws {
        let file = try writeFile(#"{"http": {"port": 9001"#)
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await ConfigurationSources.reader(environment: [:], configFile: file)
        }
        #expect(error?.key == file)
        #expect(error?.problem.contains("not a valid JSON") == true)
    }

    @Test func aNamedFileThatIsMissingIsAnError() async throws {
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await ConfigurationSources.reader(environment: [:], configFile: "/nonexistent/gateway.json")
        }
        #expect(error?.problem == "config file not found")
    }

    @Test(arguments: [
        (["GATEWAY_HTTP_PORT": "abc"], "http.port", "expected an integer"),
        (["GATEWAY_HTTP_PORT": "70000"], "http.port", "must be between 0 and 65535 (got 70000)"),
        (["GATEWAY_LOG_FORMAT": "xml"], "log.format", "must be one of text, json (got xml)"),
        (["GATEWAY_BROADCAST_OUTBOX_FRAMES": "0"], "broadcast.outboxFrames", "must be between"),
        (["GATEWAY_BROADCAST_CLOSE_TIMEOUT_SECONDS": "soon"], "broadcast.closeTimeoutSeconds", "expected a number of seconds"),
        (["GATEWAY_BROADCAST_WRITE_DELAY_MILLISECONDS": "2000"], "broadcast.writeDelayMilliseconds", "must be between 0 and 1000 (got 2000)"),
    ])
    func invalidValuesNameTheKey(environment: [String: String], key: String, problem: String) async throws {
        let reader = try await ConfigurationSources.reader(environment: environment, configFile: nil)
        let error = #expect(throws: ConfigurationError.self) { _ = try GatewayConfiguration(reader: reader) }
        #expect(error?.key == key)
        #expect(error?.problem.hasPrefix(problem) == true)
        #expect(error?.description == "invalid configuration: \(key): \(error?.problem ?? "")")
    }
}
