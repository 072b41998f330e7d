import Hummingbird

extension APIError {
    /// Maps the webhook domain's error to a status: 404, 422 naming the field, 412, 503 for storage.
    init(_ error: WebhookError) {
        switch error.kind {
        case .notFound: self.init(.notFound, code: "not_found", message: error.message)
        case .invalidField: self.init(.unprocessableContent, code: "invalid_field", message: error.message)
        case .limitReached: self.init(.unprocessableContent, code: "limit_reached", message: error.message)
        case .revisionMismatch: self.init(.preconditionFailed, code: "precondition_failed", message: error.message)
        case .storageFailure: self.init(.serviceUnavailable, code: "storage_unavailable", message: error.message)
        }
    }
}
