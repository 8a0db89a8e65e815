/// Vendors reject messages over their size limit outright (the alert is lost); cutting the text and
/// saying so is better. Cuts fall on Character boundaries, so UTF-8 and emoji stay whole.
enum Truncation {
    static let marker = "\n…(truncated)"

    /// `text` itself when `fits(text)`, else the longest prefix that fits with `marker` appended
    /// (just the marker, or empty, when nothing does).
    static func fit(_ text: String, marker: String = marker, _ fits: (String) -> Bool) -> String {
        if fits(text) { return text }
        let characters = Array(text)
        var low = 0
        var high = characters.count
        // Largest n such that prefix(n) + marker fits; `fits` is monotone in n.
        while low < high {
            let mid = (low + high + 1) / 2
            if fits(String(characters[0..<mid]) + marker) { low = mid } else { high = mid - 1 }
        }
        let candidate = String(characters[0..<low]) + marker
        return fits(candidate) ? candidate : ""
    }

    /// At most `limit` UTF-8 bytes.
    static func utf8(_ text: String, limit: Int) -> String {
        fit(text) { $0.utf8.count <= limit }
    }

    /// At most `limit` characters as JavaScript counts them (UTF-16 units: Discord, Slack).
    static func utf16(_ text: String, limit: Int) -> String {
        fit(text) { $0.utf16.count <= limit }
    }
}
