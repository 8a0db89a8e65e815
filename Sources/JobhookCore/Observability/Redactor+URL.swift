extension Redactor {
    /// Path segments after which a chat vendor's URL is its credential: Feishu/Lark
    /// `/open-apis/bot/v2/hook/<token>`, Discord `/api/webhooks/<id>/<token>`, Teams (Office 365
    /// connectors) `/webhookb2/<ids>`, Mattermost/Rocket.Chat `/hooks/<token>`. Slack's
    /// `/services/T…/B…/<token>` is matched on Slack hosts only (`services` is a common word).
    /// DingTalk `access_token=`, WeCom `key=` and Teams Workflows `sig=` are query values.
    static let tokenPathMarkers: Set<String> = ["hook", "hooks", "webhooks", "webhookb2"]

    /// Every `scheme://…` in `text` with its secrets hidden; the rest of the text as it was.
    static func maskingURLs(in text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let separator = rest.firstRange(of: "://") {
            var start = separator.lowerBound
            while start > rest.startIndex, isSchemeCharacter(rest[rest.index(before: start)]) {
                start = rest.index(before: start)
            }
            // A scheme starts with a letter; `1://` or a bare `://` is not a URL.
            while start < separator.lowerBound, !(rest[start].isASCII && rest[start].isLetter) {
                start = rest.index(after: start)
            }
            guard start < separator.lowerBound else {
                out += rest[..<separator.upperBound]
                rest = rest[separator.upperBound...]
                continue
            }
            let end = rest[separator.upperBound...].firstIndex(where: endsURL) ?? rest.endIndex
            out += rest[..<start]
            out += masked(url: rest[start..<end]).text
            rest = rest[end...]
        }
        return out + rest
    }

    /// Query names whose values are credentials (GitLab/Jenkins `token`, DingTalk `access_token`,
    /// WeCom `key`, Teams `sig`…).
    static let credentialQueryNames: Set<String> = [
        "token", "access_token", "key", "sig", "signature", "sign", "secret", "password", "apikey", "api_key", "auth", "code", "tok",
    ]

    /// The credential parts of one URL (userinfo, a vendor's path token, query values that are
    /// credentials or long enough to be one, the fragment), to be hidden wherever they show up, also
    /// outside the URL (a receiver echoing its token). In a URL every query value is masked; out of
    /// one, hiding `ref=main`'s `main` would only damage words like "domain".
    public static func secretParts(ofURL url: String) -> [String] {
        let (_, parts) = masked(url: Substring(url))
        let names = url.split(separator: "?", maxSplits: 1).dropFirst().first.map { query in
            Dictionary(query.split(separator: "&").compactMap { item -> (String, String)? in
                guard let equals = item.firstIndex(of: "=") else { return nil }
                return (String(item[item.index(after: equals)...]), item[..<equals].lowercased())
            }, uniquingKeysWith: { a, _ in a })
        } ?? [:]
        return parts.filter { part in
            guard let name = names[part] else { return true }
            return part.count >= 8 || credentialQueryNames.contains(name)
        }
    }

    /// `url` with its credential parts replaced, and those parts.
    static func masked(url: Substring) -> (text: String, parts: [String]) {
        guard let separator = url.firstRange(of: "://") else { return (String(url), []) }
        var parts: [String] = []
        let scheme = url[..<separator.upperBound]
        let afterScheme = url[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var authority = String(afterScheme[..<authorityEnd])
        let host = (authority.split(separator: "@").last.map(String.init) ?? "").lowercased()
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            if userinfo != placeholder[...] {
                parts.append(String(userinfo))
                if let colon = userinfo.firstIndex(of: ":") { parts.append(String(userinfo[userinfo.index(after: colon)...])) }
            }
            authority = placeholder + String(authority[at...])
        }
        let remainder = afterScheme[authorityEnd...]
        let pathEnd = remainder.firstIndex { $0 == "?" || $0 == "#" } ?? remainder.endIndex
        let (path, pathToken) = maskedPath(remainder[..<pathEnd], host: host)
        parts += pathToken.map { [$0] } ?? []
        var out = String(scheme) + authority + path
        var tail = remainder[pathEnd...]
        if tail.first == "?" {
            tail = tail.dropFirst()
            let queryEnd = tail.firstIndex(of: "#") ?? tail.endIndex
            let items = tail[..<queryEnd].split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
                guard let equals = item.firstIndex(of: "=") else { return String(item) }
                let value = item[item.index(after: equals)...]
                guard !value.isEmpty, value != placeholder[...] else { return String(item) }
                parts.append(String(value))
                return String(item[...equals]) + placeholder
            }
            out += "?" + items.joined(separator: "&")
            tail = tail[queryEnd...]
        }
        if tail.first == "#" {
            let fragment = tail.dropFirst()
            if !fragment.isEmpty, fragment != placeholder[...] { parts.append(String(fragment)) }
            out += fragment.isEmpty ? "#" : "#" + placeholder
        }
        return (out, parts)
    }

    /// The path with everything after a vendor's token marker hidden, and what was hidden.
    static func maskedPath(_ path: Substring, host: String) -> (String, String?) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let slack = host.hasSuffix("slack.com") || host.contains(".slack.")
        guard let marker = segments.firstIndex(where: { tokenPathMarkers.contains($0.lowercased()) || (slack && $0 == "services") }),
              marker + 1 < segments.count
        else { return (String(path), nil) }
        let token = segments[(marker + 1)...].joined(separator: "/")
        guard !token.isEmpty, token != placeholder else { return (String(path), nil) }
        return (segments[...marker].joined(separator: "/") + "/" + placeholder, token)
    }

    private static func isSchemeCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "+" || c == "-" || c == ".")
    }

    /// Where a URL written in prose, JSON or a log field ends.
    private static func endsURL(_ c: Character) -> Bool {
        c.isWhitespace || c == "\"" || c == "'" || c == "<" || c == ">" || c == "`" || c == "\\" || c == "|" || c == "^" || c == "{" || c == "}"
    }
}
