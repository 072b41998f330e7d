/// A configuration problem that stops start-up: one line naming the key (or file) and the problem.
///
/// The executable prints ``description`` and exits with a non-zero status, so an operator sees
/// `invalid configuration: http.port: must be between 0 and 65535 (got 70000)` and no stack trace.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The configuration key or file the problem is about, for example `http.port`.
    public let key: String
    /// What is wrong with it, in words an operator can act on.
    public let problem: String

    /// Creates an error for a key.
    /// - Parameters:
    ///   - key: The dot-separated configuration key, or the file path for a file-level problem.
    ///   - problem: What is wrong, including the rejected value where that helps.
    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "invalid configuration: \(key): \(problem)" }
}
