import GRDB

extension SQLiteStore {
    /// Turns whatever SQLite or GRDB threw into an operator-facing `StoreError`.
    static func storeError(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return StoreError(.io, path: path, message: "\(error)")
        }
        let detail = error.message ?? "SQLite error \(error.resultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError(.corrupt, path: path, message: corruptAdvice(path: path, detail: detail))
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return StoreError(.unwritable, path: path, message: """
                cannot be opened for writing (\(detail)); check that its directory exists and that jobhook \
                may write the file and its -wal and -shm siblings there, or point state.path elsewhere
                """)
        case .SQLITE_FULL:
            return StoreError(.diskFull, path: path, message: "the disk is full (\(detail)); free some space: nothing was lost, the change is retried")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.io, path: path, message: "is locked by another process for more than \(Int(busyTimeout))s (\(detail))")
        default:
            return StoreError(.io, path: path, message: "SQLite failed: \(detail)")
        }
    }

    static func corruptAdvice(path: String, detail: String) -> String {
        """
        is not a jobhook state store or is damaged (\(detail)); move it aside (mv \(path) \(path).broken) \
        to start with an empty store — jobhook then treats every watched job's phases as new
        """
    }
}
