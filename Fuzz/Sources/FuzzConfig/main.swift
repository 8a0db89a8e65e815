import Foundation
import FuzzSupport
@testable import JobhookCore

/// The config loader: YAML in, a `Config` or problems out, never a trap. Oracles: a failure has at
/// least one problem, each at `rules.yaml:LINE:COLUMN` with LINE and COLUMN inside the text (1-based;
/// one past the last line for "unexpected end"), each with a message; a success remembers its file.
/// Lines are YAML's: CR alone, CR LF, LF, NEL, LS and PS each end one (editors mostly agree).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let yaml = String(decoding: fuzzInput(start, count), as: UTF8.self)
    let file = "rules.yaml"
    do {
        let config = try ConfigLoader.parse(yaml: yaml, file: file, environment: environment)
        oracle(config.sourcePath == file, "a loaded config forgot its file")
    } catch {
        oracle(!error.problems.isEmpty, "a failure without problems")
        let lengths = yamlLineLengths(yaml)
        let lines = lengths.count
        let longest = lengths.max() ?? 0
        for problem in error.problems {
            oracle(problem.file == file, "problem in \(problem.file.debugDescription)")
            oracle(problem.line >= 1 && problem.line <= lines + 1, "line \(problem.line) of \(lines): \(problem)")
            oracle(problem.column >= 1 && problem.column <= longest + 2, "column \(problem.column), longest line \(longest): \(problem)")
            oracle(!problem.message.isEmpty, "empty message at \(problem.line):\(problem.column)")
            oracle(problem.description.hasPrefix("\(file):\(problem.line):\(problem.column): "), "not FILE:LINE:COLUMN: \(problem)")
        }
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzConfig_main`): hands over to libFuzzer.
@_cdecl("FuzzConfig_main")
public func fuzzConfigMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzConfig(data.map(UnsafeRawPointer.init), size) }
}

/// What `rules.yaml.example` and the seeds name, so `${…}` expands instead of failing every time.
let environment = [
    "CCE_TOKEN": "fuzz-cce-token", "FEISHU_WEBHOOK": "https://open.feishu.cn/open-apis/bot/v2/hook/x",
    "FEISHU_SECRET": "fuzz-feishu-secret", "GITLAB_TRIGGER_TOKEN": "fuzz-gitlab", "GITHUB_TOKEN": "fuzz-github",
    "JENKINS_TRIGGER_TOKEN": "fuzz-jenkins", "HOOK_URL": "https://hooks.example.com/cce",
]

/// Characters in each line, as libyaml counts lines.
func yamlLineLengths(_ text: String) -> [Int] {
    var lengths = [0]
    var afterCR = false
    for scalar in text.unicodeScalars {
        defer { afterCR = scalar == "\r" }
        switch scalar {
        case "\n" where afterCR: continue
        case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": lengths.append(0)
        default: lengths[lengths.count - 1] += 1
        }
    }
    return lengths
}
