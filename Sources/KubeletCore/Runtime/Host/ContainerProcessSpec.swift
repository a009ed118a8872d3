#if canImport(Glibc)
import Glibc
#endif

/// What a container's processes (its main process, execs, later hooks) share: environment,
/// working directory and identity, derived from its config and its sandbox.
enum ContainerProcessSpec {
    /// The PATH a container gets when it sets none (as containerd gives images without one).
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Nothing from the kubelet's own environment: PATH (the default unless the config sets
    /// one), HOSTNAME (the pod's hostname unless the config sets one), then the config's
    /// variables in order. A name set twice keeps its first place and its last value.
    static func environment(_ env: [EnvVar], hostname: String) -> [EnvVar] {
        var out = [EnvVar("PATH", defaultPath), EnvVar("HOSTNAME", hostname)]
        for v in env {
            if let i = out.firstIndex(where: { $0.name == v.name }) {
                out[i].value = v.value
            } else {
                out.append(v)
            }
        }
        return out
    }

    static func argv(_ config: ContainerConfig) -> [String] { config.command + config.args }

    static func workingDir(_ config: ContainerConfig) -> String { config.workingDir.isEmpty ? "/" : config.workingDir }

    /// The ids to switch to: nil when the config names no user or group (the process keeps
    /// the kubelet's). A uid without a gid takes the user's primary group from the host's
    /// passwd database, else 0, as runc does from the image's.
    static func user(_ user: ContainerUser) -> ResolvedUser? {
        guard user.uid != nil || user.gid != nil else { return nil }
        let uid = user.uid ?? geteuid()
        var gid = user.gid ?? 0
        if user.gid == nil { gid = primaryGroup(uid) ?? 0 }
        return ResolvedUser(uid: uid, gid: gid, groups: user.supplementalGroups)
    }

    private static func primaryGroup(_ uid: UInt32) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_gid
    }
}
