import Foundation
import Wire

/// Graceful deletion, removal, and cleanup of everything the pod had on the node.
extension PodWorker {
    /// deletionTimestamp set: stop containers within the grace period, remove the sandbox,
    /// then delete the object for good (grace 0, uid precondition). `resuming`: this worker
    /// first saw the pod already being deleted (a restarted kubelet), so only what is left of
    /// the grace period (until deletionTimestamp) is given.
    func terminateGracefully(resuming: Bool = false) async {
        await refreshStatuses()
        let full = Double(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
        let grace = resuming ? Self.remainingGrace(deletionTimestamp: pod.metadata.deletionTimestamp, full: full) : full
        await stopContainers(grace: grace)
        guard await killEverything(removeDirectories: true) else { return }
        finalized = await env.api.finalizeDeletion(pod)
    }

    /// The grace left until `deletionTimestamp` (the apiserver sets it to the deletion's time
    /// plus the grace period), at least 2 s (the kubelet's minimum grace) unless the grace
    /// period itself is shorter, at most the grace period.
    static func remainingGrace(deletionTimestamp: String?, full: Double, now: Double = Timestamp.nowSeconds()) -> Double {
        guard let end = deletionTimestamp.flatMap(Timestamp.parse) else { return full }
        return min(full, max(end - now, min(full, 2)))
    }

    /// Kills what still runs at once and removes the sandbox; with `removeDirectories`, the
    /// pod's log directory too. False when a sandbox could not be removed: it is kept (and
    /// the directories) for the next sync to retry, with one `FailedKillPod` event per error.
    @discardableResult
    func killEverything(removeDirectories: Bool) async -> Bool {
        await stopContainers(grace: 0, announce: false)
        let uid = pod.metadata.uid ?? ""
        var sandboxes = sandboxID.map { [$0] } ?? []
        for s in (try? await env.runtime.listPodSandboxes()) ?? [] where s.config.uid == uid && !sandboxes.contains(s.id) {
            sandboxes.append(s.id)
        }
        var failed: [String] = []
        for id in sandboxes {
            do {
                try await env.runtime.removePodSandbox(id)
            } catch {
                failed.append(id)
                let message = "error killing pod: \(error)"
                if lastKillError != message {
                    lastKillError = message
                    env.api.event(pod, fieldPath: nil, type: "Warning", reason: "FailedKillPod", message: message)
                }
            }
        }
        if !failed.isEmpty {
            if let id = sandboxID, !failed.contains(id) { sandboxID = nil; sandboxConfig = nil }
            return false
        }
        sandboxID = nil
        sandboxConfig = nil
        for name in tracks.keys {
            tracks[name]?.id = nil
            tracks[name]?.previousID = nil
        }
        if removeDirectories {
            try? VolumeManager(source: env.objects).tearDown(podDirectory: env.podDirectory(pod))
            try? FileManager.default.removeItem(atPath: env.podDirectory(pod))
            try? FileManager.default.removeItem(atPath: env.logDirectory(pod))
            volumePaths = nil
        }
        return true
    }
}
