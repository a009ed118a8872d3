import Foundation

/// The objects the soak churns: real commands only (pods run /bin/sleep or /bin/sh), each
/// labelled `soak-app=<name>` so orphans can be found after an orphan delete.
enum SoakObjects {
    static let appLabel = "soak-app"
    static let markEnv = "SOAK_TEMPLATE"

    static func template(app: String, command: [String], mark: Int = 0, restartPolicy: String = "Always") -> JSON {
        let cmd = JSON.array(command.map { JSON.string($0) })
        let env: JSON = [["name": .string(markEnv), "value": .string(String(mark))]]
        return ["metadata": ["labels": [appLabel: .string(app)]],
                "spec": ["restartPolicy": .string(restartPolicy), "terminationGracePeriodSeconds": 2,
                         "containers": [["name": "main", "image": "busybox", "command": cmd, "env": env]]]]
    }

    static let sleeper = ["/bin/sleep", "3600"]

    static func deployment(_ name: String, replicas: Int) -> JSON {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
         "spec": ["replicas": .init(integerLiteral: replicas), "selector": ["matchLabels": [appLabel: .string(name)]],
                  "template": template(app: name, command: sleeper)]]
    }

    /// A merge patch that changes the pod template (a rolling update).
    static func rollout(_ name: String, mark: Int) -> JSON {
        ["spec": ["template": template(app: name, command: sleeper, mark: mark)]]
    }

    static func daemonSet(_ name: String) -> JSON {
        ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": .string(name)],
         "spec": ["selector": ["matchLabels": [appLabel: .string(name)]],
                  "template": template(app: name, command: sleeper)]]
    }

    static let shortWork = ["/bin/sh", "-c", "sleep 1; exit 0"]

    static func job(_ name: String, completions: Int) -> JSON {
        ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)],
         "spec": ["completions": .init(integerLiteral: completions), "parallelism": 1, "backoffLimit": 6,
                  "template": template(app: name, command: shortWork, restartPolicy: "Never")]]
    }

    static func cronJob(_ name: String) -> JSON {
        ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name)],
         "spec": ["schedule": "* * * * *", "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 1,
                  "jobTemplate": ["metadata": ["labels": [appLabel: .string(name)]], "spec": ["template": template(app: name, command: shortWork, restartPolicy: "Never")]]]]
    }

    static func templateMark(_ obj: JSON) -> Int? {
        let env = obj["spec"]["template"]["spec"]["containers"].arrayValue?.first?["env"].arrayValue ?? []
        return env.first { $0["name"].stringValue == markEnv }?["value"].stringValue.flatMap { Int($0) }
    }
}
