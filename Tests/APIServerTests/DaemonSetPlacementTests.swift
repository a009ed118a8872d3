import Testing
@testable import apiserver

/// Where the daemonset controller puts pods, and how the scheduler reads what it writes.
@Suite struct DaemonSetPlacementTests {
    static let preferred: JSON = [["weight": 1, "preference": ["matchExpressions": [["key": "ssd", "operator": "Exists"]]]]]
    static let affinity: JSON = ["nodeAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]]]],
        "preferredDuringSchedulingIgnoredDuringExecution": preferred,
    ]]
    static let ds: JSON = [
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": ["name": "agent", "namespace": "kube-system", "uid": "u-1", "generation": 4,
                     "annotations": ["deprecated.daemonset.template.generation": "3"]],
        "spec": ["selector": ["matchLabels": ["app": "agent"]],
                 "template": ["metadata": ["labels": ["app": "agent"]],
                              "spec": ["containers": [["name": "a", "image": "agent:1"]],
                                       "tolerations": [["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
                                                       ["key": "gpu", "operator": "Exists"]],
                                       "affinity": affinity]]],
    ]

    @Test func podIsPinnedByRequiredMatchFieldsAndGetsTheDaemonTolerations() {
        let pod = DaemonPods.pod(from: DaemonPods.template(of: Self.ds, hash: "h1"), owner: Self.ds, node: "n1")
        let expected: JSON = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["generateName": "agent-", "namespace": "kube-system",
                         "labels": ["app": "agent", "pod-template-generation": "3", "controller-revision-hash": "h1"],
                         "ownerReferences": [["apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": "u-1",
                                              "controller": true, "blockOwnerDeletion": true]]],
            "spec": ["containers": [["name": "a", "image": "agent:1"]],
                     "tolerations": [["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
                                     ["key": "gpu", "operator": "Exists"],
                                     ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
                                     ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
                                     ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
                                     ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
                                     ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"]],
                     "affinity": ["nodeAffinity": [
                         "requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
                             ["matchFields": [["key": "metadata.name", "operator": "In", "values": ["n1"]]]]]],
                         "preferredDuringSchedulingIgnoredDuringExecution": Self.preferred]]],
        ]
        #expect(pod == expected)
        #expect(DaemonPlacement.targetNode(of: pod) == "n1")
    }

    @Test func hostNetworkPodsAlsoTolerateNetworkUnavailable() {
        let t = DaemonPlacement.withDaemonTolerations(["hostNetwork": true])
        #expect(t.last == ["key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"])
        #expect(t.count == 7)
        #expect(DaemonPlacement.withDaemonTolerations([:]).count == 6)
    }

    /// The scheduler binds a daemon pod only to the node its matchFields names, cordoned or
    /// under pressure included.
    @Test func schedulerHonoursTheDaemonPodsMatchFields() {
        let pod = DaemonPods.pod(from: DaemonPods.template(of: Self.ds, hash: "h1"), owner: Self.ds, node: "n1")
        let miss = ["node(s) didn't match Pod's node affinity/selector"]
        let pressure: [JSON] = [["key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"],
                                ["key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"]]
        #expect(failures(pod, schedNode("n1")) == [])
        #expect(failures(pod, schedNode("n1", taints: pressure, unschedulable: true)) == [])
        #expect(failures(pod, schedNode("n2")) == miss)
        // matchFields and matchExpressions of one term must both hold; another field key
        // never matches (only metadata.name is a node field).
        let both: JSON = ["nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": ["n1"]]],
                                                 "matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]]]]
        let p2 = schedPod("p", spec: ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": both]]])
        #expect(failures(p2, schedNode("n1", labels: ["zone": "a"])) == [])
        #expect(failures(p2, schedNode("n1", labels: ["zone": "b"])) == miss)
        let uid: JSON = ["nodeSelectorTerms": [["matchFields": [["key": "metadata.uid", "operator": "In", "values": ["n1"]]]]]]
        let p3 = schedPod("p", spec: ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": uid]]])
        #expect(failures(p3, schedNode("n1")) == miss)
        // Two terms: either may match.
        let either: JSON = ["nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": ["n1"]]]],
                                                  ["matchFields": [["key": "metadata.name", "operator": "NotIn", "values": ["n1", "n3"]]]]]]
        let p4 = schedPod("p", spec: ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": either]]])
        #expect([schedNode("n1"), schedNode("n2"), schedNode("n3")].map { failures(p4, $0) } == [[], [], miss])
    }

    @Test func eligibility() {
        let t = Self.ds["spec"]["template"]
        func run(_ node: JSON) -> [Bool] {
            let r = DaemonPlacement.shouldRun(template: t, on: node)
            return [r.shouldRun, r.shouldContinueRunning]
        }
        let zoneA: JSON = ["zone": "a"]
        #expect(run(schedNode("n1", labels: zoneA)) == [true, true])
        // Cordoned: the unschedulable taint is tolerated.
        #expect(run(schedNode("n1", labels: zoneA, taints: [["key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"]],
                              unschedulable: true)) == [true, true])
        // The template's affinity must match.
        #expect(run(schedNode("n1", labels: ["zone": "b"])) == [false, false])
        // An untolerated NoSchedule taint: no new pod, a running one stays.
        #expect(run(schedNode("n1", labels: zoneA, taints: [["key": "dedicated", "value": "db", "effect": "NoSchedule"]])) == [false, true])
        // An untolerated NoExecute taint: not even a running one.
        #expect(run(schedNode("n1", labels: zoneA, taints: [["key": "dedicated", "value": "db", "effect": "NoExecute"]])) == [false, false])
        // PreferNoSchedule is not a reason; the template tolerates gpu taints of any effect.
        #expect(run(schedNode("n1", labels: zoneA, taints: [["key": "dedicated", "effect": "PreferNoSchedule"],
                                                            ["key": "gpu", "value": "x", "effect": "NoExecute"]])) == [true, true])
        // Not ready: the not-ready NoSchedule taint keeps new pods off (as the scheduler).
        #expect(run(schedNode("n1", labels: zoneA, ready: "False")) == [false, true])
        // A template naming another node.
        var pinned = t
        pinned[path: ["spec", "nodeName"]] = "n2"
        #expect(DaemonPlacement.shouldRun(template: pinned, on: schedNode("n1", labels: zoneA)) == (false, false))
    }

    @Test func templateHashAndUpdatedPods() {
        // Pinned: a change to the hash would relabel every daemon pod of an upgraded cluster.
        #expect(DaemonHistory.hash(of: Self.ds) == "66c769f8fd")
        var changed = Self.ds
        changed[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "agent:2"]]
        #expect(DaemonHistory.hash(of: changed) != DaemonHistory.hash(of: Self.ds))
        // Key order does not change the hash.
        var reordered = Self.ds
        reordered[path: ["spec", "template"]] = ["spec": Self.ds["spec"]["template"]["spec"], "metadata": Self.ds["spec"]["template"]["metadata"]]
        #expect(DaemonHistory.hash(of: reordered) == DaemonHistory.hash(of: Self.ds))
        #expect(DaemonHistory.hash(of: Self.ds).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        // The canonical form Deployments use: empty lists and nulls are no change.
        var withEmpty = Self.ds
        withEmpty[path: ["spec", "template", "spec", "volumes"]] = []
        withEmpty[path: ["spec", "template", "spec", "hostname"]] = .null
        #expect(DaemonHistory.hash(of: withEmpty) == DaemonHistory.hash(of: Self.ds))
        let pod: JSON = ["metadata": ["labels": ["controller-revision-hash": "h1", "pod-template-generation": "3"]]]
        #expect(DaemonPods.isUpdated(pod, hash: "h1", generation: 4))
        #expect(DaemonPods.isUpdated(pod, hash: "h2", generation: 3))
        #expect(!DaemonPods.isUpdated(pod, hash: "h2", generation: 4))
    }

    @Test func maxUnavailableAsNodes() throws {
        func ds(_ v: JSON) -> JSON { ["spec": ["updateStrategy": ["rollingUpdate": ["maxUnavailable": v]]]] }
        #expect(try DaemonSetSync.maxUnavailable(ds(2), desired: 10) == 2)
        #expect(try DaemonSetSync.maxUnavailable(ds("25%"), desired: 10) == 3)
        #expect(try DaemonSetSync.maxUnavailable(ds("10%"), desired: 3) == 1)
        #expect(try DaemonSetSync.maxUnavailable(ds(0), desired: 3) == 1)
        #expect(try DaemonSetSync.maxSurge(ds(0), desired: 3) == 0)
        let surging: JSON = ["spec": ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": "50%"]]]]
        #expect(try DaemonSetSync.maxUnavailable(surging, desired: 3) == 0)
        #expect(try DaemonSetSync.maxSurge(surging, desired: 3) == 2)
        #expect(DaemonSetSync.allowsSurge(surging))
        let onDelete: JSON = ["spec": ["updateStrategy": ["type": "OnDelete", "rollingUpdate": ["maxSurge": 1]]]]
        #expect(!DaemonSetSync.allowsSurge(onDelete))
        // A malformed value (validation refuses it) fails the sync instead of reading as the default.
        #expect(throws: Status.self) { try DaemonSetSync.maxUnavailable(ds("a lot"), desired: 3) }
        let badSurge: JSON = ["spec": ["updateStrategy": ["rollingUpdate": ["maxUnavailable": 0, "maxSurge": "x%"]]]]
        #expect(!DaemonSetSync.allowsSurge(badSurge))
    }

    @Test func failedPodBackoffDoubles() {
        let b = FailedPodBackoff()
        #expect(b.remaining("k", now: 100) == nil)
        b.next("k", now: 100)
        #expect(b.remaining("k", now: 100.5) == 0.5)
        #expect(b.remaining("k", now: 101) == nil)
        b.next("k", now: 101)
        #expect(b.remaining("k", now: 102) == 1)
        b.next("k", now: 5000)
        #expect(b.remaining("k", now: 5000) == 1)
    }

    /// Entries go with their DaemonSet or node, and stale ones (older than twice the
    /// 900 s maximum) at the next write.
    @Test func failedPodBackoffIsPruned() {
        let b = FailedPodBackoff()
        b.next("u-1/n1", now: 100)
        b.next("u-1/n2", now: 100)
        b.next("u-2/n1", now: 100)
        b.next("u-3/n3", now: 1000)
        #expect(b.count == 4)
        b.forget(daemonSetUID: "u-2")
        #expect(b.count == 3)
        b.forget(node: "n2")
        #expect(b.count == 2)
        // 1801 s after the first write: u-1/n1 is stale and goes; u-3/n3 (801 s old) stays.
        b.next("u-4/n4", now: 1901)
        #expect(b.count == 2)
        #expect(b.remaining("u-3/n3", now: 1000.5) == 0.5)
    }

    /// A verdict is reused while the node's resourceVersion and the template hash hold;
    /// either changing recomputes it; nodes no longer listed fall out.
    @Test func placementCacheReusesVerdictsByNodeVersionAndTemplateHash() {
        let cache = PlacementCache()
        let template: JSON = ["spec": ["containers": [["name": "a", "image": "agent:1"]]]]
        func node(_ name: String, rv: String, pinned: Bool) -> JSON {
            var n = schedNode(name, taints: pinned ? [["key": "dedicated", "value": "x", "effect": "NoSchedule"]] : [])
            n[path: ["metadata", "resourceVersion"]] = .string(rv)
            return n
        }
        func verdicts(_ p: [NodePlacement]) -> [String] { p.map { "\($0.name) \($0.shouldRun) \($0.shouldContinueRunning)" } }
        let first = cache.placements(daemonSetUID: "u-1", template: template, templateHash: "h1",
                                     nodes: [node("n1", rv: "5", pinned: false), node("n2", rv: "6", pinned: false)])
        #expect(verdicts(first) == ["n1 true true", "n2 true true"])
        // Same resourceVersion, same hash: the cached verdict (even though this copy differs).
        let cached = cache.placements(daemonSetUID: "u-1", template: template, templateHash: "h1",
                                      nodes: [node("n1", rv: "5", pinned: true), node("n2", rv: "6", pinned: false)])
        #expect(verdicts(cached) == ["n1 true true", "n2 true true"])
        // A new resourceVersion, or a new template hash: recomputed.
        let moved = cache.placements(daemonSetUID: "u-1", template: template, templateHash: "h1",
                                     nodes: [node("n1", rv: "7", pinned: true), node("n2", rv: "6", pinned: false)])
        #expect(verdicts(moved) == ["n1 false true", "n2 true true"])
        let rehashed = cache.placements(daemonSetUID: "u-1", template: template, templateHash: "h2",
                                        nodes: [node("n1", rv: "7", pinned: true), node("n2", rv: "6", pinned: true)])
        #expect(verdicts(rehashed) == ["n1 false true", "n2 false true"])
        #expect(cache.count == 2)
        _ = cache.placements(daemonSetUID: "u-1", template: template, templateHash: "h2", nodes: [node("n1", rv: "7", pinned: true)])
        #expect(cache.count == 1)
        _ = cache.placements(daemonSetUID: "u-2", template: template, templateHash: "h2", nodes: [node("n1", rv: "7", pinned: true)])
        cache.forget(node: "n1")
        #expect(cache.count == 0)
        _ = cache.placements(daemonSetUID: "u-2", template: template, templateHash: "h2", nodes: [node("n1", rv: "7", pinned: true)])
        cache.forget(daemonSetUID: "u-2")
        #expect(cache.count == 0)
    }
}

/// The DaemonSet update strategy is validated as Kubernetes does (after its defaults).
@Suite struct DaemonSetStrategyValidationTests {
    static func ds(_ strategy: JSON) -> JSON {
        var ds = DaemonSetPlacementTests.ds
        ds["metadata"] = ["name": "agent"]
        ds[path: ["spec", "template", "spec", "affinity"]] = .null
        if !strategy.isNull { ds[path: ["spec", "updateStrategy"]] = strategy }
        return ds
    }

    func createError(_ s: InProcessServer, _ strategy: JSON) async -> String? {
        do {
            _ = try await s.client.create(.daemonSets, namespace: "default", Self.ds(strategy))
            return nil
        } catch {
            return "\(error.code) \(error.message)"
        }
    }

    /// The server keeps the template generation in Kubernetes' annotation: at least 1 at
    /// create (a client's larger integer stays), one more per template change only, and a
    /// client's value is ignored on update.
    @Test func templateGenerationAnnotationCountsTemplateChanges() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let key = "deprecated.daemonset.template.generation"
        var given = Self.ds(.null)
        given[path: ["metadata", "annotations"]] = [key: "7"]
        var ds = try await s.client.create(.daemonSets, namespace: "default", given)
        #expect(ds["metadata"]["annotations"] == [key: "7"])
        #expect(ds["metadata"]["generation"] == 1)
        ds = try await s.client.patch(.daemonSets, namespace: "default", name: "agent", ["spec": ["minReadySeconds": 5]])
        #expect(ds["metadata"]["annotations"][key] == "7")
        #expect(ds["metadata"]["generation"] == 2)
        ds = try await s.client.patch(.daemonSets, namespace: "default", name: "agent",
                                      ["spec": ["template": ["metadata": ["labels": ["app": "agent", "v": "2"]]]]])
        #expect(ds["metadata"]["annotations"][key] == "8")
        #expect(ds["metadata"]["generation"] == 3)
        ds = try await s.client.patch(.daemonSets, namespace: "default", name: "agent", ["metadata": ["annotations": [key: "9"]]])
        #expect(ds["metadata"]["annotations"][key] == "8")
        try await s.client.delete(.daemonSets, namespace: "default", name: "agent")
        given[path: ["metadata", "annotations"]] = [key: "0"]
        #expect(try await s.client.create(.daemonSets, namespace: "default", given)["metadata"]["annotations"] == [key: "1"])
    }

    /// A DaemonSet stored before the annotation existed (its pods labelled with its
    /// metadata.generation) continues from that generation, so its next template change
    /// makes pods that no old pod's label matches.
    @Test func aDaemonSetWithoutTheAnnotationContinuesFromItsGeneration() {
        let key = "deprecated.daemonset.template.generation"
        var old = Self.ds(.null)
        old[path: ["metadata", "generation"]] = 3
        var new = old
        new[path: ["spec", "template", "metadata", "labels", "v"]] = "2"
        DaemonSetStrategy().prepareForUpdate(&new, old: old)
        #expect(new["metadata"]["annotations"] == [key: "4"])
        var same = old
        DaemonSetStrategy().prepareForUpdate(&same, old: old)
        #expect(same["metadata"]["annotations"] == [key: "3"])
    }

    /// Negative history limit or minReadySeconds are refused (ValidateDaemonSetSpec), and an
    /// int32 field out of range is a 400 naming it: nothing reaches the controller's arithmetic.
    @Test func specNumbersAreChecked() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        var ds = Self.ds(.null)
        ds[path: ["spec", "revisionHistoryLimit"]] = -1
        ds[path: ["spec", "minReadySeconds"]] = -2
        do {
            _ = try await s.client.create(.daemonSets, namespace: "default", ds)
            Issue.record("negative revisionHistoryLimit accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message == "DaemonSet.apps \"agent\" is invalid: [spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0, spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0]")
        }
        ds[path: ["spec", "minReadySeconds"]] = .null
        ds[path: ["spec", "revisionHistoryLimit"]] = .number("-9223372036854775808")
        do {
            _ = try await s.client.create(.daemonSets, namespace: "default", ds)
            Issue.record("an int64 revisionHistoryLimit accepted")
        } catch {
            #expect(error.code == 400)
            #expect(error.message == "DaemonSet in version \"v1\" cannot be handled as a DaemonSet: spec.revisionHistoryLimit: -9223372036854775808 is not a 32-bit integer")
        }
        #expect(try await s.client.list(.daemonSets, namespace: "default").items.isEmpty)
    }

    @Test func updateStrategyRules() async throws {
        let s = try await InProcessServer.start()
        defer { Task { await s.stop() } }
        let prefix = "422 DaemonSet.apps \"agent\" is invalid: "
        let path = "spec.updateStrategy.rollingUpdate"
        let cases: [(JSON, String?)] = [
            (["type": "Sometimes"], prefix + "spec.updateStrategy.type: Unsupported value: \"Sometimes\": supported values: \"RollingUpdate\", \"OnDelete\""),
            // maxSurge alone: maxUnavailable defaults to 1, and only one may be non-zero.
            (["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1]], prefix + "\(path).maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"),
            (["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": "0%"]],
             prefix + "\(path).maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
            // No type, no maxSurge: judged after defaults (RollingUpdate, maxSurge 0).
            (["rollingUpdate": ["maxUnavailable": 0]], prefix + "\(path).maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
            (["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": -1]], prefix + "\(path).maxUnavailable: Invalid value: -1: must be greater than or equal to 0"),
            (["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "150%"]], prefix + "\(path).maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"),
            (["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "half"]],
             prefix + "\(path).maxUnavailable: Invalid value: half: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"),
            (["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": "20%"]], nil),
            (["type": "OnDelete"], nil),
            (.null, nil),
        ]
        for (strategy, expected) in cases {
            let got = await createError(s, strategy)
            #expect(got == expected, "\(strategy.compactString) → \(got ?? "nil")")
            if expected == nil { try await s.client.delete(.daemonSets, namespace: "default", name: "agent") }
        }
        // Nothing was stored by the refused requests.
        #expect(try await s.client.list(.daemonSets, namespace: "default").items.isEmpty)
    }
}
