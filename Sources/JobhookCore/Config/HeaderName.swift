/// HTTP field names are tokens (RFC 9110 §5.1): anything else is refused by libcurl or by the
/// receiver, so a receiver configured with one would be a dead letter on its first attempt.
enum HeaderName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy(isTokenCharacter)
    }

    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
        }
    }

    /// For messages: the name as typed, control characters escaped and long names cut.
    static func shown(_ name: String) -> String { PrintableText.escape(name).clipped }
}
