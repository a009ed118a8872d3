import Testing
import Wire
@testable import ctl

/// `ctl describe job|cronjob|daemonset` against what kubectl 1.32's describers print for
/// the same objects (the events section added as `ctl describe` adds it).
@Suite struct BatchDescriberTests {
    static func text(_ w: DescribeWriter) -> String {
        var w = w
        Describer.events([], &w)
        return w.text
    }

    @Test func jobWithEveryOptionalField() {
        let job: JSON = [
            "metadata": ["name": "pi", "namespace": "default", "uid": "u1", "labels": ["app": "pi", "tier": "batch"],
                         "annotations": ["note": "x", "kubectl.kubernetes.io/last-applied-configuration": "{}"],
                         "ownerReferences": [["apiVersion": "batch/v1", "kind": "CronJob", "name": "hourly", "uid": "c1", "controller": true]]],
            "spec": ["parallelism": 2, "completions": 3, "completionMode": "Indexed", "suspend": false, "backoffLimit": 4,
                     "ttlSecondsAfterFinished": 100, "activeDeadlineSeconds": 600,
                     "selector": ["matchLabels": ["batch.kubernetes.io/controller-uid": "u1"]],
                     "template": ["metadata": ["labels": ["batch.kubernetes.io/controller-uid": "u1", "batch.kubernetes.io/job-name": "pi"]],
                                  "spec": ["restartPolicy": "Never",
                                           "containers": [["name": "pi", "image": "perl:5.34.0", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]]]]]],
            "status": ["startTime": "2026-11-30T10:00:00Z", "completionTime": "2026-11-30T10:02:05Z", "ready": 0, "succeeded": 3, "failed": 1,
                       "completedIndexes": "0-2"],
        ]
        #expect(Self.text(JobDescriber.describeJob(job)) == """
            Name:                        pi
            Namespace:                   default
            Selector:                    batch.kubernetes.io/controller-uid=u1
            Labels:                      app=pi
                                         tier=batch
            Annotations:                 note: x
            Controlled By:               CronJob/hourly
            Parallelism:                 2
            Completions:                 3
            Completion Mode:             Indexed
            Suspend:                     false
            Backoff Limit:               4
            TTL Seconds After Finished:  100
            Start Time:                  Mon, 30 Nov 2026 10:00:00 +0000
            Completed At:                Mon, 30 Nov 2026 10:02:05 +0000
            Duration:                    2m5s
            Active Deadline Seconds:     600s
            Pods Statuses:               0 Active (0 Ready) / 3 Succeeded / 1 Failed
            Completed Indexes:           0-2
            Pod Template:
              Labels:  batch.kubernetes.io/controller-uid=u1
                       batch.kubernetes.io/job-name=pi
              Containers:
               pi:
                Image:      perl:5.34.0
                Port:       <none>
                Host Port:  <none>
                Command:
                  perl
                  -Mbignum=bpi
                  -wle
                  print bpi(2000)
                Environment:   <none>
                Mounts:        <none>
              Volumes:         <none>
              Node-Selectors:  <none>
              Tolerations:     <none>
            Events:            <none>

            """)
    }

    /// A work queue (no completions), not started, from an old controller (no status.ready).
    @Test func jobWithoutOptionalFields() {
        let job: JSON = ["metadata": ["name": "q", "namespace": "ns1"], "spec": ["parallelism": 4, "template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]],
                         "status": ["active": 2]]
        #expect(Self.text(JobDescriber.describeJob(job)) == """
            Name:           q
            Namespace:      ns1
            Selector:       
            Labels:         <none>
            Annotations:    <none>
            Parallelism:    4
            Completions:    <unset>
            Pods Statuses:  2 Active / 0 Succeeded / 0 Failed
            Pod Template:
              Labels:  <none>
              Containers:
               c:
                Image:         busybox
                Port:          <none>
                Host Port:     <none>
                Environment:   <none>
                Mounts:        <none>
              Volumes:         <none>
              Node-Selectors:  <none>
              Tolerations:     <none>
            Events:            <none>

            """)
    }

    /// kubectl's capIndexesListOrNone: cut at the first comma from 50 characters on.
    @Test func completedIndexesAreCapped() {
        let long = (0..<40).map { String($0 * 2) }.joined(separator: ",")
        #expect(JobDescriber.capIndexes(long, softLimit: 50) == "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,...")
        #expect(JobDescriber.capIndexes("1-3,7", softLimit: 50) == "1-3,7")
        #expect(JobDescriber.capIndexes("", softLimit: 50) == "<none>")
    }

    @Test func cronJob() {
        let cj: JSON = [
            "metadata": ["name": "hourly", "namespace": "default"],
            "spec": ["schedule": "0 * * * *", "concurrencyPolicy": "Forbid", "suspend": true, "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                     "startingDeadlineSeconds": 30,
                     "jobTemplate": ["spec": ["completions": 2, "activeDeadlineSeconds": 60,
                                              "template": ["spec": ["restartPolicy": "OnFailure",
                                                                    "containers": [["name": "work", "image": "busybox", "command": ["/bin/sh", "-c", "date"]]]]]]]],
            "status": ["lastScheduleTime": "2026-11-30T10:00:00Z",
                       "active": [["kind": "Job", "namespace": "default", "name": "hourly-29410200"], ["kind": "Job", "namespace": "default", "name": "hourly-29410260"]]],
        ]
        #expect(Self.text(JobDescriber.describeCronJob(cj)) == """
            Name:                          hourly
            Namespace:                     default
            Labels:                        <none>
            Annotations:                   <none>
            Schedule:                      0 * * * *
            Concurrency Policy:            Forbid
            Suspend:                       True
            Successful Job History Limit:  3
            Failed Job History Limit:      1
            Starting Deadline Seconds:     30s
            Selector:                      <unset>
            Parallelism:                   <unset>
            Completions:                   2
            Active Deadline Seconds:       60s
            Pod Template:
              Labels:  <none>
              Containers:
               work:
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
            Last Schedule Time:  Mon, 30 Nov 2026 10:00:00 +0000
            Active Jobs:         hourly-29410200, hourly-29410260
            Events:              <none>

            """)
        // Nothing scheduled yet, no suspend field: kubectl's <unset>s.
        var fresh = cj
        fresh[path: ["status"]] = [:]
        fresh[path: ["spec", "suspend"]] = .null
        fresh[path: ["spec", "startingDeadlineSeconds"]] = .null
        let lines = Self.text(JobDescriber.describeCronJob(fresh)).split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("Suspend:") || $0.hasPrefix("Starting") || $0.hasPrefix("Last") || $0.hasPrefix("Active Jobs") } == [
            "Suspend:                       <unset>",
            "Starting Deadline Seconds:     <unset>",
            "Last Schedule Time:  <unset>",
            "Active Jobs:         <none>",
        ])
    }

    /// The five node counts are written without a tab, so they break the alignment.
    @Test func daemonSet() {
        let ds: JSON = [
            "metadata": ["name": "fluentd", "namespace": "kube-system", "uid": "d1", "labels": ["k8s-app": "fluentd-logging"],
                         "annotations": ["deprecated.daemonset.template.generation": "1"]],
            "spec": ["selector": ["matchLabels": ["name": "fluentd"]],
                     "template": ["metadata": ["labels": ["name": "fluentd"]],
                                  "spec": ["nodeSelector": ["disk": "ssd", "arch": "amd64"],
                                           "containers": [["name": "fluentd", "image": "quay.io/fluentd_elasticsearch/fluentd:v2.5.2"]]]]],
            "status": ["desiredNumberScheduled": 2, "currentNumberScheduled": 2, "updatedNumberScheduled": 1, "numberAvailable": 1, "numberMisscheduled": 0],
        ]
        let counts = WorkloadDescriber.PodCounts(running: 1, waiting: 1)
        #expect(Self.text(WorkloadDescriber.describeDaemonSet(ds, pods: counts)) == """
            Name:           fluentd
            Namespace:      kube-system
            Selector:       name=fluentd
            Node-Selector:  arch=amd64,disk=ssd
            Labels:         k8s-app=fluentd-logging
            Annotations:    deprecated.daemonset.template.generation: 1
            Desired Number of Nodes Scheduled: 2
            Current Number of Nodes Scheduled: 2
            Number of Nodes Scheduled with Up-to-date Pods: 1
            Number of Nodes Scheduled with Available Pods: 1
            Number of Nodes Misscheduled: 0
            Pods Status:  1 Running / 1 Waiting / 0 Succeeded / 0 Failed
            Pod Template:
              Labels:  name=fluentd
              Containers:
               fluentd:
                Image:         quay.io/fluentd_elasticsearch/fluentd:v2.5.2
                Port:          <none>
                Host Port:     <none>
                Environment:   <none>
                Mounts:        <none>
              Volumes:         <none>
              Node-Selectors:  arch=amd64
                               disk=ssd
              Tolerations:     <none>
            Events:            <none>

            """)
    }
}
