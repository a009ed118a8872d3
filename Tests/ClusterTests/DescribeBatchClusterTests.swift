import Foundation
import Testing
import Wire

/// `ctl describe job|cronjob|daemonset` on objects the hub's controllers and a real kubelet
/// worked on, against kubectl 1.32's layout (times, ages, uids and pod names masked).
@Suite(.serialized) struct DescribeBatchClusterTests {
    typealias W = LogsExecWorkloadTests

    /// Dates, uids and generated pod names vary: each becomes a fixed word of its own
    /// (always in a line's last cell, so the alignment does not move); ages as maskAges.
    static func masked(_ text: String, uid: String) -> String {
        var out = CtlGetOutputTests.maskAges(text)
        out = out.replacingOccurrences(of: #"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000"#, with: "<date>", options: .regularExpression)
        out = out.replacingOccurrences(of: uid, with: "<uid>")
        return out.replacingOccurrences(of: #"Created pod: ([a-z]+)-[a-z0-9]{5}"#, with: "Created pod: $1-xxxxx", options: .regularExpression)
    }

    @Test func describeJobCronJobAndDaemonSet() async throws {
        try await PodCluster.run { c in
            let job = try await c.client.create(.jobs, namespace: "default", [
                "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "once", "labels": ["team": "a"]],
                "spec": ["template": W.template("once", script: "echo done", restartPolicy: "Never")],
            ])
            _ = try await c.client.create(.daemonSets, namespace: "default", [
                "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent"],
                "spec": ["selector": ["matchLabels": ["app": "agent"]], "template": W.template("agent", script: "exec sleep 1000")],
            ])
            _ = try await c.client.create(.cronJobs, namespace: "default", [
                "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "nightly"],
                "spec": ["schedule": "0 3 * * *", "suspend": true,
                         "jobTemplate": ["spec": ["template": W.template("nightly", script: "date", restartPolicy: "OnFailure")]]],
            ])
            try await eventually(30, "once Complete") {
                let j = try await c.client.get(.jobs, namespace: "default", name: "once")
                return (j["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Complete" && $0["status"] == "True" }
            }
            try await eventually(30, "agent's pod available") {
                try await c.client.get(.daemonSets, namespace: "default", name: "agent")["status"]["numberAvailable"] == 1
            }
            try await eventually(10, "the Completed and SuccessfulCreate events") {
                let reasons = try await c.client.list(.events, namespace: "default").items.compactMap { $0["reason"].stringValue }
                return reasons.contains("Completed") && reasons.filter { $0 == "SuccessfulCreate" }.count == 2
            }
            let uid = job["metadata"]["uid"].stringValue ?? ""
            #expect(Self.masked(try c.ctl.ok(["describe", "job", "once"]), uid: uid) == """
                Name:             once
                Namespace:        default
                Selector:         batch.kubernetes.io/controller-uid=<uid>
                Labels:           team=a
                Annotations:      <none>
                Parallelism:      1
                Completions:      1
                Completion Mode:  NonIndexed
                Suspend:          false
                Backoff Limit:    6
                Start Time:       <date>
                Completed At:     <date>
                Duration:         0s
                Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed
                Pod Template:
                  Labels:  app=once
                           batch.kubernetes.io/controller-uid=<uid>
                           batch.kubernetes.io/job-name=once
                           controller-uid=<uid>
                           job-name=once
                  Containers:
                   main:
                    Image:      busybox
                    Port:       <none>
                    Host Port:  <none>
                    Command:
                      /bin/sh
                      -c
                      echo done
                    Environment:   <none>
                    Mounts:        <none>
                  Volumes:         <none>
                  Node-Selectors:  <none>
                  Tolerations:     <none>
                Events:
                  Type    Reason            Age   From            Message
                  ----    ------            ----  ----            -------
                  Normal  SuccessfulCreate  0s    job-controller  Created pod: once-xxxxx
                  Normal  Completed         0s    job-controller  Job completed

                """)
            #expect(try c.ctl.ok(["describe", "cronjob", "nightly"]) == """
                Name:                          nightly
                Namespace:                     default
                Labels:                        <none>
                Annotations:                   <none>
                Schedule:                      0 3 * * *
                Concurrency Policy:            Allow
                Suspend:                       True
                Successful Job History Limit:  3
                Failed Job History Limit:      1
                Starting Deadline Seconds:     <unset>
                Selector:                      <unset>
                Parallelism:                   <unset>
                Completions:                   <unset>
                Pod Template:
                  Labels:  app=nightly
                  Containers:
                   main:
                    Image:      busybox
                    Port:       <none>
                    Host Port:  <none>
                    Command:
                      /bin/sh
                      -c
                      date
                    Environment:     <none>
                    Mounts:          <none>
                  Volumes:           <none>
                  Node-Selectors:    <none>
                  Tolerations:       <none>
                Last Schedule Time:  <unset>
                Active Jobs:         <none>
                Events:              <none>

                """)
            #expect(Self.masked(try c.ctl.ok(["describe", "ds", "agent"]), uid: uid) == """
                Name:           agent
                Namespace:      default
                Selector:       app=agent
                Node-Selector:  <none>
                Labels:         <none>
                Annotations:    deprecated.daemonset.template.generation: 1
                Desired Number of Nodes Scheduled: 1
                Current Number of Nodes Scheduled: 1
                Number of Nodes Scheduled with Up-to-date Pods: 1
                Number of Nodes Scheduled with Available Pods: 1
                Number of Nodes Misscheduled: 0
                Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed
                Pod Template:
                  Labels:  app=agent
                  Containers:
                   main:
                    Image:      busybox
                    Port:       <none>
                    Host Port:  <none>
                    Command:
                      /bin/sh
                      -c
                      exec sleep 1000
                    Environment:   <none>
                    Mounts:        <none>
                  Volumes:         <none>
                  Node-Selectors:  <none>
                  Tolerations:     <none>
                Events:
                  Type    Reason            Age   From                  Message
                  ----    ------            ----  ----                  -------
                  Normal  SuccessfulCreate  0s    daemonset-controller  Created pod: agent-xxxxx

                """)
            try await W.cleanUp(c, [(.jobs, "once"), (.daemonSets, "agent"), (.cronJobs, "nightly")])
        }
    }
}
