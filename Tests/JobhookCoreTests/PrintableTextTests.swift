import Logging
import Testing
@testable import JobhookCore

@Suite struct PrintableTextTests {
    @Test func plainTextIsUnchanged() {
        #expect(PrintableText.escape("Running → Failed: disk full") == "Running → Failed: disk full")
    }

    @Test func controlCharactersAreEscaped() {
        let hostile = "x\u{1B}[2J\u{1B}]0;pwned\u{07}\nforged\r\u{7F}\u{9B}\u{202E}"
        let shown = PrintableText.escape(hostile)
        #expect(shown == "x\\u{1B}[2J\\u{1B}]0;pwned\\u{7}\\nforged\\r\\u{7F}\\u{9B}\\u{202E}")
        #expect(!shown.unicodeScalars.contains(where: PrintableText.needsEscape))
    }

    @Test func textLogRecordStaysOneLine() {
        let line = LineLogHandler.line(level: .info, message: "a\nb", metadata: ["reason": "c\nd"], label: "t", format: .text)
        #expect(!line.contains("\n"))
    }
}
