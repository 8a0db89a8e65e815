/// A state-store failure, worded for the operator: which file (or database URL, password masked),
/// what happened, what to do.
/// Start-up refuses to run on any of these rather than silently starting fresh (which would re-send
/// every notification).
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The file is not a SQLite database or is damaged.
        case corrupt
        /// The file or its directory cannot be written (permissions, read-only file system).
        case unwritable
        /// Written by a newer jobhook: refusing to downgrade it.
        case newerVersion
        /// The disk is full.
        case diskFull
        /// Another daemon holds the store (`StateLock`).
        case inUse
        /// Another application's SQLite database, or a path that is not a regular file.
        case foreign
        /// Anything else SQLite reported.
        case io
        /// A `group_wait` group closed (or another opened) between planning a poll's deliveries and
        /// recording them; nothing was recorded: plan again with fresh open groups.
        case staleGroups
        /// The database server (PostgreSQL) cannot be reached or refused the connection; the
        /// operation can be tried again once it is back.
        case unreachable
        /// The database refused the credentials or the user lacks a privilege jobhook needs.
        case accessDenied
        /// A replica sharing the store wrote on the work's behalf after its lease ran out or moved
        /// to another replica; nothing was written (the other replica does the work now).
        case fenced
    }

    public var kind: Kind
    public var path: String
    public var message: String

    public init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "state store \(path): \(message)" }
}
