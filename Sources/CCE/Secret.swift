/// A credential or signing key. Printing, interpolating, dumping or logging it shows `<redacted>`, so a
/// secret cannot leak through an error message or a debug line by accident; code that really needs the
/// value asks for it by name with `reveal`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The value itself. Every use should be a place that sends it (a header, an HMAC key, a password body).
    public let reveal: String

    public init(_ value: String) {
        reveal = value
    }

    public var isEmpty: Bool { reveal.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: nil) }
}
