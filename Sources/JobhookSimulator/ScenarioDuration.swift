import CCE
import Foundation

/// Durations in scenario files: jobhook's one grammar (`DurationText`: `250ms`, `1h30m`), with zero
/// and decimal parts (`1.5s`) allowed, or a bare number of seconds.
enum ScenarioDuration {
    static func parse(_ text: String) -> Duration? {
        if let seconds = Double(text.trimmingCharacters(in: .whitespaces)) {
            guard seconds >= 0, seconds.isFinite else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        return DurationText.parse(text, allowZero: true, allowFractions: true)
    }
}

extension KeyedDecodingContainer {
    /// A duration written as a string (`2s`) or a number of seconds.
    func decodeDuration(forKey key: Key) throws -> Duration {
        if let seconds = try? decode(Double.self, forKey: key) {
            guard seconds >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "negative duration")
            }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        let text = try decode(String.self, forKey: key)
        guard let duration = ScenarioDuration.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "'\(text)' is not a duration like 250ms, 2s, 5m")
        }
        return duration
    }

    func decodeDurationIfPresent(forKey key: Key) throws -> Duration? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeDuration(forKey: key)
    }
}
