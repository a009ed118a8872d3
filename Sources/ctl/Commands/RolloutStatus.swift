import Foundation

/// `rollout status`: kubectl's status viewers' messages, printed as they change until the
/// rollout is done (each distinct message once, where kubectl prints one per watch event).
extension Rollout {
    enum Progress: Equatable {
        case waiting(String)
        case done(String)
    }

    /// kubectl's DeploymentStatusViewer.
    static func deploymentStatus(_ d: JSON, revision: Int) throws -> Progress {
        let name = d["metadata"]["name"].stringValue ?? ""
        if revision > 0 {
            let current = d["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue.flatMap { Int($0) }
            guard let current else { throw CtlError("cannot get the revision of deployment \"\(name)\": revision not found") }
            if revision != current { throw CtlError("desired revision (\(revision)) is different from the running revision (\(current))") }
        }
        let s = d["status"]
        guard (d["metadata"]["generation"].intValue ?? 0) <= (s["observedGeneration"].intValue ?? 0) else {
            return .waiting("Waiting for deployment spec update to be observed...")
        }
        let progressing = (s["conditions"].arrayValue ?? []).first { $0["type"] == "Progressing" }
        if progressing?["reason"] == "ProgressDeadlineExceeded" { throw CtlError("deployment \"\(name)\" exceeded its progress deadline") }
        let replicas = d["spec"]["replicas"].intValue ?? 1
        let updated = s["updatedReplicas"].intValue ?? 0, total = s["replicas"].intValue ?? 0, available = s["availableReplicas"].intValue ?? 0
        if updated < replicas {
            return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(updated) out of \(replicas) new replicas have been updated...")
        }
        if total > updated {
            return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(total - updated) old replicas are pending termination...")
        }
        if available < updated {
            return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(available) of \(updated) updated replicas are available...")
        }
        return .done("deployment \"\(name)\" successfully rolled out")
    }

    /// kubectl's DaemonSetStatusViewer.
    static func daemonSetStatus(_ ds: JSON) throws -> Progress {
        let name = ds["metadata"]["name"].stringValue ?? ""
        guard ds["spec"]["updateStrategy"]["type"].stringValue == "RollingUpdate" else {
            throw CtlError("rollout status is only available for RollingUpdate strategy type")
        }
        let s = ds["status"]
        guard (ds["metadata"]["generation"].intValue ?? 0) <= (s["observedGeneration"].intValue ?? 0) else {
            return .waiting("Waiting for daemon set spec update to be observed...")
        }
        let desired = s["desiredNumberScheduled"].intValue ?? 0
        let updated = s["updatedNumberScheduled"].intValue ?? 0, available = s["numberAvailable"].intValue ?? 0
        if updated < desired {
            return .waiting("Waiting for daemon set \"\(name)\" rollout to finish: \(updated) out of \(desired) new pods have been updated...")
        }
        if available < desired {
            return .waiting("Waiting for daemon set \"\(name)\" rollout to finish: \(available) of \(desired) updated pods are available...")
        }
        return .done("daemon set \"\(name)\" successfully rolled out")
    }

    func status(watch: Bool, timeout: Double, revision: Int) async throws {
        guard type == .deployments || type == .daemonSets else {
            throw CtlError("no status viewer has been implemented for \(type.kind)\(type.group.isEmpty ? "" : "." + type.group)")
        }
        let deadline = timeout > 0 ? Timestamp.nowSeconds() + timeout : nil
        var last: String?
        while true {
            let o = try await get()
            let progress = type == .deployments ? try Self.deploymentStatus(o, revision: revision) : try Self.daemonSetStatus(o)
            switch progress {
            case .done(let m):
                Output.print(m + "\n")
                return
            case .waiting(let m):
                if m != last { Output.print(m + "\n") }
                last = m
            }
            if !watch { return }
            if let deadline, Timestamp.nowSeconds() >= deadline { throw CtlError("timed out waiting for the condition") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
