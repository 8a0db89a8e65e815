public import CurlHTTP
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IAM token kept in a file (a Kubernetes secret, a sidecar that renews it), sent as `X-Auth-Token`.
/// The file is `stat`ed before every use and re-read when its inode, size or mtime changed, so a
/// rotated token is picked up on the next poll without a restart and without reading it every time.
/// A lock, not an actor: signing runs on every poll, where an actor hop costs two thread hand-offs.
public final class TokenFile: RequestSigner {
    public let path: String
    private let cached = Mutex<(identity: FileIdentity, token: Secret)?>(nil)

    public init(path: String) {
        self.path = path
    }

    public func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError) {
        request.setHeader("X-Auth-Token", try currentToken().reveal)
    }

    /// The token as the file holds it now, whitespace trimmed.
    public func currentToken() throws(CCEError) -> Secret {
        guard let identity = FileIdentity(path: path) else {
            throw CCEError(.credentials, message: "token file \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        if let hit = cached.withLock({ $0?.identity == identity ? $0?.token : nil }) { return hit }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CCEError(.credentials, message: "token file \(path) cannot be read (permissions?)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        guard !token.isEmpty else { throw CCEError(.credentials, message: "token file \(path) is empty") }
        guard !token.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw CCEError(.credentials, message: "token file \(path) holds more than one line; it must hold only the token")
        }
        cached.withLock { $0 = (identity, Secret(token)) }
        return Secret(token)
    }
}

/// What `stat` says about a file, enough to notice that it was replaced or rewritten.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64
    var changedSeconds: Int64
    var changedNanoseconds: Int64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        changedSeconds = Int64(info.st_ctimespec.tv_sec)
        changedNanoseconds = Int64(info.st_ctimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        changedSeconds = Int64(info.st_ctim.tv_sec)
        changedNanoseconds = Int64(info.st_ctim.tv_nsec)
        #endif
    }
}
