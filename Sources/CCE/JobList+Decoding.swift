public import Foundation

extension Job {
    /// Decodes a ListJobs answer into the same `Job` model ShowJob gives: V2Job elements (`clusteruid`,
    /// `resourcename`, `subjobs`, `status.status`) or v3 ones, as a bare array or under `items`, every
    /// element read as tolerantly as `decode` reads a job. Only a top level that is not a listing fails.
    public static func decodeList(_ data: Data) throws(JobDecodingError) -> [Job] {
        try JobScanner.decodeList(data) { (scanner: inout JobScanner) throws(JobScanner.Failure) in
            try scanner.listedJob()
        }
    }
}
