import Foundation
import Wire

/// Graceful deletion, removal, and cleanup of everything the pod had on the node.
extension PodWorker {
    /// deletionTimestamp set: stop containers within the grace period, remove the sandbox,
    /// then delete the object for good (grace 0, uid precondition).
    func terminateGracefully() async {
        await refreshStatuses()
        let grace = Double(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30)
        await stopContainers(grace: grace)
        await killEverything(removeDirectories: true)
        finalized = await env.api.finalizeDeletion(pod)
    }

    /// Kills what still runs at once and removes the sandbox; with `removeDirectories`, the
    /// pod's log directory too.
    func killEverything(removeDirectories: Bool) async {
        await stopContainers(grace: 0, announce: false)
        let uid = pod.metadata.uid ?? ""
        var sandboxes = sandboxID.map { [$0] } ?? []
        for s in (try? await env.runtime.listPodSandboxes()) ?? [] where s.config.uid == uid && !sandboxes.contains(s.id) {
            sandboxes.append(s.id)
        }
        for id in sandboxes { try? await env.runtime.removePodSandbox(id) }
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
    }
}
