import Mustache

/// A Mustache template from the config, parsed once at load time. Rendering is always plain text
/// or JSON-string escaping — never swift-mustache's HTML default, which would turn a reason like
/// `a<b` into `a&lt;b` in a chat message.
public struct Template: Sendable, CustomStringConvertible {
    public enum Escaping: Sendable, Hashable {
        /// Values inserted verbatim.
        case none
        /// Values escaped as the inside of a JSON string literal (`body_text` with a JSON content type).
        case jsonString
    }

    public let source: String
    public let escaping: Escaping
    /// Where the template's scalar is in the config file (set by the loader), for `jobhook check`.
    public var line: Int?
    public var column: Int?
    let parsed: MustacheTemplate

    public init(_ source: String, escaping: Escaping = .none) throws(TemplateError) {
        guard !source.contains("{{%") else {
            throw TemplateError(message: "'{{%' pragmas are not allowed: jobhook chooses the escaping", line: 1, column: 1)
        }
        if let include = source.firstMatch(of: #/\{\{\s*[<>$]/#) {
            // There is no template library to include from: the tag would render as nothing.
            let (line, column) = Self.position(of: include.range.lowerBound, in: source)
            throw TemplateError(message: "partials ('{{> name}}') and inheritance ('{{< name}}', '{{$ name}}') are not supported: write the text out", line: line, column: column)
        }
        let pragma = escaping.pragma
        do {
            parsed = try MustacheTemplate(string: pragma + source)
        } catch let error as MustacheTemplate.ParserError {
            let column = error.context.lineNumber == 1 ? error.context.columnNumber - pragma.count : error.context.columnNumber
            throw TemplateError(message: Self.describe(error.error), line: error.context.lineNumber, column: max(1, column))
        } catch {
            throw TemplateError(message: Self.describe(error), line: 1, column: 1)
        }
        self.source = source
        self.escaping = escaping
    }

    public func render(_ context: TemplateContext) -> String {
        render(object: context.value.mustacheObject ?? [String: Any]())
    }

    func render(object: Any) -> String {
        parsed.render(object)
    }

    public var description: String { source }

    /// 1-based line and column (in characters) of `index`.
    static func position(of index: String.Index, in text: String) -> (line: Int, column: Int) {
        let before = text[..<index]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        return (line, column)
    }

    static func describe(_ error: any Error) -> String {
        // The scanner's only error (internal type): it ran off the end looking for a closing '}}'.
        guard let error = error as? MustacheTemplate.Error else { return "a tag is not closed ('}}' missing)" }
        return switch error {
        case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
        case .unfinishedName: "a tag is not closed ('}}' missing) or its name is malformed"
        case .expectedSectionEnd: "a section is never closed ('{{/name}}' missing)"
        case .invalidSetDelimiter: "malformed set-delimiter tag"
        case .transformAppliedToInheritanceSection: "a transform cannot apply to an inherited section"
        case .illegalTokenInsideInheritSection: "illegal tag inside an inherited section"
        case .textInsideInheritSection: "text inside an inherited section"
        case .invalidConfigVariableSyntax: "malformed '{{%' pragma"
        case .unrecognisedConfigVariable: "unknown '{{%' pragma"
        }
    }
}

/// Why a template does not parse; line and column are within the template text.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public var description: String { "template does not parse: \(message) (template line \(line), column \(column))" }
}

extension Template.Escaping {
    /// Prepended to every template: swift-mustache picks escaping per template from this pragma.
    var pragma: String {
        switch self {
        case .none: "{{% CONTENT_TYPE: TEXT}}"
        case .jsonString: "{{% CONTENT_TYPE: \(JSONStringContentType.register())}}"
        }
    }
}

/// Escapes values for the inside of a JSON string literal.
struct JSONStringContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { JSONText.escape(text) }

    static let name = "JOBHOOK_JSON_STRING"
    /// swift-mustache keeps content types in a global registry that must be filled before parsing;
    /// a static let runs the registration exactly once, thread-safely.
    private static let registered: Bool = {
        MustacheContentTypes.register(JSONStringContentType(), named: name)
        return true
    }()

    static func register() -> String {
        _ = registered
        return name
    }
}
