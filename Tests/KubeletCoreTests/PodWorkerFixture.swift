import ControllerRuntime
import Foundation
import Synchronization
import Wire
@testable import KubeletCore

/// Records what pod workers write: statuses, events (`reason: message`), deletions.
final class RecordingPodAPI: PodAPI {
    struct State {
        var statuses: [PodStatus] = []
        var events: [String] = []
        var finalized: [String] = []
        var finalizeSucceeds = true
        /// What `observe` said when each status was written.
        var observations: [String] = []
    }
    let state = Mutex(State())
    /// Called as each status is written (tests look at the world at that instant).
    let observe: (@Sendable (PodStatus) -> String)?

    init(observe: (@Sendable (PodStatus) -> String)? = nil) { self.observe = observe }

    func writeStatus(_ pod: Pod, _ status: PodStatus) {
        let seen = observe?(status)
        state.withLock {
            $0.statuses.append(status)
            if let seen { $0.observations.append(seen) }
        }
    }

    func finalizeDeletion(_ pod: Pod) async -> Bool {
        state.withLock { s in
            if s.finalizeSucceeds { s.finalized.append(pod.metadata.name ?? "") }
            return s.finalizeSucceeds
        }
    }

    func event(_ pod: Pod, fieldPath: String?, type: String, reason: String, message: String) {
        state.withLock { $0.events.append("\(reason): \(message)") }
    }

    var statuses: [PodStatus] { state.withLock { $0.statuses } }
    var events: [String] { state.withLock { $0.events } }
    var last: PodStatus? { statuses.last }
}

/// A pod worker environment over a real `host` runtime in a temp dir, with a fake clock.
struct PodWorkerFixture {
    let runtime: HostRuntimeFixture
    var api = RecordingPodAPI()
    let clock = FakeClock()
    let objects = DictionaryObjects()

    var environment: PodWorkerEnvironment {
        var env = PodWorkerEnvironment(runtime: runtime.runtime, objects: objects, api: api, clock: clock, nodeName: "n1",
                                       rootDir: runtime.root, hostIP: "10.0.0.5", allocatable: ["cpu": Quantity("2"), "memory": Quantity("1Gi")])
        env.pollInterval = 0.02
        return env
    }

    static func run(observe: (@Sendable (PodStatus) -> String)? = nil, _ body: (PodWorkerFixture) async throws -> Void) async throws {
        try await HostRuntimeFixture.run { r in
            var f = PodWorkerFixture(runtime: r)
            f.api = RecordingPodAPI(observe: observe)
            try await body(f)
        }
    }

    func pod(_ json: String) throws -> Pod { try decodePod(json) }

    /// Polls the newest status written until `condition` holds (10 s at most).
    @discardableResult
    func waitForStatus(_ what: String, _ condition: (PodStatus) -> Bool) async throws -> PodStatus {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let s = api.last, condition(s) { return s }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw WaitError(what: what, last: api.last)
    }

    struct WaitError: Error, CustomStringConvertible {
        var what: String
        var last: PodStatus?
        var description: String { "timed out waiting for \(what); last status: \(String(describing: last))" }
    }
}

extension PodStatus {
    var first: Wire.ContainerStatus? { containerStatuses?.first }
}
