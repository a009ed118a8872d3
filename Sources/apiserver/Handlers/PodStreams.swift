/// Where a `logs` or `exec` request goes: the pod's node, with the request the kubelet gets.
/// The checks are the apiserver's and kubelet's own, with their messages, so `ctl logs`
/// and `ctl exec` fail as kubectl does: the pod must exist (404), the container be named
/// when the pod has several, the pod be bound to a node, and the container have started.
extension APIService {
    struct StreamTarget {
        var node: String
        var forwarded: Request
    }

    func streamTarget(_ req: Request) throws(Status) -> StreamTarget {
        guard req.resource == "pods" else {
            throw Status.badRequest("\(req.verb.rawValue) is served for pods only: give resource \"pods\", a namespace and a pod name")
        }
        guard let ns = req.namespace, !ns.isEmpty else { throw Status.badRequest("a namespace is required for pods") }
        let name = try requireName(req)
        let pod: JSON
        switch try get(Request(verb: .get, resource: "pods", namespace: ns, name: name)) {
        case .encoded(let bytes, _):
            guard let parsed = try? JSON.parse(bytes) else { throw Status.internalError("the stored pod \(ns)/\(name) does not parse") }
            pod = parsed
        case .object(let o, _): pod = o
        case .failure(let s): throw s
        case .streaming: throw Status.internalError("unexpected answer")
        }
        var forwarded = Request(verb: req.verb, resource: "pods", namespace: ns, name: name)
        let uid = pod["metadata"]["uid"].stringValue ?? ""
        let node = pod["spec"]["nodeName"].stringValue ?? ""
        // In Kubernetes' order: the container's name, the pod's host, the container's state.
        let hostless = Status.badRequest("pod \(name) does not have a host assigned")
        if req.verb == .logs {
            var options = try LogOptions(json: req.body)
            options.container = try Self.container(options.container, in: pod, name: name)
            if node.isEmpty { throw hostless }
            try Self.checkLogStatus(pod, name: name, container: options.container, previous: options.previous)
            options.podUID = uid
            forwarded.body = options.json
        } else {
            var options = try ExecOptions(json: req.body)
            options.container = try Self.container(options.container, in: pod, name: name)
            if node.isEmpty { throw hostless }
            try Self.checkExecStatus(pod, name: name, container: options.container)
            options.podUID = uid
            forwarded.body = options.json
        }
        return StreamTarget(node: node, forwarded: forwarded)
    }

    /// The container asked for, or the pod's only one (Kubernetes' apiserver messages).
    static func container(_ asked: String, in pod: JSON, name: String) throws(Status) -> String {
        let names = (pod["spec"]["containers"].arrayValue ?? []).compactMap { $0["name"].stringValue }
        let initNames = (pod["spec"]["initContainers"].arrayValue ?? []).compactMap { $0["name"].stringValue }
        if asked.isEmpty {
            if names.count == 1 { return names[0] }
            var message = "a container name must be specified for pod \(name), choose one of: [\(names.joined(separator: " "))]"
            if !initNames.isEmpty { message += " or one of the init containers: [\(initNames.joined(separator: " "))]" }
            throw Status.badRequest(message)
        }
        guard names.contains(asked) || initNames.contains(asked) else {
            throw Status.badRequest("container \(asked) is not valid for pod \(name)")
        }
        return asked
    }

    static func containerStatus(_ pod: JSON, _ container: String) -> JSON? {
        for key in ["containerStatuses", "initContainerStatuses"] {
            if let s = pod["status"][key].arrayValue?.first(where: { $0["name"].stringValue == container }) { return s }
        }
        return nil
    }

    /// The kubelet's `validateContainerLogStatus`: which run has a log to read.
    static func checkLogStatus(_ pod: JSON, name: String, container: String, previous: Bool) throws(Status) {
        let quoted = "container \"\(container)\" in pod \"\(name)\""
        guard let status = containerStatus(pod, container) else {
            throw Status.badRequest("\(quoted) is waiting to start: ContainerCreating")
        }
        let state = status["state"]
        let lastTerminated = status["lastState"]["terminated"]
        if previous {
            if lastTerminated.objectValue == nil { throw Status.badRequest("previous terminated container \"\(container)\" in pod \"\(name)\" not found") }
            return
        }
        if state["running"].objectValue != nil || state["terminated"].objectValue != nil || lastTerminated.objectValue != nil { return }
        if let waiting = state["waiting"].objectValue {
            let reason = waiting["reason"]?.stringValue ?? ""
            switch reason {
            case "ErrImagePull": throw Status.badRequest("\(quoted) is waiting to start: image can't be pulled")
            case "ImagePullBackOff": throw Status.badRequest("\(quoted) is waiting to start: trying and failing to pull image")
            default: throw Status.badRequest("\(quoted) is waiting to start: \(reason)")
            }
        }
        throw Status.badRequest("\(quoted) is waiting to start - no logs yet")
    }

    /// Exec needs a running container; a finished pod is refused as kubectl refuses it.
    static func checkExecStatus(_ pod: JSON, name: String, container: String) throws(Status) {
        if let phase = pod["status"]["phase"].stringValue, phase == "Succeeded" || phase == "Failed" {
            throw Status.badRequest("cannot exec into a container in a completed pod; current phase is \(phase)")
        }
        let quoted = "container \"\(container)\" in pod \"\(name)\""
        guard let status = containerStatus(pod, container) else {
            throw Status.badRequest("\(quoted) is waiting to start: ContainerCreating")
        }
        if status["state"]["running"].objectValue != nil { return }
        if let reason = status["state"]["waiting"]["reason"].stringValue {
            throw Status.badRequest("\(quoted) is waiting to start: \(reason)")
        }
        throw Status.badRequest("\(quoted) is not running")
    }
}
