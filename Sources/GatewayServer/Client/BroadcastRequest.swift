import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `POST /broadcast` for the demo's REST round trip, through URLSession (libcurl on Linux).
struct BroadcastRequest {
    /// The hub's answer.
    struct Answer {
        /// The HTTP status.
        var status: Int
        /// `recipients` of a 200.
        var recipients: Int?
        /// `error.message` of an error body, as the CLI shows it.
        var error: String?
    }

    let url: String
    let timeout: Duration

    /// Sends `{"message": message}` and reads the answer.
    func send(message: String) async throws -> Answer {
        guard let target = URL(string: url) else { throw URLError(.badURL) }
        var request = URLRequest(url: target, timeoutInterval: Double(timeout.components.seconds) + 1)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["message": message])
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let error = (body?["error"] as? [String: Any])?["message"] as? String
        return Answer(status: status, recipients: body?["recipients"] as? Int, error: error)
    }
}
