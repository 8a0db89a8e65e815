import CCE
import Foundation
import Yams

/// `receivers:`: where notifications go and how they are shaped and signed.
extension ConfigReader {
    static let receiverKeys = [
        "name", "preset", "url", "method", "headers", "body", "body_text", "content_type", "secret", "text", "title",
        "signing", "timeout", "retry", "rate_limit", "format",
    ]
    /// Set by the delivery on every request; a receiver header would collide with them.
    static let reservedHeaders = ["content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "user-agent"]

    mutating func receiverList(_ node: Node) -> [Receiver] {
        var receivers: [Receiver] = []
        var seen: [String: Int] = [:]
        for (index, item) in sequence(node, "receivers").enumerated() {
            guard let receiver = receiver(item, index: index) else { continue }
            if let line = seen[receiver.name] {
                report("duplicate receiver name '\(receiver.name)' (first defined at line \(line))", at: item)
                continue
            }
            seen[receiver.name] = item.mark?.line ?? 0
            receivers.append(receiver)
        }
        return receivers
    }

    mutating func receiver(_ node: Node, index: Int) -> Receiver? {
        guard let fields = fields(node, "receivers[\(index)]", allowed: Self.receiverKeys) else { return nil }
        let name = requiredString(fields, "name")
        var r = fields
        r.path = name.map { "receiver '\($0)'" } ?? "receivers[\(index)]"

        var preset = PresetRegistry.generic
        if let presetNode = r["preset"], let text = string(presetNode, r.path("preset")) {
            if let value = PresetRegistry.preset(named: text) {
                preset = value
            } else {
                let names = PresetRegistry.names.joined(separator: ", ")
                report("\(r.path("preset")): unknown preset '\(text.clipped)' (expected one of \(names))", at: presetNode)
            }
        }
        let url = webhookURL(r)
        var method = "POST"
        if let methodNode = r["method"], let text = string(methodNode, r.path("method")) {
            let upper = text.uppercased()
            if upper.isEmpty || !upper.allSatisfy({ $0.isASCII && $0.isLetter }) {
                report("\(r.path("method")): expected an HTTP method like POST or PUT (got '\(text.clipped)')", at: methodNode)
            }
            method = upper
        }
        let contentType = optionalString(r, "content_type") ?? "application/json"
        let headers = r["headers"].map { receiverHeaders($0, r.path("headers")) } ?? []
        if r["body"] != nil, r["body_text"] != nil {
            report("\(r.path): give either body or body_text, not both", at: r["body_text"]!)
        }
        let body = r["body"].flatMap { bodyTemplate($0, r.path("body")) }
        let escaping: Template.Escaping = contentType.lowercased().contains("json") ? .jsonString : .none
        let bodyText = r["body_text"].flatMap { template($0, r.path("body_text"), escaping: escaping) }
        let secret = optionalString(r, "secret").map { Secret($0) }
        if let secretNode = r["secret"], !preset.signsWithSecret {
            let signers = Self.listed(PresetRegistry.all.filter(\.signsWithSecret).map(\.name))
            report("\(r.path("secret")): only the \(signers) presets sign with a secret; use signing for other receivers", at: secretNode)
        }
        let text = r["text"].flatMap { template($0, r.path("text")) }
        let title = r["title"].flatMap { template($0, r.path("title")) }
        let signing = r["signing"].flatMap { signingSettings($0, r.path("signing")) }
        let timeout = duration(r, "timeout", default: .seconds(15))
        let retry = r["retry"].map { retrySettings($0, r.path("retry")) } ?? RetrySettings()
        let rateLimit = r["rate_limit"].flatMap { rateLimitSettings($0, r.path("rate_limit")) }
        let cloudEvents = r["format"].flatMap { cloudEventsFormat($0, r, preset: preset) }
        guard let name, let url else { return nil }
        return Receiver(
            name: name, preset: preset, url: url, method: method, headers: headers, body: body, bodyText: bodyText,
            contentType: contentType, secret: secret, text: text, title: title, signing: signing, timeout: timeout,
            retry: retry, rateLimit: rateLimit, cloudEvents: cloudEvents
        )
    }

    /// `format:`: a CloudEvents mode. The event decides the body and its content type, so `body`,
    /// `body_text`, `content_type` and presets cannot go with it.
    mutating func cloudEventsFormat(_ node: Node, _ r: Fields, preset: any Preset) -> CloudEvent.Mode? {
        guard let text = string(node, r.path("format")) else { return nil }
        guard let mode = CloudEvent.Mode(rawValue: text) else {
            let modes = CloudEvent.Mode.allCases.map(\.rawValue).joined(separator: " or ")
            report("\(r.path("format")): expected \(modes) (got '\(PrintableText.escape(text).clipped)')", at: node)
            return nil
        }
        if preset.sendsMessage {
            report("\(r.path("format")): \(text) is for generic receivers; the \(preset.name) preset sends its own message", at: node)
        }
        for key in ["body", "body_text", "content_type"] where r[key] != nil {
            report("\(r.path(key)): cannot be combined with format \(text): the CloudEvent's data is jobhook's event document", at: r[key]!)
        }
        return mode
    }

    /// "a", "a and b", "a, b and c".
    static func listed(_ names: [String]) -> String {
        guard let last = names.last, names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + last
    }

    /// The URL usually holds the receiver's credential: messages say what is wrong, never the value.
    mutating func webhookURL(_ r: Fields) -> WebhookURL? {
        guard let text = requiredString(r, "url") else { return nil }
        switch WebhookURL.parse(text) {
        case .success(let url):
            return url
        case .failure(let problem):
            report("\(r.path("url")): \(problem)", at: r["url"]!)
            return nil
        }
    }

    mutating func receiverHeaders(_ node: Node, _ path: String) -> [Receiver.Header] {
        guard case .mapping(let mapping) = node else {
            report("\(path): expected a mapping of header names to values, found \(node.kindDescription)", at: node)
            return []
        }
        var headers: [Receiver.Header] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, HeaderName.isValid(name) else {
                let shown = HeaderName.shown(key.scalar?.string ?? "")
                report("\(path): '\(shown)' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)", at: key)
                continue
            }
            if Self.reservedHeaders.contains(name.lowercased()) {
                let hint = name.lowercased() == "content-type" ? " (use content_type)" : ""
                report("\(path): \(name) is set by jobhook\(hint)", at: key)
                continue
            }
            if let template = template(value, "\(path).\(name)") {
                headers.append(Receiver.Header(name: name, value: template))
            }
        }
        return headers
    }

    /// A YAML structure kept with its types: strings become templates, numbers stay numbers.
    mutating func bodyTemplate(_ node: Node, _ path: String) -> BodyTemplate? {
        switch node {
        case .mapping(let mapping):
            var members: [BodyTemplate.Member] = []
            for (key, value) in mapping {
                guard let name = key.scalar?.string else {
                    report("\(path): keys must be strings", at: key)
                    continue
                }
                if let item = bodyTemplate(value, "\(path).\(name)") { members.append(.init(key: name, value: item)) }
            }
            return .object(members)
        case .sequence(let items):
            return .array(items.enumerated().compactMap { bodyTemplate($1, "\(path)[\($0)]") })
        case .alias:
            report("\(path): aliases are not supported", at: node)
            return nil
        case .scalar(let scalar):
            guard scalar.style == .plain else { return template(node, path).map { .string($0) } }
            if node.isNull { return .null }
            if scalar.string.contains("${") {
                // `count: ${N}` should send a number when N is one.
                guard let text = expand(scalar.string, at: node, path) else { return nil }
                return typedLeaf(Node(text), path, at: node)
            }
            return typedLeaf(node, path, at: node)
        }
    }

    private mutating func typedLeaf(_ node: Node, _ path: String, at origin: Node) -> BodyTemplate? {
        switch node.tagName {
        case .bool: if let b = node.bool { return .bool(b) }
        case .int: if let i = node.int { return .integer(i) }
        case .float:
            if let d = node.float {
                guard d.isFinite else {
                    report("\(path): infinity and NaN cannot be sent as JSON", at: origin)
                    return nil
                }
                return .double(d)
            }
        case .null: return .null
        default: break
        }
        return makeTemplate(node.scalar?.string ?? "", path, at: origin).map { .string($0) }
    }
}
