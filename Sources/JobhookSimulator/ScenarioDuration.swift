import Foundation

/// Durations in scenario files: `250ms`, `2s`, `1.5s`, `5m`, `1h`, or a bare number of seconds.
enum ScenarioDuration {
    static func parse(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            return .milliseconds(Int64((value * scale * 1000).rounded()))
        }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
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
