import Foundation

/// What the soak wrote and the server acknowledged, so reads can prove every acknowledged
/// write is still there. A write that failed without a clear "not done" answer (the
/// apiserver killed mid-request) is *uncertain*: it may or may not have happened, so it
/// sets no expectation.
struct TrackedObject {
    enum Kind: String, CaseIterable {
        case deployment = "Deployment", daemonSet = "DaemonSet", job = "Job", cronJob = "CronJob"
        var type: ResourceType {
            switch self {
            case .deployment: .deployments
            case .daemonSet: .daemonSets
            case .job: .jobs
            case .cronJob: .cronJobs
            }
        }
    }

    let kind: Kind
    let name: String
    let createdAt: Double
    /// From the acknowledged create (or seen later when the create was uncertain).
    var uid: String?
    /// The highest resourceVersion an acknowledged write returned.
    var ackedRV: Int?
    /// An acknowledged create and no delete sent: it must be readable.
    var mustExist = false
    /// Deployments: the last acknowledged spec.replicas and template generation marker
    /// (nil after an uncertain write, until the next acknowledged one).
    var replicas: Int?
    var templateMark: Int?
    /// A delete was sent (acknowledged or not): the object may be gone.
    var deleting = false

    var label: String { "\(kind.rawValue) \(name)" }
}

enum WriteOutcome {
    case acked(JSON)
    /// The server answered that it did not do it (4xx).
    case refused(Status)
    /// No clear answer: it may have happened.
    case uncertain(Status)

    init(_ body: () async throws(Status) -> JSON) async {
        do {
            self = .acked(try await body())
        } catch {
            self = (400..<500).contains(error.code) && error.code != 408 && error.code != 429 ? .refused(error) : .uncertain(error)
        }
    }
}

/// Compares what the server holds with what was acknowledged; returns one line per violation.
func ledgerViolations(_ tracked: [TrackedObject], live: [TrackedObject.Kind: [String: JSON]]) -> [String] {
    var out: [String] = []
    for t in tracked where t.mustExist {
        guard let items = live[t.kind] else { continue }
        guard let obj = items[t.name] else {
            out.append("acknowledged write lost: \(t.label) (uid \(t.uid ?? "?"), resourceVersion \(t.ackedRV.map(String.init) ?? "?")) is not readable")
            continue
        }
        let uid = obj["metadata"]["uid"].stringValue
        if let want = t.uid, uid != want {
            out.append("acknowledged write lost: \(t.label) has uid \(uid ?? "?"), the acknowledged create returned \(want)")
        }
        let rv = obj["metadata"]["resourceVersion"].stringValue.flatMap { Int($0) }
        if let want = t.ackedRV, let rv, rv < want {
            out.append("acknowledged write lost: \(t.label) is at resourceVersion \(rv), an acknowledged write returned \(want)")
        }
        if let want = t.replicas, let got = obj["spec"]["replicas"].intValue, got != want {
            out.append("acknowledged write lost: \(t.label) has spec.replicas \(got), the last acknowledged scale set \(want)")
        }
        if let want = t.templateMark, let got = SoakObjects.templateMark(obj), got != want {
            out.append("acknowledged write lost: \(t.label) has template generation \(got), the last acknowledged rollout set \(want)")
        }
    }
    return out
}
