import Configuration

/// Typed, validating reads over a `ConfigReader`.
///
/// swift-configuration's `int(forKey:default:)` silently falls back to the default when a value is
/// present but unconvertible (`GATEWAY_HTTP_PORT=abc`). A gateway must refuse such a value instead,
/// so every read here distinguishes "absent" (use the default) from "present but wrong" (throw a
/// ``ConfigurationError`` naming the key).
struct ConfigValues {
    let reader: ConfigReader

    /// Reads an integer within `range`.
    func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        let value = try read(key, expected: "an integer") { try reader.requiredInt(forKey: ConfigKey(key)) } ?? defaultValue
        guard range.contains(value) else {
            throw ConfigurationError(key: key, problem: "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))")
        }
        return value
    }

    /// Reads a number of seconds (fractions allowed) within `range`, as a `Duration`.
    func seconds(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Duration {
        let value = try read(key, expected: "a number of seconds") { try reader.requiredDouble(forKey: ConfigKey(key)) } ?? defaultValue
        guard range.contains(value) else {
            throw ConfigurationError(key: key, problem: "must be between \(range.lowerBound) and \(range.upperBound) seconds (got \(value))")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// Reads a string; `allowed`, when given, lists the only accepted values.
    func string(_ key: String, default defaultValue: String, allowed: [String]? = nil, isSecret: Bool = false) throws -> String {
        let value =
            try read(key, expected: "a string") { try reader.requiredString(forKey: ConfigKey(key), isSecret: isSecret) } ?? defaultValue
        if let allowed, !allowed.contains(value) {
            throw ConfigurationError(key: key, problem: "must be one of \(allowed.joined(separator: ", ")) (got \(value))")
        }
        return value
    }

    /// Reads an optional string; absent or empty gives `nil`.
    func optionalString(_ key: String, isSecret: Bool = false) throws -> String? {
        let value = try read(key, expected: "a string") { try reader.requiredString(forKey: ConfigKey(key), isSecret: isSecret) }
        return value?.isEmpty == true ? nil : value
    }

    /// Reads a list of strings (a JSON array, or a comma-separated environment variable).
    func strings(_ key: String, default defaultValue: [String]) throws -> [String] {
        try read(key, expected: "a list of strings") { try reader.requiredStringArray(forKey: ConfigKey(key)) } ?? defaultValue
    }

    /// Reads a Boolean.
    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        try read(key, expected: "true or false") { try reader.requiredBool(forKey: ConfigKey(key)) } ?? defaultValue
    }

    /// Runs a required read and maps "missing" to `nil` and every other failure to a ``ConfigurationError``.
    ///
    /// swift-configuration's error type is `package`-scoped, so the only stable signal for "missing"
    /// is its description; the check lives here and nowhere else.
    private func read<Value>(_ key: String, expected: String, _ body: () throws -> Value) throws -> Value? {
        do {
            return try body()
        } catch {
            if String(describing: error).hasPrefix("Missing required config value") { return nil }
            throw ConfigurationError(key: key, problem: "expected \(expected)")
        }
    }
}
