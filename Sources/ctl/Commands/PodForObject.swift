import Foundation

/// What `ctl logs` and `ctl exec` run against, as kubectl 1.32 resolves it: `NAME` or
/// `pod/NAME` is the pod; `TYPE/NAME` of a workload (or a Service) is one of the pods its
/// selector matches in its namespace (kubectl's SelectorsForObject and GetFirstPod).
enum PodForObject {
    /// Which pod each command prefers: logs the one most worth reading (kubectl's
    /// podutils.ByLogging), exec the most active one (sort.Reverse(podutils.ActivePods)).
    enum Purpose {
        case logs, exec

        /// The start of kubectl's error for a kind without a pod selector.
        var refusal: String { self == .logs ? "cannot get the logs from" : "cannot attach to" }
    }

    /// The pod's name. With no pod matching yet, polls until one appears or `timeout`
    /// seconds pass (kubectl watches for one as long). For logs, several matches print
    /// `Found N pods, using pod/NAME` on stderr, as kubectl.
    static func podName(_ arg: String, for purpose: Purpose, session: Session, timeout: Double) async throws -> String {
        let parts = arg.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return arg }
        guard !parts[0].isEmpty, !parts[1].isEmpty else { throw CtlError("arguments in resource/name form must have a single resource and name") }
        let type = try ResourceArgs.resolve(parts[0])
        if type == .pods { return parts[1] }
        let namespace = session.settings.namespace
        let object = try await session.call(Request(verb: .get, resource: type.plural, namespace: type.namespaced ? namespace : nil, name: parts[1]))
        let selector = try podSelector(of: object, type: type, purpose: purpose)

        var req = Request(verb: .list, resource: ResourceType.pods.plural, namespace: object["metadata"]["namespace"].stringValue ?? namespace)
        req.labelSelector = selector.isEmpty ? nil : selector
        req.limit = Session.defaultPageSize
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let pods = try await session.listAll(req).items
            if !pods.isEmpty {
                let first = PodOrder.sorted(pods, purpose == .logs ? PodOrder.byLogging : PodOrder.reverseActive)[0]
                let name = first["metadata"]["name"].stringValue ?? ""
                if purpose == .logs && pods.count > 1 { Output.error("Found \(pods.count) pods, using pod/\(name)") }
                return name
            }
            guard Date() < deadline else { throw CtlError("timed out waiting for the condition") }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// The object's pod selector as label-selector text ("" selects every pod, as an
    /// empty LabelSelector does), or kubectl's error for kinds that have none.
    static func podSelector(of object: JSON, type: ResourceType, purpose: Purpose) throws -> String {
        switch type {
        case .replicaSets, .deployments, .daemonSets, .statefulSets, .jobs:
            let text = Columns.formatLabelSelector(object["spec"]["selector"])
            return text == "<none>" ? "" : text
        case .services:
            let labels = (object["spec"]["selector"].objectValue ?? JSONObject()).entries.sorted { $0.key < $1.key }
            guard !labels.isEmpty else {
                let name = object["metadata"]["name"].stringValue ?? ""
                throw CtlError("\(purpose.refusal) *v1.Service: invalid service '\(name)': Service is defined without a selector")
            }
            return labels.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
        default:
            // kubectl names the Go type: every kind Skiff knows is a `v1` package's.
            throw CtlError("\(purpose.refusal) *v1.\(type.kind): selector for *v1.\(type.kind) not implemented")
        }
    }
}

/// kubectl's `--pod-running-timeout`: how long logs and exec wait for a workload's first pod.
enum PodRunningTimeout {
    static let help = "How long to wait (like 5s, 2m or 3h, above zero) until a workload has a pod."

    static func seconds(_ text: String) throws -> Double {
        let seconds: Double
        do { seconds = try Duration.parse(text, flag: "--pod-running-timeout") } catch { throw CtlError("\(error)") }
        guard seconds > 0 else { throw CtlError("--pod-running-timeout must be higher than zero") }
        return seconds
    }
}
