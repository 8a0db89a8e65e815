public import CurlHTTP

extension Redactor {
    /// The credentials one request carries: its URL's credential parts and the values of its
    /// credential headers (rendered, so a templated `Authorization` is known too).
    public static func secrets(of request: HTTPRequest) -> [String] {
        secretParts(ofURL: request.url) + request.headers.filter { isCredentialHeader($0.name) }.map { credential(inHeaderValue: $0.value) }
    }

    /// `Bearer abc` → `abc` (the scheme word is no secret, and stays readable); else the whole value.
    static func credential(inHeaderValue value: String) -> String {
        guard let space = value.firstIndex(of: " ") else { return value }
        return String(value[value.index(after: space)...])
    }
}

extension Outcome {
    /// The same outcome, its reason shown through `redactor`.
    public func redacted(by redactor: Redactor) -> Outcome {
        switch self {
        case .delivered: self
        case .retryable(let reason, let retryAfter, let receiverDown):
            .retryable(reason: redactor.text(reason), retryAfter: retryAfter, receiverDown: receiverDown)
        case .permanent(let reason): .permanent(reason: redactor.text(reason))
        }
    }
}
