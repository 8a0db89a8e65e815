import Foundation
public import Logging
import Synchronization

/// jobhook's log output: one line per record on standard error, as text for people or JSON lines for
/// containers. Metadata (job_id, receiver, webhook_id) stays structured in JSON. Callers log redacted
/// forms (`Secret`, `WebhookURL`); every message and metadata value also goes through a `Redactor`
/// (URLs in an error, a receiver's answer echoing a token, the config's known secrets), so a record
/// shows no secret in either format.
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
    private let redactor: Redactor

    /// `write` receives each line without its newline; by default the line goes to standard error
    /// through the process's `LogSink` for `format`.
    public init(label: String, level: Logger.Level, format: Format, redactor: Redactor = Redactor(),
                write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redactor = redactor
        let sink = Self.standardErrorSink(for: format)
        self.write = write ?? { sink.enqueue($0) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        write(Self.line(level: event.level, message: redactor.text("\(event.message)"), metadata: all.mapValues(redacted),
                        label: label, format: format))
    }

    private func redacted(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): .string(redactor.text(s))
        case .stringConvertible(let c): .string(redactor.text("\(c)"))
        case .array(let a): .array(a.map(redacted))
        case .dictionary(let d): .dictionary(d.mapValues(redacted))
        }
    }

    /// One record as one line (no newline), in `format`.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, label: String, format: Format) -> String {
        let time = Self.timestamp(Date())
        switch format {
        case .text:
            let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.textValue($0.value))" }.joined(separator: " ")
            // Escaped, so a newline in outside text cannot split one record into a forged second one.
            return "\(time) \(level.rawValue.uppercased()) \(PrintableText.escape(message))" + (fields.isEmpty ? "" : " " + PrintableText.escape(fields))
        case .json:
            var object: [String: Any] = ["time": time, "level": level.rawValue, "msg": message, "logger": label]
            for (key, value) in metadata { object[key] = Self.jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
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

    /// The process's stderr writer for `format` (the line about dropped lines is in that format too);
    /// a dedicated thread writes, so logging never blocks, whatever reads (or does not read) stderr.
    /// Only the one used starts a thread.
    public static func standardErrorSink(for format: Format) -> LogSink {
        switch format {
        case .text: textSink
        case .json: jsonSink
        }
    }

    /// Waits (at most `timeout`) until queued log lines are on standard error: before a normal exit.
    public static func flushStandardError(timeout: Duration = .seconds(1)) {
        let deadline = ContinuousClock.now + timeout
        for format in Format.allCases {
            standardErrorSink(for: format).flush(timeout: max(.zero, deadline - ContinuousClock.now))
        }
    }

    private static let textSink = LogSink(droppedNotice: { droppedNotice($0, format: .text) })
    private static let jsonSink = LogSink(droppedNotice: { droppedNotice($0, format: .json) })

    private static func droppedNotice(_ count: Int, format: Format) -> String {
        line(level: .warning, message: "log lines dropped: standard error was not drained fast enough",
             metadata: ["dropped": "\(count)"], label: "jobhook.log", format: format)
    }
}
