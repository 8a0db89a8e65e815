public import CurlHTTP
public import Foundation

/// One attempt of one delivery: the stored request plus the per-attempt headers, sent once and
/// classified. Shared by the dispatcher, `jobhook send-test` and `jobhook test --send`, so all three
/// send exactly what production sends.
public enum DeliveryAttempt {
    public static func send(
        _ delivery: Delivery, to target: DeliveryTarget, http: any HTTPClient, now: @Sendable () -> Date = { Date() }
    ) async -> Outcome {
        await exchange(delivery, to: target, http: http, now: now).outcome
    }

    /// Like `send`, and also hands back the receiver's answer (for `send-test`, which prints it).
    public static func exchange(
        _ delivery: Delivery, to target: DeliveryTarget, http: any HTTPClient, now: @Sendable () -> Date = { Date() }
    ) async -> (outcome: Outcome, response: HTTPResponse?) {
        let request = httpRequest(for: delivery, target: target, at: now())
        // The reason becomes `last_error`, a log field and CLI output: never with a secret in it.
        let redactor = target.redactor.adding(Redactor.secrets(of: request))
        do {
            let response = try await http.send(request)
            return (target.classify(response, now()).redacted(by: redactor), response)
        } catch {
            return (Outcome.classify(error).redacted(by: redactor), nil)
        }
    }

    /// What goes on the wire: `User-Agent`, `webhook-id`, `webhook-timestamp`, then the receiver's
    /// signatures, computed afresh for this attempt.
    public static func httpRequest(for delivery: Delivery, target: DeliveryTarget, at date: Date) -> HTTPRequest {
        var request = HTTPRequest(
            method: delivery.request.method, url: delivery.request.url, headers: delivery.request.headers,
            body: delivery.request.body, timeout: target.timeout, maxResponseBytes: 256 << 10)
        if delivery.request.body != nil, request.header("Content-Type") == nil {
            request.headers.append(HTTPHeader("Content-Type", delivery.request.contentType))
        }
        request.headers.append(HTTPHeader("User-Agent", "jobhook/\(JobhookVersion.current)"))
        request.headers.append(HTTPHeader("webhook-id", delivery.id))
        request.headers.append(HTTPHeader("webhook-timestamp", String(Int(date.timeIntervalSince1970))))
        target.prepare(&request, delivery.id, date)
        return request
    }
}
