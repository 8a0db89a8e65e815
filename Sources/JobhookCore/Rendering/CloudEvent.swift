import CurlHTTP
import Foundation

/// A change as a CloudEvents 1.0 event, the format Knative Eventing, Argo Events and cloud event
/// buses consume (SPEC § CloudEvents). The attributes come from the template context, so they agree
/// with what templates and the event document say; `data` is the event document itself.
///
/// Structured mode puts the attributes and `data` in one JSON object
/// (`application/cloudevents+json`); binary mode (HTTP protocol binding § 3.1) puts each attribute in
/// a `ce-` header and `data` in the body. Header values are percent-encoded where the binding says
/// so, since a phase or an id comes from CCE and may hold any text.
public enum CloudEvent {
    /// How a receiver sends them (`format:`).
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case structured = "cloudevents"
        case binary = "cloudevents-binary"
    }

    static let specVersion = "1.0"
    static let structuredContentType = "application/cloudevents+json"
    static let dataContentType = "application/json"

    /// The context attributes in a fixed order (`data` aside). Optional ones are left out when CCE
    /// gave nothing: the spec wants them absent rather than empty.
    static func attributes(_ context: TemplateContext) -> [(name: String, value: String)] {
        func text(_ path: String) -> String { context[path]?.stringValue ?? "" }
        let level = text("event.level") == "subjob" ? "subjob" : "job"
        let phase = text("event.to").lowercased()
        var source = "/cce/\(text("cce.region"))"
        if !text("cce.project_id").isEmpty { source += "/projects/\(text("cce.project_id"))" }
        source += "/jobs/\(text("root.id"))"
        var attributes: [(name: String, value: String)] = [
            ("specversion", specVersion),
            ("id", text("event.id")),
            ("source", source),
            ("type", "com.huaweicloud.cce.\(level).\(phase.isEmpty ? "unknown" : phase)"),
        ]
        let optional: [(String, String)] = [
            ("subject", text("job.id")),
            ("time", text("event.detected_at")),
            ("datacontenttype", dataContentType),
            ("clusterid", text("job.cluster_id")),
            ("jobtype", text("job.type")),
        ]
        attributes += optional.filter { !$0.1.isEmpty }.map { (name: $0.0, value: $0.1) }
        return attributes
    }

    /// The body, content type and extra headers of one event in `mode`.
    static func render(_ context: TemplateContext, mode: Mode) -> (body: String, contentType: String, headers: [HTTPHeader]) {
        let data = EventDocument.render(context)
        let attributes = attributes(context)
        switch mode {
        case .structured:
            let fields = attributes.map { ($0.name, JSONText.quote($0.value)) } + [("data", data)]
            return (JSONText.object(fields), structuredContentType, [])
        case .binary:
            // datacontenttype travels as the Content-Type header in binary mode.
            let headers = attributes.filter { $0.name != "datacontenttype" }
                .map { HTTPHeader("ce-\($0.name)", percentEncoded($0.value)) }
            return (data, dataContentType, headers)
        }
    }

    /// HTTP binding § 3.1.3.2: space, `"`, `%` and everything outside printable ASCII are
    /// percent-encoded as UTF-8 bytes; the rest stays as it is.
    static func percentEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
