import Crypto
public import CurlHTTP
public import Foundation

/// Huawei Cloud's `SDK-HMAC-SHA256` request signature, as the official SDKs compute it (no key
/// derivation, unlike AWS SigV4). The canonicalisation here is shared by `AKSKSigner` (which signs)
/// and `verify` (which the simulator uses to check what actually arrived on the wire).
public enum SDKSignature {
    public static let algorithm = "SDK-HMAC-SHA256"
    /// The gateway refuses an `X-Sdk-Date` further than this from its own clock (`APIGW.0303`).
    public static let maximumSkew: TimeInterval = 15 * 60

    /// Percent-encodes everything except `A-Za-z0-9_.-~` (space → `%20`, `/` → `%2F`).
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// The canonical query string for these parameters: sorted, each side percent-encoded, joined by `&`.
    /// Send exactly this string as the URL's query so that what is signed is what is sent.
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
            .map { percentEncode($0.name) + "=" + percentEncode($0.value) }
            .joined(separator: "&")
    }

    /// The canonical URI of a path as sent (percent-encoded): each segment decoded, re-encoded, and a
    /// trailing `/` added for signing only.
    public static func canonicalURI(path: String) -> String {
        let segments = (path.isEmpty ? "/" : path).split(separator: "/", omittingEmptySubsequences: false)
        var uri = segments.map { percentEncode(percentDecode(String($0))) }.joined(separator: "/")
        if !uri.hasSuffix("/") { uri += "/" }
        return uri
    }

    /// The canonical query of a query string as sent (`a=1&b=x%20y`), or of none.
    public static func canonicalQuery(raw query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        let items = query.split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(String(parts[0])), parts.count > 1 ? percentDecode(String(parts[1])) : "")
        }
        return canonicalQuery(items)
    }

    /// Lower-cased names of the headers to sign, sorted and de-duplicated; names with `_` are never signed.
    public static func signedHeaderNames(_ headers: [HTTPHeader]) -> [String] {
        Array(Set(headers.map { $0.name.lowercased() }.filter { !$0.contains("_") })).sorted()
    }

    /// METHOD \n URI \n QUERY \n CANONICAL_HEADERS \n SIGNED_HEADERS \n hex(SHA-256(body)).
    /// `path` and `query` are as they appear in the request line. Returns nil when a signed header is absent.
    public static func canonicalRequest(
        method: String, path: String, query: String?, headers: [HTTPHeader], signedHeaders: [String], body: Data
    ) -> String? {
        var canonicalHeaders = ""
        for name in signedHeaders {
            guard let header = headers.first(where: { $0.name.lowercased() == name }) else { return nil }
            canonicalHeaders += name + ":" + header.value.trimmingWhitespace() + "\n"
        }
        return [
            method.uppercased(), canonicalURI(path: path), canonicalQuery(raw: query), canonicalHeaders,
            signedHeaders.joined(separator: ";"), hexSHA256(body),
        ].joined(separator: "\n")
    }

    public static func stringToSign(canonicalRequest: String, sdkDate: String) -> String {
        algorithm + "\n" + sdkDate + "\n" + hexSHA256(Data(canonicalRequest.utf8))
    }

    public static func signature(stringToSign: String, secretKey: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: SymmetricKey(data: Data(secretKey.utf8)))
        return hex(mac)
    }

    /// The `Authorization` header value.
    public static func authorization(accessKey: String, signedHeaders: [String], signature: String) -> String {
        "\(algorithm) Access=\(accessKey), SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
    }

    public static func hexSHA256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// `X-Sdk-Date` for an instant: `YYYYMMDDTHHMMSSZ` in UTC.
    public static func sdkDate(_ date: Date) -> String {
        GoTimestamp.compactUTC(date)
    }

    static func percentDecode(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let high = hexValue(iterator[iterator.startIndex]), let low = hexValue(iterator[iterator.startIndex + 1]) {
                bytes.append(high << 4 | low)
                iterator.removeFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF")
    private static let lowerHex = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(lowerHex[Int(byte >> 4)])
            out.append(lowerHex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
