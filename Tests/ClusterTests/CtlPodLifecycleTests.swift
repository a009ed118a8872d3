import Foundation
import Testing
import Wire

/// ctl against pods whose status an admin writes (as a kubelet would): `get pods` columns,
/// `describe`, and `delete` waiting for graceful deletion to be finalized.
@Suite(.serialized) struct CtlPodLifecycleTests {
    func createPod(_ f: Fixture, _ name: String, node: String?) throws {
        let nodeLine = node.map { "\n  nodeName: \($0)" } ?? ""
        _ = try f.ctl.ok(["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:\(nodeLine)
              containers: [{name: c, image: busybox, resources: {requests: {cpu: 250m, memory: 64Mi}}}]

            """)
    }

    func setStatus(_ c: Client, _ name: String, phase: String, _ state: JSON, ready: Bool = false, restarts: Int = 0, last: JSON? = nil) async throws {
        var status: JSON = ["name": "c", "image": "busybox", "imageID": "", "ready": .bool(ready), "restartCount": .int(restarts), "state": state]
        if let last { status["lastState"] = last }
        _ = try await c.patch(.pods, namespace: "default", name: name, ["status": ["phase": .string(phase), "containerStatuses": [status]]], status: true)
    }

    /// Ages and "(Ns ago)" vary by a second or two: their digits become 9.
    func fuzzAges(_ s: String) -> String {
        let re = try! NSRegularExpression(pattern: "\\b[0-9]+s\\b")
        var out = s
        for m in re.matches(in: s, range: NSRange(s.startIndex..., in: s)).reversed() {
            let r = Range(m.range, in: s)!
            out.replaceSubrange(r, with: String(s[r].map { $0.isNumber ? "9" : $0 }))
        }
        return out
    }

    @Test func getPodsShowsKubeletStatusesAndDeleteWaitsForFinalizing() async throws {
        let f = try Fixture()
        defer { f.close() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        for name in ["crash", "done", "going", "oom"] { try createPod(f, name, node: "n1") }
        let thirtySecondsAgo = Timestamp.format(Timestamp.nowSeconds() - 30)
        try await setStatus(admin, "crash", phase: "Running", ["waiting": ["reason": "CrashLoopBackOff"]], restarts: 5,
                            last: ["terminated": ["exitCode": 1, "reason": "Error", "finishedAt": .string(thirtySecondsAgo)]])
        try await setStatus(admin, "done", phase: "Succeeded", ["terminated": ["exitCode": 0, "reason": "Completed"]])
        try await setStatus(admin, "going", phase: "Running", ["running": ["startedAt": .string(thirtySecondsAgo)]], ready: true)
        try await setStatus(admin, "oom", phase: "Failed", ["terminated": ["exitCode": 137, "reason": "OOMKilled"]])
        #expect(try f.ctl.ok(["delete", "pod", "going", "--wait=false"]) == "pod \"going\" deleted\n")

        #expect(fuzzAges(try f.ctl.ok(["get", "pods"])) == """
            NAME    READY   STATUS             RESTARTS      AGE
            crash   0/1     CrashLoopBackOff   5 (99s ago)   9s
            done    0/1     Completed          0             9s
            going   1/1     Terminating        0             9s
            oom     0/1     OOMKilled          0             9s

            """)
        let described = try f.ctl.ok(["describe", "pod", "going"])
        #expect(described.contains("\nStatus:                    Terminating (lasts 29s)\nTermination Grace Period:  30s\n")
                || described.contains("\nStatus:                    Terminating (lasts 28s)\nTermination Grace Period:  30s\n"))
        #expect(described.contains("\nTolerations:      node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"))

        // describe node counts only the pods still running there.
        _ = try await admin.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
        let node = try f.ctl.ok(["describe", "node", "n1"])
        #expect(node.contains("Non-terminated Pods:"))
        #expect(node.contains("(2 in total)"))
        #expect(node.contains("  default                     crash    250m (0%)     0 (0%)      64Mi (0%)        0 (0%)         "))

        // A bound, running pod lingers until its kubelet finalizes it: delete waits, and
        // --timeout gives up as kubectl does.
        let timedOut = try f.ctl.run(["delete", "pod", "going", "--timeout=1s"])
        #expect(timedOut.code == 1)
        #expect(timedOut.stdout == "pod \"going\" deleted\n")
        #expect(timedOut.stderr == "error: timed out waiting for the condition on pods/going\n")
        let result = Locked<CtlResult?>(nil)
        let ctl = f.ctl
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let r = try? ctl.run(["delete", "pod", "crash"])
            result.withLock { $0 = r }
            finished.signal()
        }
        try await eventually(10, "crash marked") {
            try await !admin.get(.pods, namespace: "default", name: "crash")["metadata"]["deletionTimestamp"].isNull
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(result.value == nil, "delete returned before the pod was finalized")
        let uid = try await admin.get(.pods, namespace: "default", name: "crash")["metadata"]["uid"].stringValue
        _ = try await admin.delete(.pods, namespace: "default", name: "crash", uid: uid, gracePeriodSeconds: 0)
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(result.value?.stdout == "pod \"crash\" deleted\n")

        // Finished pods go at once; --force --grace-period=0 removes a running one at once.
        #expect(try f.ctl.ok(["delete", "pod", "oom"]) == "pod \"oom\" deleted\n")
        let force = try f.ctl.run(["delete", "pod", "going", "--grace-period=0", "--force"])
        #expect(force.code == 0 && force.stdout == "pod \"going\" force deleted\n")
        #expect(force.stderr == "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n")
        #expect(try f.ctl.ok(["get", "pods", "-o", "name"]) == "pod/done\n")
    }
}
