import Foundation
import Testing
import TestSupport

/// CCE text shown in tables is escaped like every other line (issue 16): a job type, phase or
/// resource name with an escape sequence or a newline cannot drive the terminal or forge a row.
@Suite struct PrintableOutputEndToEndTests {
    @Test func theJobsTableEscapesControlCharactersInCCEText() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            jobs:
              - id: job-hostile
                type: "Create\\e[2JCluster"
                cluster_id: c-1
                resource_name: "alpha\\nFORGED-ROW"
                timeline: [{after: 0s, phase: "Run\\aning"}]
            """)
        let config = try harness.writeConfig(receivers: "  []", rules: "  []", watch: [])
        try await Task.sleep(for: .milliseconds(300))
        let table = try await harness.run(["jobs", "-c", config])
        await harness.stop()
        #expect(table.status == 0, "\(table.stderr)")
        #expect(!table.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(table.stdout.debugDescription)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 2, "one header, one row: \(table.stdout.debugDescription)")
        #expect(table.stdout.contains("Create\\u{1B}[2JCluster") && table.stdout.contains("alpha\\nFORGED-ROW"), "\(table.stdout)")
        #expect(table.stdout.contains("Run\\u{7}ning"), "\(table.stdout)")
    }
}
