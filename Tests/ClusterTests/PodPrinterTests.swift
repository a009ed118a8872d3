import Testing
import Wire
@testable import ctl

/// `get pods`, `get events`, `describe pod` and `describe node` against what kubectl 1.32
/// prints for the same objects (its printPod, printEvent, describePod, describeNode), at a
/// fixed "now" so ages are exact.
@Suite struct PodPrinterTests {
    /// 2026-11-28T10:00:00Z.
    static let now = Timestamp.parse("2026-11-28T10:00:00Z")!

    func pod(phase: String, containers: [JSON], statuses: [JSON], extra: (inout JSON) -> Void = { _ in }) -> JSON {
        var p: JSON = ["metadata": ["name": "p", "namespace": "default", "creationTimestamp": "2026-11-28T09:00:00Z"],
                       "spec": ["containers": .array(containers)],
                       "status": ["phase": .string(phase), "containerStatuses": .array(statuses)]]
        extra(&p)
        return p
    }

    func row(_ p: JSON, wide: Bool = false) -> [String] { PodColumns.row(p, name: "p", age: "1h", wide: wide, now: Self.now) }

    static let running: JSON = ["running": ["startedAt": "2026-11-28T09:00:05Z"]]

    @Test func statusReadyAndRestartsColumns() {
        let c: JSON = ["name": "c", "image": "busybox"]
        let crashing = pod(phase: "Running", containers: [c], statuses: [[
            "name": "c", "ready": false, "restartCount": 5, "state": ["waiting": ["reason": "CrashLoopBackOff", "message": "back-off 2m40s"]],
            "lastState": ["terminated": ["exitCode": 1, "reason": "Error", "finishedAt": "2026-11-28T09:59:55Z"]],
        ]])
        #expect(row(crashing) == ["p", "0/1", "CrashLoopBackOff", "5 (5s ago)", "1h"])
        let oom = pod(phase: "Failed", containers: [c], statuses: [["name": "c", "ready": false, "restartCount": 0,
                                                                    "state": ["terminated": ["exitCode": 137, "reason": "OOMKilled"]]]])
        #expect(row(oom) == ["p", "0/1", "OOMKilled", "0", "1h"])
        let done = pod(phase: "Succeeded", containers: [c], statuses: [["name": "c", "ready": false, "restartCount": 0,
                                                                        "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]]])
        #expect(row(done) == ["p", "0/1", "Completed", "0", "1h"])
        // A finished pod being deleted keeps its reason; a running one is Terminating.
        #expect(row(done) == row(pod(phase: "Succeeded", containers: [c], statuses: done["status"]["containerStatuses"].arrayValue!) {
            $0[path: ["metadata", "deletionTimestamp"]] = "2026-11-28T10:00:30Z"
        }))
        let up = pod(phase: "Running", containers: [c], statuses: [["name": "c", "ready": true, "restartCount": 0, "state": Self.running]])
        #expect(row(up) == ["p", "1/1", "Running", "0", "1h"])
        var going = up
        going[path: ["metadata", "deletionTimestamp"]] = "2026-11-28T10:00:30Z"
        #expect(row(going) == ["p", "1/1", "Terminating", "0", "1h"])
        let creating = pod(phase: "Pending", containers: [c], statuses: [["name": "c", "ready": false, "restartCount": 0,
                                                                          "state": ["waiting": ["reason": "ContainerCreating"]]]])
        #expect(row(creating) == ["p", "0/1", "ContainerCreating", "0", "1h"])
        let failed = pod(phase: "Failed", containers: [c], statuses: [["name": "c", "ready": false, "restartCount": 0,
                                                                       "state": ["terminated": ["exitCode": 1, "reason": "Error"]]]])
        #expect(row(failed) == ["p", "0/1", "Error", "0", "1h"])
        let signalled = pod(phase: "Failed", containers: [c], statuses: [["name": "c", "ready": false, "restartCount": 0,
                                                                          "state": ["terminated": ["exitCode": 137, "signal": 9]]]])
        #expect(row(signalled)[2] == "Signal:9")
        let exited = pod(phase: "Failed", containers: [c], statuses: [["name": "c", "ready": false, "restartCount": 0,
                                                                       "state": ["terminated": ["exitCode": 2]]]])
        #expect(row(exited)[2] == "ExitCode:2")
        // One container done, one running and the pod Ready: Running, 1/2.
        let half = pod(phase: "Running", containers: [c, ["name": "d", "image": "busybox"]], statuses: [
            ["name": "c", "ready": true, "restartCount": 2, "state": Self.running,
             "lastState": ["terminated": ["exitCode": 1, "finishedAt": "2026-11-28T09:30:00Z"]]],
            ["name": "d", "ready": false, "restartCount": 1, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]],
             "lastState": ["terminated": ["exitCode": 1, "finishedAt": "2026-11-28T09:58:00Z"]]],
        ]) { $0[path: ["status", "conditions"]] = [["type": "Ready", "status": "True"]] }
        #expect(row(half) == ["p", "1/2", "Running", "3 (2m ago)", "1h"])
        // The pod's own reason (an eviction) wins over the phase.
        let evicted = pod(phase: "Failed", containers: [c], statuses: []) { $0[path: ["status", "reason"]] = "Evicted" }
        #expect(row(evicted) == ["p", "0/1", "Evicted", "0", "1h"])
    }

    @Test func initContainerStatuses() {
        let c: JSON = ["name": "c", "image": "busybox"], i: JSON = ["name": "init", "image": "busybox"]
        let waitingMain: JSON = ["name": "c", "ready": false, "restartCount": 0, "state": ["waiting": ["reason": "PodInitializing"]]]
        func withInit(_ state: JSON, restarts: Int = 0, conditions: JSON = []) -> JSON {
            pod(phase: "Pending", containers: [c], statuses: [waitingMain]) {
                $0[path: ["spec", "initContainers"]] = [i]
                $0[path: ["status", "initContainerStatuses"]] = [["name": "init", "ready": false, "restartCount": .int(restarts), "state": state]]
                $0[path: ["status", "conditions"]] = conditions
            }
        }
        #expect(row(withInit(Self.running)) == ["p", "0/1", "Init:0/1", "0", "1h"])
        #expect(row(withInit(["terminated": ["exitCode": 1, "reason": "Error"]], restarts: 2)) == ["p", "0/1", "Init:Error", "2", "1h"])
        #expect(row(withInit(["waiting": ["reason": "CrashLoopBackOff"]]))[2] == "Init:CrashLoopBackOff")
        #expect(row(withInit(["terminated": ["exitCode": 0, "reason": "Completed"]],
                             conditions: [["type": "Initialized", "status": "True"]])) == ["p", "0/1", "PodInitializing", "0", "1h"])
    }

    @Test func wideColumns() {
        let p = pod(phase: "Running", containers: [["name": "c"]], statuses: []) {
            $0[path: ["spec", "nodeName"]] = "n1"
            $0[path: ["status", "podIP"]] = "10.0.0.5"
            $0[path: ["status", "podIPs"]] = [["ip": "10.0.0.5"]]
            $0[path: ["spec", "readinessGates"]] = [["conditionType": "example.com/a"], ["conditionType": "example.com/b"]]
            $0[path: ["status", "conditions"]] = [["type": "example.com/a", "status": "True"], ["type": "example.com/b", "status": "False"]]
        }
        #expect(row(p, wide: true) == ["p", "0/1", "Running", "0", "1h", "10.0.0.5", "n1", "<none>", "1/2"])
        let bare = pod(phase: "Pending", containers: [["name": "c"]], statuses: [])
        #expect(row(bare, wide: true) == ["p", "0/1", "Pending", "0", "1h", "<none>", "<none>", "<none>", "<none>"])
    }

    static let backOff: JSON = [
        "metadata": ["name": "p.187a", "namespace": "default"], "type": "Warning", "reason": "BackOff",
        "message": "Back-off restarting failed container c in pod p_default(u1)\n", "count": 3,
        "firstTimestamp": "2026-11-28T09:50:00Z", "lastTimestamp": "2026-11-28T09:59:30Z",
        "involvedObject": ["kind": "Pod", "name": "p", "namespace": "default", "fieldPath": "spec.containers{c}"],
        "source": ["component": "kubelet", "host": "n1"],
    ]

    @Test func eventColumns() {
        #expect(Columns.eventRow(Self.backOff, wide: false, now: Self.now)
            == ["30s", "Warning", "BackOff", "pod/p", "Back-off restarting failed container c in pod p_default(u1)"])
        #expect(Columns.eventRow(Self.backOff, wide: true, now: Self.now)
            == ["30s", "Warning", "BackOff", "pod/p", "spec.containers{c}", "kubelet, n1",
                "Back-off restarting failed container c in pod p_default(u1)", "10m", "3", "p.187a"])
        let once: JSON = ["type": "Normal", "reason": "Scheduled", "message": "m", "firstTimestamp": "2026-11-28T09:59:00Z",
                          "involvedObject": ["kind": "Pod", "name": "p"], "source": ["component": "default-scheduler"]]
        #expect(Columns.eventRow(once, wide: true, now: Self.now) == ["60s", "Normal", "Scheduled", "pod/p", "", "default-scheduler", "m", "60s", "1", ""])
    }

    @Test func describePodAsKubectl() {
        let p: JSON = [
            "metadata": ["name": "web", "namespace": "default", "uid": "u1", "creationTimestamp": "2026-11-28T09:24:20Z", "labels": ["app": "web"]],
            "spec": [
                "nodeName": "n1", "priority": 0, "serviceAccountName": "default",
                "containers": [[
                    "name": "app", "image": "busybox:1.36", "command": ["sh", "-c", "echo hi; sleep 3600"],
                    "ports": [["containerPort": 8080, "protocol": "TCP"]],
                    "resources": ["limits": ["cpu": "500m", "memory": "128Mi"], "requests": ["cpu": "250m", "memory": "64Mi"]],
                    "env": [["name": "MODE", "value": "prod"], ["name": "POD", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]]]],
                    "volumeMounts": [["name": "data", "mountPath": "/data"]],
                    "readinessProbe": ["httpGet": ["path": "/healthz", "port": 8080, "scheme": "HTTP"], "timeoutSeconds": 1, "periodSeconds": 10,
                                       "successThreshold": 1, "failureThreshold": 3],
                ]],
                "volumes": [["name": "data", "emptyDir": [:]]],
                "tolerations": [
                    ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                    ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                ],
            ],
            "status": [
                "phase": "Running", "hostIP": "10.0.0.5", "podIP": "10.0.0.5", "podIPs": [["ip": "10.0.0.5"]],
                "startTime": "2026-11-28T09:24:22Z", "qosClass": "Burstable",
                "conditions": [["type": "Initialized", "status": "True"], ["type": "Ready", "status": "True"],
                               ["type": "ContainersReady", "status": "True"], ["type": "PodScheduled", "status": "True"]],
                "containerStatuses": [[
                    "name": "app", "containerID": "host://1234", "image": "busybox:1.36", "imageID": "", "ready": true, "restartCount": 1,
                    "state": ["running": ["startedAt": "2026-11-28T09:25:00Z"]],
                    "lastState": ["terminated": ["exitCode": 137, "reason": "OOMKilled", "startedAt": "2026-11-28T09:24:23Z",
                                                 "finishedAt": "2026-11-28T09:24:59Z"]],
                ]],
            ],
        ]
        var w = Describer.describe(.pods, p, now: Self.now)
        Describer.events([
            ["type": "Normal", "reason": "Scheduled", "message": "Successfully assigned default/web to n1",
             "firstTimestamp": "2026-11-28T09:24:20Z", "lastTimestamp": "2026-11-28T09:24:20Z", "count": 1,
             "source": ["component": "default-scheduler"]],
            ["type": "Warning", "reason": "OOMKilled", "message": "Container app was OOM-killed", "count": 4,
             "firstTimestamp": "2026-11-28T09:40:00Z", "lastTimestamp": "2026-11-28T09:59:00Z", "source": ["component": "kubelet", "host": "n1"]],
        ], &w, now: Self.now)
        #expect(w.text == """
            Name:             web
            Namespace:        default
            Priority:         0
            Service Account:  default
            Node:             n1/10.0.0.5
            Start Time:       Sat, 28 Nov 2026 09:24:22 +0000
            Labels:           app=web
            Annotations:      <none>
            Status:           Running
            IP:               10.0.0.5
            IPs:
              IP:  10.0.0.5
            Containers:
              app:
                Container ID:  host://1234
                Image:         busybox:1.36
                Image ID:      
                Port:          8080/TCP
                Host Port:     0/TCP
                Command:
                  sh
                  -c
                  echo hi; sleep 3600
                State:          Running
                  Started:      Sat, 28 Nov 2026 09:25:00 +0000
                Last State:     Terminated
                  Reason:       OOMKilled
                  Exit Code:    137
                  Started:      Sat, 28 Nov 2026 09:24:23 +0000
                  Finished:     Sat, 28 Nov 2026 09:24:59 +0000
                Ready:          True
                Restart Count:  1
                Limits:
                  cpu:     500m
                  memory:  128Mi
                Requests:
                  cpu:      250m
                  memory:   64Mi
                Readiness:  http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3
                Environment:
                  MODE:  prod
                  POD:   web (v1:metadata.name)
                Mounts:
                  /data from data (rw)
            Conditions:
              Type              Status
              Initialized       True 
              Ready             True 
              ContainersReady   True 
              PodScheduled      True 
            Volumes:
              data:
                Type:        EmptyDir (a temporary directory that shares a pod's lifetime)
                Medium:      
                SizeLimit:   <unset>
            QoS Class:       Burstable
            Node-Selectors:  <none>
            Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
            Events:
              Type     Reason     Age                From               Message
              ----     ------     ----               ----               -------
              Normal   Scheduled  35m                default-scheduler  Successfully assigned default/web to n1
              Warning  OOMKilled  60s (x4 over 20m)  kubelet            Container app was OOM-killed

            """)
    }
}

extension PodPrinterTests {
    @Test func describeNodeListsPodsAndAllocatedResources() {
        let node: JSON = [
            "metadata": ["name": "n1", "uid": "n1-uid", "creationTimestamp": "2026-11-28T09:00:00Z", "labels": ["kubernetes.io/hostname": "n1"]],
            "spec": ["podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]],
            "status": [
                "capacity": ["cpu": "2", "memory": "4Gi", "ephemeral-storage": "10Gi", "pods": "110"],
                "allocatable": ["cpu": "2", "memory": "4Gi", "ephemeral-storage": "10Gi", "pods": "110"],
                "conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                                "lastHeartbeatTime": "2026-11-28T09:59:50Z", "lastTransitionTime": "2026-11-28T09:00:05Z"]],
                "addresses": [["type": "InternalIP", "address": "10.0.0.5"], ["type": "Hostname", "address": "n1"]],
                "nodeInfo": ["kernelVersion": "6.8.0", "osImage": "Ubuntu 24.04", "operatingSystem": "linux", "architecture": "amd64",
                             "containerRuntimeVersion": "host://0.1.0", "kubeletVersion": "v1.32.0-skiff"],
            ],
        ]
        func pod(_ ns: String, _ name: String, _ resources: JSON) -> JSON {
            ["metadata": ["name": .string(name), "namespace": .string(ns), "creationTimestamp": "2026-11-28T09:50:00Z"],
             "spec": ["nodeName": "n1", "containers": [["name": "c", "resources": resources]]]]
        }
        let pods = [
            pod("default", "web", ["requests": ["cpu": "250m", "memory": "64Mi"], "limits": ["cpu": "500m", "memory": "128Mi"]]),
            pod("kube-system", "agent", ["requests": ["cpu": "100m"]]),
        ]
        let w = Describer.describe(.nodes, node, lease: .null, nodePods: pods, now: Self.now)
        let text = w.text
        let tail = text[text.range(of: "System Info:")!.lowerBound...]
        #expect(String(tail) == """
            System Info:
              Machine ID:                 
              System UUID:                
              Boot ID:                    
              Kernel Version:             6.8.0
              OS Image:                   Ubuntu 24.04
              Operating System:           linux
              Architecture:               amd64
              Container Runtime Version:  host://0.1.0
              Kubelet Version:            v1.32.0-skiff
              Kube-Proxy Version:         
            PodCIDR:                      10.244.1.0/24
            PodCIDRs:                     10.244.1.0/24
            Non-terminated Pods:          (2 in total)
              Namespace                   Name     CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
              ---------                   ----     ------------  ----------  ---------------  -------------  ---
              default                     web      250m (12%)    500m (25%)  64Mi (1%)        128Mi (3%)     10m
              kube-system                 agent    100m (5%)     0 (0%)      0 (0%)           0 (0%)         10m
            Allocated resources:
              (Total limits may be over 100 percent, i.e., overcommitted.)
              Resource           Requests    Limits
              --------           --------    ------
              cpu                350m (17%)  500m (25%)
              memory             64Mi (1%)   128Mi (3%)
              ephemeral-storage  0 (0%)      0 (0%)

            """)
    }

    @Test func quantitySumsPrintAsKubernetes() {
        func sum(_ qs: [String]) -> String {
            var s = NodeAllocation.Sum()
            for q in qs { s.add(.string(q)) }
            return s.text
        }
        #expect(sum([]) == "0")
        #expect(sum(["1", "500m"]) == "1500m")
        #expect(sum(["1500m", "500m"]) == "2")
        #expect(sum(["64Mi", "64Mi"]) == "128Mi")
        #expect(sum(["1Gi", "512Mi"]) == "1536Mi")
        #expect(sum(["1000", "1000"]) == "2k")
        #expect(sum(["128974848"]) == "128974848")
        #expect(sum(["1536"]) == "1536")
    }
}
