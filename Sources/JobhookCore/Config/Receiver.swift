public import CCE

/// Where notifications go and what they look like.
public struct Receiver: Sendable {
    public struct Header: Sendable {
        public var name: String
        public var value: Template
        public init(name: String, value: Template) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    /// The vendor's rules: body shape, signing, answers, limits (`PresetRegistry.generic` for plain
    /// webhooks).
    public var preset: any Preset
    public var url: WebhookURL
    public var method: String
    /// Templated values; names are literal. Content-Type is not among them: see `contentType`.
    public var headers: [Header]
    /// A YAML structure sent as JSON; every string leaf is a template.
    public var body: BodyTemplate?
    /// A raw body template, `{{x}}` escaped for `contentType`.
    public var bodyText: Template?
    public var contentType: String
    /// `format: cloudevents` / `cloudevents-binary` (generic receivers): each event as a CloudEvent
    /// with the event document as its data; nil: the document (or `body`) as it is.
    public var cloudEvents: CloudEvent.Mode?
    /// The preset's own signing secret (presets that `signsWithSecret`).
    public var secret: Secret?
    /// Presets: the message text.
    public var text: Template?
    /// Presets with a title slot (`hasTitle`: card header, preview title).
    public var title: Template?
    public var signing: Signing?
    /// Per attempt.
    public var timeout: Duration
    public var retry: RetrySettings
    public var rateLimit: RateLimit?

    public init(
        name: String, preset: any Preset = PresetRegistry.generic, url: WebhookURL, method: String = "POST", headers: [Header] = [],
        body: BodyTemplate? = nil, bodyText: Template? = nil, contentType: String = "application/json",
        secret: Secret? = nil, text: Template? = nil, title: Template? = nil, signing: Signing? = nil,
        timeout: Duration = .seconds(15), retry: RetrySettings = RetrySettings(), rateLimit: RateLimit? = nil,
        cloudEvents: CloudEvent.Mode? = nil
    ) {
        self.cloudEvents = cloudEvents
        self.name = name
        self.preset = preset
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.bodyText = bodyText
        self.contentType = contentType
        self.secret = secret
        self.text = text
        self.title = title
        self.signing = signing
        self.timeout = timeout
        self.retry = retry
        self.rateLimit = rateLimit
    }
}
