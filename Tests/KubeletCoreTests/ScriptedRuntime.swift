import Synchronization
@testable import KubeletCore

/// A runtime whose `execSync` answers from a script (one result or error per call, the last
/// repeated), for probe workers; everything else is unsupported.
final class ScriptedRuntime: RuntimeService {
    enum Step: Sendable {
        case exit(Int32, String)
        case error(RuntimeError)
    }
    private let steps: Mutex<[Step]>
    private let calls = Mutex(0)

    init(_ steps: [Step]) { self.steps = Mutex(steps) }

    var execCalls: Int { calls.withLock { $0 } }

    /// Replaces the steps still to come.
    func script(_ next: [Step]) { steps.withLock { $0 = next } }

    func execSync(_ containerID: String, command: [String], timeout: Double) async throws -> ExecSyncResult {
        calls.withLock { $0 += 1 }
        let step = steps.withLock { s -> Step? in s.count > 1 ? s.removeFirst() : s.first }
        switch step {
        case .exit(let code, let output)?: return ExecSyncResult(exitCode: code, stdout: Array(output.utf8), stderr: [])
        case .error(let e)?: throw e
        case nil: throw RuntimeError(.internal, "no script")
        }
    }

    private var unsupported: RuntimeError { RuntimeError(.internal, "unsupported in ScriptedRuntime") }
    func version(kubeletAPIVersions: [String]) async throws -> RuntimeVersion { throw unsupported }
    func runPodSandbox(_ config: PodSandboxConfig) async throws -> String { throw unsupported }
    func stopPodSandbox(_ podSandboxID: String) async throws { throw unsupported }
    func removePodSandbox(_ podSandboxID: String) async throws { throw unsupported }
    func podSandboxStatus(_ podSandboxID: String) async throws -> PodSandboxStatus { throw unsupported }
    func listPodSandboxes() async throws -> [PodSandboxStatus] { throw unsupported }
    func createContainer(podSandboxID: String, config: ContainerConfig, sandboxConfig: PodSandboxConfig) async throws -> String { throw unsupported }
    func startContainer(_ containerID: String) async throws { throw unsupported }
    func stopContainer(_ containerID: String, timeout: Double) async throws { throw unsupported }
    func removeContainer(_ containerID: String) async throws { throw unsupported }
    func containerStatus(_ containerID: String) async throws -> ContainerStatus { throw unsupported }
    func listContainers(_ filter: ContainerFilter) async throws -> [ContainerStatus] { throw unsupported }
}
