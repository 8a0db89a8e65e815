import JobhookCore

/// The `deliveries list` table. Ids are printed whole (they are what `retry` and `drop` take);
/// other columns are cut to fit.
enum DeliveryTable {
    static let table = TextTable(header: ["ID", "RECEIVER", "RULE", "JOB", "ATTEMPTS", "STATE", "LAST ERROR"],
                                 maxWidths: [36, 16, 20, 36, 8, 9, 60])

    /// `last_error` may quote a receiver's answer: shown through `redactor`.
    static func text(_ deliveries: [Delivery], redactor: Redactor = Redactor()) -> String {
        table.text(deliveries.map { d in
            [d.id, d.receiver, d.rule, d.jobID, String(d.attempts), d.state.rawValue, redactor.text(d.lastError ?? "")]
        })
    }
}
