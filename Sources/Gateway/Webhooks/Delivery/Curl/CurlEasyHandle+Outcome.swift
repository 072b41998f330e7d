internal import CCurl

/// How a finished transfer becomes a ``TransportResponse`` or a ``TransportError``.
extension CurlEasyHandle {
    /// The result of the transfer that libcurl finished with `code`.
    ///
    /// Any HTTP status is a response (the engine decides what a 503 means). Failures map to a
    /// ``TransportError/Kind``: the SSRF guard's refusal → `.blockedAddress` with its message; timeout
    /// → `.timedOut`; DNS, connect, TLS and broken-connection codes → `.connectionFailed`; the rest
    /// → `.other`. Every failure message carries libcurl's code, summary and error-buffer detail.
    ///
    /// - Parameters:
    ///   - code: The `CURLcode` from `curl_multi_info_read`.
    ///   - duration: From adding the transfer to the multi handle until it finished.
    func outcome(of code: CURLcode, duration: Duration) -> Result<TransportResponse, TransportError> {
        let status = info(long: CURLINFO_RESPONSE_CODE)
        // An HTTP/2 receiver may answer before reading the whole body and then reset the stream with
        // NO_ERROR (RFC 9113 §8.1): the answer stands. libcurl 7.88 (Debian 12) reports this as error 92;
        // later versions as success. Any other failure, or no final status, stays a failure.
        let answeredThenReset = code == CURLE_HTTP2_STREAM && status >= 200
        guard code == CURLE_OK || answeredThenReset else {
            return .failure(failure(of: code, duration: duration))
        }
        return .success(TransportResponse(statusCode: status, headers: responseHeaders, body: responseBody, duration: duration))
    }

    /// The ``TransportError`` for a failed `code`.
    func failure(of code: CURLcode, duration: Duration) -> TransportError {
        var message = "curl error \(code.rawValue): \(String(cString: curl_easy_strerror(code)))"
        let detail = errorDetail
        if !detail.isEmpty { message += " (\(detail))" }
        if code == CURLE_COULDNT_CONNECT, let refusal {
            // Only a refusal when no allowed address was tried; otherwise the connect itself failed.
            guard openedSockets > 0 else { return TransportError(.blockedAddress, refusal, duration: duration) }
            message += "; also refused: \(refusal)"
        }
        return TransportError(Self.kind(of: code), message, duration: duration)
    }

    /// The error kind for a libcurl failure code other than a refusal.
    static func kind(of code: CURLcode) -> TransportError.Kind {
        if code == CURLE_OPERATION_TIMEDOUT { return .timedOut }
        return connectionFailureCodes.contains(code.rawValue) ? .connectionFailed : .other
    }

    /// Codes meaning the receiver could not be reached or the connection broke: DNS, connect, send and
    /// receive errors, an empty reply, a cut-short body, HTTP/2 framing errors, and every TLS failure.
    static let connectionFailureCodes: Set<CURLcode.RawValue> = Set(
        [
            CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT,
        ].map(\.rawValue)
    )
}
