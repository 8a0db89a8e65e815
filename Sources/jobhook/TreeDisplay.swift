import CCE
import Foundation
import JobhookCore
import Synchronization

/// The live tree `jobhook watch` draws on a terminal: redrawn in place (cursor up, clear) on every
/// change and once a second so elapsed times move.
final class TreeDisplay: Sendable {
    private struct State {
        var trees: [String: Job] = [:]
        var notes: [String] = []
        var drawnLines = 0
    }

    private let jobIDs: [String]
    private let enabled: Bool
    private let state = Mutex(State())

    init(jobIDs: [String], enabled: Bool) {
        self.jobIDs = jobIDs
        self.enabled = enabled
    }

    func update(_ tree: Job, for jobID: String) {
        state.withLock { $0.trees[jobID] = tree }
        redraw()
    }

    func note(_ line: String) {
        state.withLock { $0.notes.append(line) }
        redraw()
    }

    func redraw() {
        guard enabled else { return }
        let now = Date()
        let text: String = state.withLock { state in
            var lines: [String] = []
            for id in jobIDs {
                if let tree = state.trees[id] {
                    lines += WatchFormat.tree(tree, now: now)
                } else {
                    lines.append("… \(id) (waiting for the first answer)")
                }
            }
            lines += state.notes.suffix(5).map { "! " + $0 }
            let erase = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)F\u{1B}[J" : ""
            state.drawnLines = lines.count
            return erase + lines.joined(separator: "\n") + "\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
