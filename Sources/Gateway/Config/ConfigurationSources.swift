public import Configuration
import SystemPackage

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds the provider hierarchy: flags > `GATEWAY_*` environment > JSON config file > defaults.
///
/// The executable maps its parsed flags to keys (``flagKeys``) and calls ``reader(flags:environment:configFile:)``;
/// tests call the same function with an in-memory environment and a temp file, so precedence is
/// tested on the real code path.
public enum ConfigurationSources {
    /// The config file read when neither `--config` nor `GATEWAY_CONFIG` names one; it may be absent.
    public static let defaultConfigFile = "config/gateway.json"

    /// Creates the reader.
    /// - Parameters:
    ///   - flags: Values given on the command line, by configuration key (`http.port`, …).
    ///   - environment: The process environment; only `GATEWAY_*` variables are read.
    ///   - configFile: The file named by `--config`; `nil` falls back to `GATEWAY_CONFIG`, then to
    ///     ``defaultConfigFile``, which alone may be missing.
    /// - Throws: ``ConfigurationError`` when the file is missing (when named explicitly) or is not valid JSON.
    public static func reader(
        flags: [String: ConfigContent] = [:],
        environment: [String: String],
        configFile: String? = nil
    ) async throws -> ConfigReader {
        let explicitFile = configFile ?? environment["GATEWAY_CONFIG"]
        let path = explicitFile ?? defaultConfigFile
        let file = try await loadFile(path, required: explicitFile != nil)
        let gatewayEnvironment = environment.filter { $0.key.hasPrefix("GATEWAY_") }
        return ConfigReader(providers: [
            inMemory(flags, name: "flags"),
            EnvironmentVariablesProvider(environmentVariables: gatewayEnvironment).prefixKeys(with: "gateway"),
            file,
        ])
    }

    /// A provider for values given in code, keyed like the config file (`http.port`): flags,
    /// benchmarks and tests use it.
    public static func inMemory(_ values: [String: ConfigContent], name: String? = nil) -> InMemoryProvider {
        InMemoryProvider(name: name, values: Dictionary(uniqueKeysWithValues: values.map { (AbsoluteConfigKey(ConfigKey($0.key)), ConfigValue($0.value, isSecret: false)) }))
    }

    /// Reads the JSON file, turning a missing or malformed file into one clear line.
    private static func loadFile(_ path: String, required: Bool) async throws -> any ConfigProvider {
        if !required, !FileManager.default.fileExists(atPath: path) {
            return InMemoryProvider(name: "no config file", values: [:])
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(key: path, problem: "config file not found")
        }
        do {
            return try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
        } catch {
            throw ConfigurationError(key: path, problem: "not a valid JSON config file (\(error))")
        }
    }
}
