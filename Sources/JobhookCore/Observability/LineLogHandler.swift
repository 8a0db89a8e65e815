public import Foundation
public import Logging
import Synchronization

/// jobhook's log output: one line per record on standard error, as text for people or JSON lines for
/// containers. Metadata (job_id, receiver, webhook_id) stays structured in JSON; values never carry
/// secrets because callers log redacted forms (`Secret`, `WebhookURL`).
public struct LineLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: Format
    private let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, format: Format, write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let time = Self.timestamp(Date())
        switch format {
        case .text:
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.textValue($0.value))" }.joined(separator: " ")
            write("\(time) \(event.level.rawValue.uppercased()) \(event.message)" + (fields.isEmpty ? "" : " " + fields))
        case .json:
            var object: [String: Any] = ["time": time, "level": event.level.rawValue, "msg": "\(event.message)", "logger": label]
            for (key, value) in all { object[key] = Self.jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            write(String(decoding: data, as: UTF8.self))
        }
    }

    static func textValue(_ value: Logger.Metadata.Value) -> String {
        let text = "\(value)"
        return text.contains(where: { $0 == " " || $0 == "\"" }) ? "\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\"" : text
    }

    static func jsonValue(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): "\(c)"
        case .array(let a): a.map(jsonValue)
        case .dictionary(let d): d.mapValues(jsonValue)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// Writes one line to standard error (unbuffered, so lines from several tasks never interleave mid-line).
    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
