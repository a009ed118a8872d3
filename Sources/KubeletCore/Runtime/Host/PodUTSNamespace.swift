#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim

/// A pod's UTS namespace, held for the pod's life by a small holder process (the role of
/// Kubernetes' pause container) and joined by the pod's containers and execs through `fd`.
///
/// The holder execs `skiff-pause` (a few hundred KB) once the namespace is set up; without
/// that program it stays a forked copy of the kubelet, which pins the kubelet's pages as they
/// change (see skiff_process.h). It survives the kubelet, as a pod does; its pid and start
/// time are in the sandbox's `holder.json`, so that a restarted kubelet can re-adopt it (a
/// later step).
final class PodUTSNamespace: Sendable {
    let holder: ChildProcess
    /// /proc/<holder>/ns/uts, open for as long as this value lives.
    let fd: Int32

    /// Starts the holder with `hostname` set, running `holderExecutable` when given. Needs
    /// CAP_SYS_ADMIN.
    init(hostname: String, holderExecutable: String?) throws(RuntimeError) {
        var failure = skiff_spawn_error()
        let bytes = Array(hostname.utf8)
        let pid = bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { name in
                guard let holderExecutable else { return skiff_spawn_uts_holder(name.baseAddress, name.count, nil, &failure) }
                return holderExecutable.withCString { skiff_spawn_uts_holder(name.baseAddress, name.count, $0, &failure) }
            }
        }
        guard pid > 0 else {
            throw RuntimeError(.internal, "pod UTS namespace: \(SpawnFailure.stepName(failure.step)) failed: \(SpawnFailure.lowercasedError(failure.err))")
        }
        let process: ChildProcess
        do {
            process = try ChildProcess(pid: pid)
        } catch {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            throw error
        }
        let nsFD = open("/proc/\(pid)/ns/uts", O_RDONLY | O_CLOEXEC)
        guard nsFD >= 0 else {
            let e = errno
            process.signal(SIGKILL)
            process.reap()
            throw RuntimeError(.internal, "open /proc/\(pid)/ns/uts: \(SpawnFailure.lowercasedError(e))")
        }
        holder = process
        fd = nsFD
    }

    /// Kills and reaps the holder. The namespace ends once no container is left in it.
    func release() {
        holder.signal(SIGKILL)
        holder.reap()
    }

    deinit { close(fd) }
}
