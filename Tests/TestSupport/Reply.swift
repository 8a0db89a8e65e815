public import CurlHTTP
public import Foundation

/// What the loopback server does with one request: a script step, not a full HTTP model.
public indirect enum Reply: Sendable, Hashable {
    /// A complete response with Content-Length framing; the connection stays open (keep-alive)
    /// unless the request asked for `Connection: close`.
    case respond(status: Int = 200, headers: [HTTPHeader] = [], body: Data = Data())
    /// Waits, then does `then`. The wait ends early when the server stops.
    case delay(Duration, then: Reply)
    /// Declares `declaredLength` bytes, sends only `body`, then closes: a response cut off mid-way.
    case truncated(status: Int = 200, declaredLength: Int, body: Data = Data())
    /// A response without Content-Length whose body ends when the server closes the connection
    /// (HTTP/1.0 style): the client cannot know the size in advance.
    case unframed(status: Int = 200, headers: [HTTPHeader] = [], body: Data)
    /// Reads the request and never answers (until the client gives up or the server stops).
    case hang
    /// Closes the connection without answering.
    case close
    /// Sends these bytes as they are (no status line unless they hold one), then closes: an HTTP/0.9
    /// reply or another protocol on the port.
    case raw(Data)

    /// A `text/plain` response.
    public static func text(_ text: String, status: Int = 200, headers: [HTTPHeader] = []) -> Reply {
        .respond(status: status, headers: [HTTPHeader("Content-Type", "text/plain; charset=utf-8")] + headers, body: Data(text.utf8))
    }

    /// An `application/json` response from JSON text, e.g. `.json(#"{"code":0}"#)`.
    public static func json(_ json: String, status: Int = 200, headers: [HTTPHeader] = []) -> Reply {
        .respond(status: status, headers: [HTTPHeader("Content-Type", "application/json")] + headers, body: Data(json.utf8))
    }

    /// An empty response with this status.
    public static func status(_ status: Int, headers: [HTTPHeader] = []) -> Reply {
        .respond(status: status, headers: headers)
    }
}
