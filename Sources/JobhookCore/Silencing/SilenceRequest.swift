public import Foundation
import CCE

/// A silence as the CLI and the API ask for one — matchers, how long or until when, why — checked
/// and built in one place, so both refuse the same things with the same words.
public enum SilenceRequest {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - matchers: `KEY=VALUE` / `KEY=~REGEX` texts.
    ///   - duration: `2h`; or `until`, RFC 3339. Exactly one.
    public static func make(
        matchers texts: [String], duration: String?, until: String?, comment: String, createdBy: String, now: Date
    ) throws(Problem) -> Silence {
        var matchers: [SilenceMatcher] = []
        for text in texts {
            guard let matcher = SilenceMatcher.parse(text) else {
                throw Problem(description: "--match '\(PrintableText.escape(text).clipped)': expected KEY=VALUE or KEY=~REGEX")
            }
            matchers.append(matcher)
        }
        return try make(matchers: matchers, duration: duration, until: until, comment: comment, createdBy: createdBy, now: now)
    }

    public static func make(
        matchers: [SilenceMatcher], duration: String?, until: String?, comment: String, createdBy: String, now: Date
    ) throws(Problem) -> Silence {
        do {
            _ = try SilenceMatchers.matcher(matchers)
        } catch {
            throw Problem(description: error.description)
        }
        let endsAt: Date
        switch (duration, until) {
        case (let text?, nil):
            guard let length = DurationText.parse(text) else {
                throw Problem(description: "duration: \(DurationText.expectation) (got '\(PrintableText.escape(text).clipped)')")
            }
            endsAt = now.addingTimeInterval(Double(length.components.seconds) + Double(length.components.attoseconds) / 1e18)
        case (nil, let text?):
            guard let date = parseDate(text) else {
                throw Problem(description: "until: expected an RFC 3339 time like 2026-12-07T06:00:00Z (got '\(PrintableText.escape(text).clipped)')")
            }
            endsAt = date
        case (nil, nil):
            throw Problem(description: "say how long: a duration (--for 2h) or an end (--until 2026-12-07T06:00:00Z)")
        case (.some, .some):
            throw Problem(description: "give either a duration or an end time, not both")
        }
        guard endsAt > now else { throw Problem(description: "the silence would end before it starts") }
        return Silence(matchers: matchers, startsAt: now, endsAt: endsAt, createdBy: createdBy, comment: comment)
    }

    static func parseDate(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return plain.date(from: text) ?? fractional.date(from: text)
    }

    /// `user@host`, for "who" in `silence list`.
    public static func localUser() -> String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// `active`, `pending` (starts later) or `ended`.
    public static func state(_ silence: Silence, now: Date) -> String {
        silence.endsAt <= now ? "ended" : silence.startsAt > now ? "pending" : "active"
    }
}
