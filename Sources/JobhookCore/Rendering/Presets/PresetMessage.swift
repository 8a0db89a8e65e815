/// What a preset turns into its vendor's JSON: the rendered message and a little about the event
/// (cards colour their header by it).
struct PresetMessage: Sendable, Hashable {
    var text: String
    /// Card or markdown title; nil sends the vendor's plain message where it has one.
    var title: String?
    /// `event.to`.
    var phase: String

    /// Failed and Timeout are alerts; cards show them red.
    var isFailure: Bool { phase == "Failed" || phase == "Timeout" }
    var isSuccess: Bool { phase == "Success" }
}
