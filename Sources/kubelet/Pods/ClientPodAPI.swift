import KubeletCore
import Logging
import Synchronization

/// Pod workers' writes over the kubelet's client: status through `pods/status` strategic
/// merge patches (PodStatusPatch) with the pod's uid as precondition (one writer task per pod, newest status wins, retried
/// with back-off through outages; given up when the pod is gone or replaced),
/// finalizing deletes, and events through the `EventRecorder`.
final class ClientPodAPI: PodAPI {
    let client: Client
    let events: EventRecorder
    let logger: Logger
    private let pending = Mutex<[String: PendingStatus]>([:])

    struct PendingStatus {
        var namespace: String
        var name: String
        var status: PodStatus
        /// The pod object `status` was built from (what the patch must not undo of others').
        var seen: Pod
        var writing: Bool
    }

    init(client: Client, events: EventRecorder, logger: Logger) {
        self.client = client
        self.events = events
        self.logger = logger
    }

    func writeStatus(_ pod: Pod, _ status: PodStatus) {
        guard let uid = pod.metadata.uid else { return }
        let startWriter = pending.withLock { all -> Bool in
            let writing = all[uid]?.writing ?? false
            all[uid] = PendingStatus(namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "", status: status, seen: pod, writing: true)
            return !writing
        }
        if startWriter { Task { await self.drain(uid) } }
    }

    /// Writes the newest status of `uid` until none is left; retries failures with back-off
    /// (0.2 s doubling to 10 s), so statuses catch up after an outage.
    private func drain(_ uid: String) async {
        var backoff = 0.2
        var written: PodStatus?
        while true {
            guard let next = pending.withLock({ all -> PendingStatus? in
                guard let p = all[uid] else { return nil }
                if p.status == written {
                    all[uid] = nil
                    return nil
                }
                return p
            }) else { return }
            do {
                let patch = try PodStatusPatch.body(uid: uid, status: next.status, seen: next.seen)
                _ = try await client.patch(.pods, namespace: next.namespace, name: next.name, patch, patchType: "strategic",
                                           status: true, timeout: 10)
                written = next.status
                backoff = 0.2
            } catch let error as Status where error.isNotFound || error.code == 409 || error.code == 403 {
                pending.withLock { _ = $0.removeValue(forKey: uid) }
                return
            } catch {
                logger.debug("pod status write failed, retrying", metadata: ["pod": .string("\(next.namespace)/\(next.name)"), "error": .string("\(error)")])
                try? await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
                backoff = min(backoff * 2, 10)
            }
        }
    }

    func finalizeDeletion(_ pod: Pod) async -> Bool {
        do {
            try await client.delete(.pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", uid: pod.metadata.uid,
                                    gracePeriodSeconds: 0)
            return true
        } catch {
            if error.isNotFound || error.code == 409 { return true }
            logger.debug("pod deletion failed, retrying", metadata: ["pod": .string(pod.metadata.name ?? ""), "error": .string(error.message)])
            return false
        }
    }

    func event(_ pod: Pod, fieldPath: String?, type: String, reason: String, message: String) {
        var ref = ObjectReference(kind: "Pod", namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, uid: pod.metadata.uid,
                                  apiVersion: "v1")
        ref.fieldPath = fieldPath
        events.record(ref, type: type, reason: reason, message: message)
    }
}

/// ConfigMaps and Secrets read one at a time, as the node authorizer allows.
struct ClientPodObjectSource: PodObjectSource {
    let client: Client

    func configMap(namespace: String, name: String) async throws -> ConfigMap? {
        guard let json = try await client.getIfPresent(.configMaps, namespace: namespace, name: name) else { return nil }
        return try Client.decode(ConfigMap.self, json)
    }

    func secret(namespace: String, name: String) async throws -> Secret? {
        guard let json = try await client.getIfPresent(.secrets, namespace: namespace, name: name) else { return nil }
        return try Client.decode(Secret.self, json)
    }
}
