import CCE
import Foundation
import JobhookCore

/// What `jobhook watch` shows: a live tree on a terminal, a line per change otherwise, or JSON
/// lines (`WatchFormat` has the exact text). Presentation only: the engine does the work.
struct WatchDisplay: Sendable {
    enum Output { case tree, lines, json }

    let output: Output
    let tree: TreeDisplay
    let redactor: Redactor

    init(jobIDs: [String], output: Output, redactor: Redactor = Redactor()) {
        self.output = output
        self.redactor = redactor
        tree = TreeDisplay(jobIDs: jobIDs, enabled: output == .tree)
    }

    func show(_ event: PollerEvent) {
        switch output {
        case .json:
            for line in WatchFormat.json(event) { print(line) }
        case .lines, .tree:
            switch event {
            case .changes(let changes, let tree):
                if output == .tree {
                    self.tree.update(tree, for: changes.first?.rootID ?? tree.uid ?? "")
                } else {
                    for change in changes { print(WatchFormat.line(change)) }
                }
            case .finished(let id, let tree):
                if output == .lines { print(PrintableText.escape("\(id) finished: \(tree.phase ?? "?")")) }
            case .timedOut(let id):
                report("\(id): timed out before it finished")
            case .expired(let id, let error), .failed(let id, let error):
                report("\(id): \(error)")
            case .credentialsRejected(let error):
                report("\(error)")
            }
        }
        fflush(nil)
    }

    func redraw() { tree.redraw() }

    /// Errors quote CCE's answers and endpoints: masked (`Redactor`) and escaped like the rest.
    private func report(_ line: String) {
        let line = PrintableText.escape(redactor.text(line))
        if output == .tree { tree.note(line) } else { printError(line) }
    }
}
