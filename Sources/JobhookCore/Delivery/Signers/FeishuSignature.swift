public import Foundation
import Crypto

/// Feishu / Lark bot signing: `timestamp` (unix seconds, a string) and `sign` go in the JSON body.
/// Feishu's algorithm keys the HMAC with `timestamp + "\n" + secret` and signs an empty message.
/// Feishu refuses a timestamp more than an hour off (code 19021), so every attempt signs afresh.
public enum FeishuSignature {
    public static func sign(secret: String, timestamp: Int) -> String {
        let key = SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(), using: key)).base64EncodedString()
    }

    /// The body with `"timestamp"` and `"sign"` set as the object's first members. Our preset bodies
    /// are JSON objects we wrote ourselves, so the fields are spliced in and every other byte is
    /// kept; a body that already carries them (a hand-written `body:`) is re-encoded without them
    /// first. A body that is not a JSON object is left alone.
    public static func signed(body: Data, secret: String, timestamp: Int) -> Data {
        var body = body
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
           object["sign"] != nil || object["timestamp"] != nil {
            var stripped = object
            stripped["sign"] = nil
            stripped["timestamp"] = nil
            guard let data = try? JSONSerialization.data(withJSONObject: stripped, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return body }
            body = data
        }
        guard let open = body.firstIndex(where: { !isJSONSpace($0) }), body[open] == UInt8(ascii: "{") else { return body }
        let rest = body[body.index(after: open)...]
        let isEmptyObject = rest.first(where: { !isJSONSpace($0) }) == UInt8(ascii: "}")
        var out = Data("{\"timestamp\":\"\(timestamp)\",\"sign\":\"\(sign(secret: secret, timestamp: timestamp))\"".utf8)
        if !isEmptyObject { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: rest)
        return out
    }

    private static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
