public import Foundation
import HTTPTypes
public import JobhookCore

/// A silence as the API shows it, and `jobhook silence list --json` too.
public struct SilenceBody: Encodable, Sendable {
    var id: String
    var matchers: [String: Matcher]
    var startsAt: String
    var endsAt: String
    var createdBy: String
    var comment: String
    var state: String

    /// An exact value, or `{"regex": "…"}`.
    enum Matcher: Encodable, Sendable {
        case exact(String)
        case regex(String)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .exact(let value):
                var container = encoder.singleValueContainer()
                try container.encode(value)
            case .regex(let pattern):
                var container = encoder.singleValueContainer()
                try container.encode(["regex": pattern])
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, matchers, comment, state
        case startsAt = "starts_at", endsAt = "ends_at", createdBy = "created_by"
    }

    public init(_ silence: Silence, now: Date) {
        let formatter = ISO8601DateFormatter()
        id = silence.id
        matchers = Dictionary(silence.matchers.map { ($0.key, $0.isRegex ? Matcher.regex($0.value) : .exact($0.value)) }) { first, _ in first }
        startsAt = formatter.string(from: silence.startsAt)
        endsAt = formatter.string(from: silence.endsAt)
        createdBy = silence.createdBy
        comment = silence.comment
        state = SilenceRequest.state(silence, now: now)
    }
}

struct SilenceListBody: Encodable {
    var silences: [SilenceBody]
}

extension SilenceRequest {
    /// `{"matchers": {"cluster_id": "c-1", "reason": {"regex": "…"}}, "duration": "2h" | "ends_at": "…", "comment": "…"}`:
    /// the silence, or the reason it is refused (a 400).
    static func fromAPI(_ data: Data, now: Date) throws(APIError) -> Silence {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(.badRequest, #"the body must be a JSON object like {"matchers": {"cluster_id": "c-1"}, "duration": "2h", "comment": "…"}"#)
        }
        let known: Set<String> = ["matchers", "duration", "ends_at", "comment"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError(.badRequest, "unknown field '\(PrintableText.escape(unknown).prefix(40))' (expected: matchers, duration, ends_at, comment)")
        }
        guard let raw = object["matchers"] as? [String: Any] else {
            throw APIError(.badRequest, #"matchers must be an object like {"cluster_id": "c-1"}"#)
        }
        var matchers: [SilenceMatcher] = []
        for key in raw.keys.sorted() {
            if let value = raw[key] as? String {
                matchers.append(SilenceMatcher(key: key, value: value))
            } else if let regex = raw[key] as? [String: Any], regex.count == 1, let pattern = regex["regex"] as? String {
                matchers.append(SilenceMatcher(key: key, value: pattern, isRegex: true))
            } else {
                throw APIError(.badRequest, #"matchers.\#(PrintableText.escape(key).prefix(40)): expected a string or {"regex": "…"}"#)
            }
        }
        func text(_ field: String) throws(APIError) -> String? {
            guard let value = object[field], !(value is NSNull) else { return nil }
            guard let string = value as? String else { throw APIError(.badRequest, "\(field) must be a string") }
            return string
        }
        do {
            return try make(matchers: matchers, duration: try text("duration"), until: try text("ends_at"),
                            comment: try text("comment") ?? "", createdBy: "api", now: now)
        } catch let problem as Problem {
            throw APIError(.badRequest, problem.description)
        } catch {
            throw error as? APIError ?? APIError(.badRequest, "\(error)")
        }
    }
}
