public import CurlHTTP
public import Foundation

/// The exact request one delivery sends, fixed at routing time so every retry sends the same bytes.
/// Codable because the delivery queue persists it. Per-attempt headers (`webhook-timestamp`,
/// signatures, `User-Agent`) are added by the delivery, not stored here.
public struct RenderedRequest: Sendable, Hashable, Codable, CustomStringConvertible {
    public var method: String
    /// The full URL, credential included: log `WebhookURL.redact(url)` instead.
    public var url: String
    /// Templated receiver headers, CR/LF removed. Content-Type is not among them: send `contentType`.
    public var headers: [HTTPHeader]
    public var body: Data?
    public var contentType: String

    public init(method: String = "POST", url: String, headers: [HTTPHeader] = [], body: Data? = nil, contentType: String = "application/json") {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.contentType = contentType
    }

    /// Never shows the URL's credential.
    public var description: String {
        "\(method) \(WebhookURL.redact(url)) (\(contentType), \(body?.count ?? 0) bytes)"
    }

    private enum CodingKeys: String, CodingKey {
        case method, url, headers, body, contentType
    }

    /// HTTPHeader (CurlHTTP) is not Codable; headers are stored as `[[name, value]]`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decode(String.self, forKey: .method)
        url = try container.decode(String.self, forKey: .url)
        let pairs = try container.decode([[String]].self, forKey: .headers)
        headers = try pairs.map { pair in
            guard pair.count == 2 else {
                throw DecodingError.dataCorruptedError(forKey: .headers, in: container, debugDescription: "a header is [name, value]")
            }
            return HTTPHeader(pair[0], pair[1])
        }
        body = try container.decodeIfPresent(Data.self, forKey: .body)
        contentType = try container.decode(String.self, forKey: .contentType)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(method, forKey: .method)
        try container.encode(url, forKey: .url)
        try container.encode(headers.map { [$0.name, $0.value] }, forKey: .headers)
        try container.encodeIfPresent(body, forKey: .body)
        try container.encode(contentType, forKey: .contentType)
    }
}
