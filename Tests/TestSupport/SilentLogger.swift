public import Logging

extension Logger {
    /// Drops everything: for tests that do not assert on what is logged (tests never bootstrap).
    public static let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}
