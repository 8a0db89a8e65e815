/// What a preset turns into its vendor's JSON: the rendered message and a little about the event
/// (cards colour their header by it).
public struct PresetMessage: Sendable, Hashable {
    public var text: String
    /// Card or markdown title; nil sends the vendor's plain message where it has one.
    public var title: String?
    /// `event.to`.
    public var phase: String

    public init(text: String, title: String? = nil, phase: String = "") {
        self.text = text
        self.title = title
        self.phase = phase
    }

    /// Failed and Timeout are alerts; cards show them red.
    public var isFailure: Bool { phase == "Failed" || phase == "Timeout" }
    public var isSuccess: Bool { phase == "Success" }
}
