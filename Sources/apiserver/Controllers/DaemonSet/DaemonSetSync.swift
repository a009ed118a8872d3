import ControllerRuntime
import Logging

/// One DaemonSet's sync (Kubernetes' `syncDaemonSet`): claim its pods, create the missing
/// ones and delete the ones that should not be there (`manage`), then, when every earlier
/// create and delete has been observed, the rolling update; and always the status.
struct DaemonSetSync: Sendable {
    let client: Client
    let logger: Logger
    let events: EventRecorder?
    let clock: any RuntimeClock
    let daemonSets: SharedInformer
    let pods: SharedInformer
    let nodes: SharedInformer
    let revisions: SharedInformer
    let expectations: ControllerExpectations
    let backoff: FailedPodBackoff
    let placementCache: PlacementCache
    let queue: WorkQueue<String>

    /// The key of the DaemonSet controlling the pod, if one does.
    func ownerKey(_ pod: JSON) -> String? {
        guard let ref = ControllerRefs.controllerOf(pod), ref["kind"] == "DaemonSet", ref["apiVersion"] == "apps/v1",
              let ns = pod["metadata"]["namespace"].stringValue, let name = ref["name"].stringValue else { return nil }
        let key = "\(ns)/\(name)"
        guard let ds = daemonSets.indexer.get(key), ds["metadata"]["uid"] == ref["uid"] else { return nil }
        return key
    }

    /// The DaemonSets whose selector matches an orphan pod (they may adopt it).
    func orphanMatches(_ pod: JSON) -> [String] {
        guard PodState.isNotBeingDeleted(pod), let ns = pod["metadata"]["namespace"].stringValue else { return [] }
        return daemonSets.indexer.byIndex(Indexes.namespace, ns).compactMap { ds in
            Self.selector(ds)?.matches(labelsJSON: pod["metadata"]["labels"]) == true ? Indexer.key(ds) : nil
        }
    }

    /// The DaemonSet's selector, unless invalid or empty (which selects nothing).
    static func selector(_ ds: JSON) -> LabelSelector? {
        guard let s = WorkloadSelector.of(ds), !s.isEmpty else { return nil }
        return s
    }

    func sync(_ key: String) async throws(Status) {
        guard let ds = daemonSets.indexer.get(key) else {
            expectations.forget(key)
            return
        }
        // Being deleted: its pods go with it (garbage collector); nothing to create.
        guard ds["metadata"]["deletionTimestamp"].isNull, let selector = Self.selector(ds) else { return }
        // The current template's revision; its hash is the one up-to-date pods carry.
        let (current, old) = try await constructHistory(ds, selector: selector)
        let hash = current["metadata"]["labels"][DaemonPods.revisionHashLabel].stringValue ?? ""
        let nodeList = placementCache.placements(daemonSetUID: ds["metadata"]["uid"].stringValue ?? "", template: ds["spec"]["template"],
                                                 templateHash: hash, nodes: nodes.indexer.list())
        // Read before the pod cache (as Kubernetes): once satisfied, the cache holds every pod
        // this controller made. Read after, a pod observed in between would be missing from
        // the snapshot while its creation counts as seen, and its node would get a second one.
        let managing = expectations.satisfied(key)
        let claimed = await Claims(client: client, owner: ds, ownerType: .daemonSets, dependentType: .pods, selector: selector)
            .claim(pods.indexer.byIndex(Indexes.namespace, ds["metadata"]["namespace"].stringValue ?? ""))
        guard managing else {
            try await updateStatus(ds, key: key, nodeList: nodeList, byNode: Self.podsByNode(claimed, includeDeletedTerminal: false),
                                   hash: hash, observed: false)
            return
        }
        try await manage(ds, key: key, nodeList: nodeList, byNode: Self.podsByNode(claimed, includeDeletedTerminal: true), hash: hash)
        // Each later step reads the cache again (Kubernetes' getNodesToDaemonPods per step):
        // manage's writes, once observed, are there, and the rolling update must not act on
        // a pod manage already replaced (surge: a second new pod; otherwise a second delete).
        if expectations.satisfied(key) && ds["spec"]["updateStrategy"]["type"].stringValue != "OnDelete" {
            try await rollingUpdate(ds, key: key, nodeList: nodeList,
                                    byNode: Self.podsByNode(currentPods(ds, selector: selector, claimed: claimed), includeDeletedTerminal: true),
                                    hash: hash)
        }
        let now = currentPods(ds, selector: selector, claimed: claimed)
        try await cleanupHistory(ds, old: old, byNode: Self.podsByNode(now, includeDeletedTerminal: true))
        try await updateStatus(ds, key: key, nodeList: nodeList, byNode: Self.podsByNode(now, includeDeletedTerminal: false),
                               hash: hash, observed: true)
    }

    /// The DaemonSet's pods as the cache shows them now: those it controls that its selector
    /// still matches, and those this sync's claim adopted (their owner reaches the cache only
    /// with their event). Adoption and release happen once per sync, in the claim.
    func currentPods(_ ds: JSON, selector: LabelSelector, claimed: [JSON]) -> [JSON] {
        let uid = ds["metadata"]["uid"].stringValue ?? ""
        var out = pods.indexer.byIndex(Indexes.ownerUID, uid).filter {
            ControllerRefs.isControlled($0, byUID: uid) && selector.matches(labelsJSON: $0["metadata"]["labels"])
        }
        var seen = Set(out.compactMap { $0["metadata"]["uid"].stringValue })
        for p in claimed {
            guard let podUID = p["metadata"]["uid"].stringValue, seen.insert(podUID).inserted,
                  let cached = pods.indexer.get(Indexer.key(p)), cached["metadata"]["uid"].stringValue == podUID else { continue }
            out.append(cached)
        }
        return out
    }

    /// Claimed pods by the node they are on or for (`getNodesToDaemonPods`). Pods both
    /// finished and being deleted are left out of the status counts (the kubelet or pod GC
    /// is removing them) but kept for `manage`, so a node's new pod waits until its old one
    /// is gone from storage.
    static func podsByNode(_ claimed: [JSON], includeDeletedTerminal: Bool) -> [String: [JSON]] {
        var byNode: [String: [JSON]] = [:]
        for p in claimed {
            let phase = PodState.phase(p)
            if !includeDeletedTerminal && (phase == "Succeeded" || phase == "Failed") && PodState.isTerminating(p) { continue }
            guard let node = DaemonPlacement.targetNode(of: p) else { continue }
            byNode[node, default: []].append(p)
        }
        return byNode
    }

    /// Kubernetes' `manage`: which nodes need a pod and which pods must go.
    func manage(_ ds: JSON, key: String, nodeList: [NodePlacement], byNode: [String: [JSON]], hash: String) async throws(Status) {
        var needing: [String] = [], deleting: [JSON] = []
        for node in nodeList {
            let (create, delete) = podsShouldBeOnNode(node, ds: ds, pods: byNode[node.name] ?? [], hash: hash)
            if create { needing.append(node.name) }
            deleting += delete
        }
        let existing = Set(nodeList.map(\.name))
        // Not yet scheduled pods for a node that is gone will never be bound: remove them.
        // (Bound pods of deleted nodes are the pod garbage collector's.)
        for (node, list) in byNode where !existing.contains(node) {
            deleting += list.filter { ($0["spec"]["nodeName"].stringValue ?? "").isEmpty && PodState.isNotBeingDeleted($0) }
        }
        try await syncNodes(ds, key: key, delete: deleting, createOn: needing.sorted(), hash: hash)
    }

    /// `podsShouldBeOnNode`: whether the node needs a new pod, and which of its pods go.
    func podsShouldBeOnNode(_ node: NodePlacement, ds: JSON, pods: [JSON], hash: String) -> (create: Bool, delete: [JSON]) {
        let shouldRun = node.shouldRun, shouldContinueRunning = node.shouldContinueRunning, nodeName = node.name
        if shouldRun && pods.isEmpty { return (true, []) }
        guard shouldContinueRunning else { return (false, pods.filter(PodState.isNotBeingDeleted)) }
        var delete: [JSON] = [], running: [JSON] = []
        for p in pods where PodState.isNotBeingDeleted(p) {
            switch PodState.phase(p) {
            case "Failed":
                // Replaced after the node's back-off; the new pod is made once this one is gone.
                let backoffKey = "\(ds["metadata"]["uid"].stringValue ?? "")/\(nodeName)"
                let now = clock.now
                if let wait = backoff.remaining(backoffKey, now: now) {
                    queue.add(Indexer.key(ds), after: wait)
                    continue
                }
                backoff.next(backoffKey, now: now)
                let podName = p["metadata"]["name"].stringValue ?? ""
                record(ds, type: "Warning", reason: "FailedDaemonPod",
                       "Found failed daemon pod \(p["metadata"]["namespace"].stringValue ?? "")/\(podName) on node \(nodeName), will try to kill it")
                delete.append(p)
            case "Succeeded": delete.append(p)
            default: running.append(p)
            }
        }
        if Self.allowsSurge(ds) {
            // Surging: an old and a new pod may share the node; with none left, make one now.
            if running.isEmpty { return (shouldRun, delete) }
            return (false, running.count > 1 ? delete + surgeExcess(running, ds: ds, hash: hash) : delete)
        }
        // More than one live pod on the node: keep the oldest.
        if running.count > 1 { delete += running.sorted(by: DaemonPods.oldestFirst).dropFirst() }
        return (false, delete)
    }

    /// Kubernetes' `syncNodes` (`PodControl`): expectations first, then deletions, then
    /// creations in slow-start batches; the first error (a deletion's before a creation's).
    func syncNodes(_ ds: JSON, key: String, delete: [JSON], createOn nodeNames: [String], hash: String) async throws(Status) {
        guard !delete.isEmpty || !nodeNames.isEmpty else { return }
        let control = PodControl(client: client, events: events, expectations: expectations, owner: ds, ownerType: .daemonSets, key: key)
        control.expect(creations: nodeNames.count, deleting: delete)
        let deleteError = await control.deleteAll(delete).error
        let template = DaemonPods.template(of: ds, hash: hash)
        let createError = await control.createAll(nodeNames.map { DaemonPods.pod(from: template, owner: ds, node: $0) }).error
        if let error = deleteError ?? createError { throw error }
    }

    func record(_ ds: JSON, type: String = "Normal", reason: String, _ message: String) {
        events?.record(about: ds, .daemonSets, eventType: type, reason: reason, message)
    }
}
