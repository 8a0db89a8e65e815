import CurlHTTP
import Foundation

/// Pure rendering: a match and its receiver become the exact request to send.
public enum Renderer {
    /// The request for `match` through `receiver`. Body precedence: a CloudEvents `format`, then
    /// `body`, then `body_text`, then the preset's message, then (generic receivers) jobhook's own
    /// event document. Rendering cannot fail: every template was parsed when the config was loaded.
    public static func render(match: Match, receiver: Receiver, context: TemplateContext) -> RenderedRequest {
        let object = context.value.mustacheObject ?? [String: Any]()
        var headers = receiver.headers.map { header in
            HTTPHeader(header.name, stripLineBreaks(header.value.render(object: object)))
        }
        if let mode = receiver.cloudEvents {
            let event = CloudEvent.render(context, mode: mode)
            headers += event.headers
            return RenderedRequest(method: receiver.method, url: receiver.url.reveal, headers: headers,
                                   body: Data(event.body.utf8), contentType: event.contentType)
        }
        let body: String
        if let template = receiver.body {
            body = template.render(object: object)
        } else if let template = receiver.bodyText {
            body = template.render(object: object)
        } else if receiver.preset.sendsMessage {
            body = PresetBody.render(receiver: receiver, object: object)
        } else {
            body = EventDocument.render(context)
        }
        return RenderedRequest(method: receiver.method, url: receiver.url.reveal, headers: headers, body: Data(body.utf8), contentType: receiver.contentType)
    }

    /// Builds the context from the config, then renders; nil when the match names no known receiver.
    public static func render(match: Match, config: Config) -> RenderedRequest? {
        guard let receiver = config.receiver(named: match.receiverName) else { return nil }
        return render(match: match, receiver: receiver, context: context(for: match, config: config))
    }

    public static func context(for match: Match, config: Config) -> TemplateContext {
        TemplateContext(match: match, eventID: match.eventID, config: config)
    }

    /// A templated value must not smuggle in another header (or end the header block).
    static func stripLineBreaks(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
    }
}
