#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The `host` handler's records on disk, the truth about sandboxes and containers (memory
/// holds live handles: processes, namespace descriptors; and a container's records once
/// written or read, which stay true as each is written once):
///
///     <state>/sandboxes/<sandbox id>/sandbox.json                  SandboxRecord
///     <state>/sandboxes/<sandbox id>/holder.json                   HolderRecord (with a UTS namespace)
///     <state>/sandboxes/<sandbox id>/containers/<id>/container.json ContainerRecord
///     <state>/sandboxes/<sandbox id>/containers/<id>/started.json   StartRecord
///     <state>/sandboxes/<sandbox id>/containers/<id>/exited.json    ExitRecord
///
/// A container is `created` with only container.json, `running` with started.json and
/// `exited` once exited.json exists. Each file is written once (sandbox.json also when the
/// sandbox stops), whole, by rename, so a reader never sees half a record. The container's
/// monitor process (skiff-monitor) writes started.json and exited.json in the same form.
struct StateDirectory: Sendable {
    let root: String

    func sandboxDir(_ sandboxID: String) -> String { "\(root)/sandboxes/\(sandboxID)" }
    func containersDir(_ sandboxID: String) -> String { "\(sandboxDir(sandboxID))/containers" }
    func containerDir(_ sandboxID: String, _ containerID: String) -> String { "\(containersDir(sandboxID))/\(containerID)" }

    func createDirectory(_ path: String) throws(RuntimeError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RuntimeError(.internal, "mkdir \(path): \(error.localizedDescription)")
        }
    }

    func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Names in a directory, [] when it does not exist.
    func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func write<T: Encodable>(_ value: T, to path: String) throws(RuntimeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            let data = try encoder.encode(value)
            // A name of its own per write: two writers of one record (a kubelet's exit watcher
            // and a stop of an earlier kubelet's container) must not rename each other's file.
            let temporary = path + ".tmp." + String(UInt64.random(in: .min ... .max), radix: 16)
            // 0600: container.json holds the container's environment (secrets).
            try Self.writeOwnerOnly(data, to: temporary)
            guard rename(temporary, path) == 0 else {
                let e = errno
                unlink(temporary)
                throw RuntimeError(.internal, "rename \(temporary): \(SpawnFailure.lowercasedError(e))")
            }
        } catch let e as RuntimeError {
            throw e
        } catch {
            throw RuntimeError(.internal, "write \(path): \(error.localizedDescription)")
        }
    }

    private static func writeOwnerOnly(_ data: Data, to path: String) throws(RuntimeError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RuntimeError(.internal, "open \(path): \(SpawnFailure.lowercasedError(errno))") }
        defer { close(fd) }
        let failed = data.withUnsafeBytes { raw -> Int32? in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return errno }
                done += n
            }
            return nil
        }
        if let failed {
            unlink(path)
            throw RuntimeError(.internal, "write \(path): \(SpawnFailure.lowercasedError(failed))")
        }
    }

    /// The record, nil when the file does not exist or does not decode.
    func read<T: Decodable>(_ type: T.Type, from path: String) -> T? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}

struct SandboxRecord: Codable {
    var config: PodSandboxConfig
    var createdAt: Int64
    var state: PodSandboxState
}

/// The process holding the pod's UTS namespace; `startTime` (field 22 of /proc/<pid>/stat)
/// tells it from a later process that got the same pid.
struct HolderRecord: Codable {
    var pid: Int32
    var startTime: UInt64
}

struct ContainerRecord: Codable {
    var podSandboxID: String
    var config: ContainerConfig
    var createdAt: Int64
    /// Absolute: the sandbox's log directory joined with the config's log path.
    var logPath: String
}

/// Written by the container's monitor once the container runs: the container's pid and
/// start time, and the monitor's (nil in records from before the monitor: not adoptable).
struct StartRecord: Codable {
    var pid: Int32
    var startTime: UInt64
    var startedAt: Int64
    var monitorPid: Int32?
    var monitorStartTime: UInt64?
}

struct ExitRecord: Codable {
    var exitCode: Int32
    /// The signal that ended the process, when one did.
    var signal: Int32?
    var finishedAt: Int64
    /// `Completed`, `Error`, `OOMKilled` or `StartError`.
    var reason: String
    var message: String
}

enum ProcStat {
    /// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), 0 when unknown.
    static func startTime(_ pid: Int32) -> UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after the command (which may hold spaces) start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) ?? 0 : 0
    }

}
