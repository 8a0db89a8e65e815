import CCE
import Foundation
@testable import JobhookCore

/// Shared YAML and events for the config, routing and rendering tests.
enum ConfigFixtures {
    static let file = "rules.yaml"

    /// Every section and option, valid.
    static let fullYAML = """
        cce:
          region: cn-north-4
          endpoint: http://127.0.0.1:8080
          project_id: 0a1b2c3d4e5f
          auth:
            token: ${CCE_TOKEN}
          timeout: 10s
        poll:
          interval: 15s
          concurrency: 4
          max_rps: 10
          job_timeout: 1h30m
        watch:
          jobs: [354331b2c-229a-11e8-9c75-0255ac100ceb]
        state:
          path: /var/lib/jobhook/state.sqlite
        server:
          listen: 0.0.0.0:9787
          token: ${API_TOKEN}
        receivers:
          - name: ops-chat
            preset: feishu
            url: ${FEISHU_WEBHOOK}
            secret: ${FEISHU_SECRET}
            text: |
              CCE {{job.type}} {{job.resource_name}} is {{event.to}}: {{job.reason}}
            rate_limit: 20/1m
          - name: deploy-pipeline
            url: https://gitlab.example.com/api/v4/projects/42/trigger/pipeline
            method: put
            headers:
              X-Source: jobhook
              X-Job: "{{job.id}}"
            body:
              token: ${GITLAB_TRIGGER_TOKEN}
              ref: main
              attempts: 3
              ratio: 0.5
              dry: false
              nothing: ~
              quoted_number: "42"
              list: [a, "{{job.type}}", 7]
              variables:
                CLUSTER_ID: "{{job.cluster_id}}"
                WEBHOOK_ID: "{{event.id}}"
            signing:
              standard_webhooks: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=]
              hmac: {secret: "${HMAC_SECRET}", header: X-Hub-Signature-256}
            timeout: 5s
            retry:
              max_attempts: 5
              initial_backoff: 250ms
              max_backoff: 1m
              max_age: 2h
            rate_limit: {count: 1, per: 1s}
          - name: plain
            url: http://127.0.0.1:9/hook
            content_type: text/plain
            body_text: "{{job.type}} {{event.to}}: {{job.reason}}"
          - name: audit
            url: https://audit.example.com/events
        rules:
          - name: cluster-create-failed
            match:
              type: CreateCluster
              phase: Failed
              reason: "(?i)quota|insufficient"
              level: job
            unless:
              reason: "(?i)dry.?run"
            notify: [ops-chat]
          - name: cluster-ready
            match: {type: CreateCluster, phase: Success, level: job}
            notify: deploy-pipeline
            group_wait: 30s
          - name: any-failure
            match:
              phase: [Failed, Error]
              from: {regex: "^(Running|Initializing)?$"}
              cluster_id: {regex: [abc, "^c7"]}
              resource_name: [demo-cluster, other]
            notify: [plain, audit]
        """

    static let fullEnvironment = [
        "CCE_TOKEN": "tok-123", "API_TOKEN": "api-456", "FEISHU_WEBHOOK": "https://open.feishu.cn/open-apis/bot/v2/hook/SECRETHOOK",
        "FEISHU_SECRET": "feishu-secret", "GITLAB_TRIGGER_TOKEN": "glptt-789", "HMAC_SECRET": "hmac-secret",
    ]

    static func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigError) -> Config {
        try ConfigLoader.parse(yaml: yaml, file: file, environment: environment)
    }

    static func fullConfig() throws -> Config {
        try load(fullYAML, environment: fullEnvironment)
    }

    /// The printed problems of a YAML that must not load.
    static func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(yaml, environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    static func job(
        uid: String = "job-1", type: String = "CreateCluster", phase: String = "Failed", reason: String? = nil,
        clusterID: String? = "c7d1", resourceName: String? = "demo-cluster", subJobs: [Job] = []
    ) -> Job {
        Job(uid: uid, type: type, phase: phase, reason: reason, clusterID: clusterID, resourceName: resourceName,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 1_700_000_432),
            subJobs: subJobs)
    }

    /// A change of the top-level job (or, with `subjob`, of its only sub-job).
    static func change(
        type: String = "CreateCluster", from: String = "Running", to: String = "Failed", reason: String? = nil,
        level: PhaseChange.Level = .job, clusterID: String? = "c7d1", resourceName: String? = "demo-cluster"
    ) -> PhaseChange {
        if level == .subjob {
            let sub = job(uid: "sub-1", type: type, phase: to, reason: reason, clusterID: nil, resourceName: resourceName)
            let root = job(uid: "root-1", type: "CreateCluster", phase: "Running", clusterID: clusterID, subJobs: [sub])
            return PhaseChange(rootID: "root-1", uid: "sub-1", level: .subjob, from: from, to: to, job: sub, parent: root, root: root,
                               detectedAt: Date(timeIntervalSince1970: 1_700_000_500))
        }
        let root = job(uid: "root-1", type: type, phase: to, reason: reason, clusterID: clusterID, resourceName: resourceName)
        return PhaseChange(rootID: "root-1", uid: "root-1", level: .job, from: from, to: to, job: root, parent: nil, root: root,
                           detectedAt: Date(timeIntervalSince1970: 1_700_000_500))
    }
}
