/// Public memberwise initializers for the pod status types (the kubelet builds them in
/// KubeletCore, outside this module).
extension PodCondition {
    public init(type: String, status: String, lastTransitionTime: String? = nil, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

extension IPEntry {
    public init(_ ip: String) { self.ip = ip }
}

extension ContainerStatus {
    public init(name: String, containerID: String?, image: String, imageID: String, state: ContainerState?, lastState: ContainerState?,
                ready: Bool, started: Bool?, restartCount: Int32) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
    }
}

extension ContainerState {
    public init(_ waiting: ContainerStateWaiting? = nil, _ running: ContainerStateRunning? = nil, _ terminated: ContainerStateTerminated? = nil) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

extension ContainerStateWaiting {
    public init(_ reason: String?, _ message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

extension ContainerStateRunning {
    public init(_ startedAt: String?) { self.startedAt = startedAt }
}

extension ContainerStateTerminated {
    public init(containerID: String?, exitCode: Int32, reason: String?, message: String?, startedAt: String?, finishedAt: String?) {
        self.exitCode = exitCode
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}
