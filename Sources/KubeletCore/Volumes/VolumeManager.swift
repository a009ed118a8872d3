#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Wire

/// Pod volumes on the host (until images bring mount namespaces): every volume of a pod gets a
/// host path, which containers learn from `mountEnvironment` (docs/RUNTIME.md, "Volumes on the
/// host runtime").
public struct VolumeManager: Sendable {
    public let source: any PodObjectSource
    /// What an unset limit reads as in a downwardAPI resourceFieldRef; the host's capacity
    /// for a resource missing here.
    public let nodeAllocatable: [String: Quantity]

    public init(source: any PodObjectSource, nodeAllocatable: [String: Quantity] = [:]) {
        self.source = source
        self.nodeAllocatable = nodeAllocatable
    }

    /// Makes every volume of the pod under `podDirectory/volumes/<name>` (emptyDir: a 0777
    /// directory kept across calls; hostPath: the host path itself, type-checked, created for
    /// DirectoryOrCreate and FileOrCreate; configMap, secret, downwardAPI: files written
    /// atomically, modes honoured, rewritten on each call). Returns volume name → host path.
    /// Throws `VolumeSetUpError` (a missing non-optional ConfigMap or Secret, a missing key, a
    /// failed hostPath check, a hostile path); volumes set up before the failing one stay.
    public func setUp(pod: Pod, podDirectory: String) async throws -> [String: String] {
        let volumes = pod.spec?.volumes ?? []
        // Hostile names, paths and modes are refused before anything is made.
        var names = Set<String>()
        for volume in volumes {
            if let problem = Self.specProblem(volume) { throw VolumeSetUpError(volume: volume.name, problem) }
            if !names.insert(volume.name).inserted { throw VolumeSetUpError(volume: volume.name, "duplicate volume name") }
        }
        let volumesDir = "\(podDirectory)/volumes"
        var paths: [String: String] = [:]
        for volume in volumes {
            if let problem = HostPathCheck.makeDirectory(volumesDir) { throw VolumeSetUpError(volume: volume.name, problem) }
            paths[volume.name] = try await setUp(volume, pod: pod, volumesDir: volumesDir)
        }
        return paths
    }

    /// What is wrong with a volume's spec on its own (name, item paths, modes), if anything.
    static func specProblem(_ volume: Volume) -> String? {
        if let problem = VolumePaths.nameProblem(volume.name) { return problem }
        if let h = volume.hostPath, let problem = HostPathCheck.pathProblem(h.path) { return problem }
        var modes: [Int32?] = []
        var paths: [String] = []
        if let c = volume.configMap {
            modes = [c.defaultMode] + (c.items ?? []).map(\.mode)
            paths = (c.items ?? []).map(\.path)
        } else if let s = volume.secret {
            modes = [s.defaultMode] + (s.items ?? []).map(\.mode)
            paths = (s.items ?? []).map(\.path)
        } else if let d = volume.downwardAPI {
            modes = [d.defaultMode] + (d.items ?? []).map(\.mode)
            paths = (d.items ?? []).map(\.path)
        }
        for path in paths {
            if let problem = VolumePaths.relativeProblem(path) { return "invalid path \(GoQuote.quote(path)): \(problem)" }
        }
        if let first = modes.first, let mode = first, let problem = VolumePaths.modeProblem(mode) { return "defaultMode: \(problem)" }
        for case let mode? in modes.dropFirst() {
            if let problem = VolumePaths.modeProblem(mode) { return problem }
        }
        return nil
    }

    private func setUp(_ volume: Volume, pod: Pod, volumesDir: String) async throws -> String {
        let path = "\(volumesDir)/\(volume.name)"
        let fail = { (cause: String) in VolumeSetUpError(volume: volume.name, cause) }
        if volume.emptyDir != nil {
            if HostPathCheck.kind(path) != S_IFDIR {
                do { try AtomicVolumeWriter.make(path, mode: 0o777) } catch { throw fail(error.message) }
            }
            return path
        }
        if let hostPath = volume.hostPath {
            if let problem = HostPathCheck.check(hostPath) { throw fail(problem) }
            return hostPath.path
        }
        let files: [String: AtomicVolumeWriter.File]
        if let configMap = volume.configMap {
            files = try await configMapFiles(configMap, namespace: pod.metadata.namespace ?? "default", fail: fail)
        } else if let secret = volume.secret {
            files = try await secretFiles(secret, namespace: pod.metadata.namespace ?? "default", fail: fail)
        } else if let downward = volume.downwardAPI {
            files = try downwardAPIFiles(downward, pod: pod, fail: fail)
        } else {
            throw fail("unsupported volume type (this kubelet supports emptyDir, hostPath, configMap, secret and downwardAPI)")
        }
        do { try AtomicVolumeWriter.write(files, volumePath: path) } catch { throw fail(error.message) }
        return path
    }

    private func configMapFiles(_ s: ConfigMapVolumeSource, namespace: String, fail: (String) -> VolumeSetUpError) async throws
        -> [String: AtomicVolumeWriter.File] {
        let name = s.name ?? ""
        guard let object = try await source.configMap(namespace: namespace, name: name) else {
            if s.optional == true { return [:] }
            throw fail("configmap \"\(name)\" not found")
        }
        var data: [String: [UInt8]] = (object.data ?? [:]).mapValues { Array($0.utf8) }
        for (key, value) in object.binaryData ?? [:] {
            guard let bytes = Data(base64Encoded: value) else { throw fail("configmap \"\(name)\" binaryData key \(key) is not valid base64") }
            data[key] = Array(bytes)
        }
        return try Self.project(data, items: s.items, defaultMode: s.defaultMode, optional: s.optional == true, fail: fail) {
            "configmap references non-existent config key: \($0)"
        }
    }

    private func secretFiles(_ s: SecretVolumeSource, namespace: String, fail: (String) -> VolumeSetUpError) async throws
        -> [String: AtomicVolumeWriter.File] {
        let name = s.secretName ?? ""
        guard let object = try await source.secret(namespace: namespace, name: name) else {
            if s.optional == true { return [:] }
            throw fail("secret \"\(name)\" not found")
        }
        var data: [String: [UInt8]] = [:]
        for (key, value) in object.data ?? [:] {
            guard let bytes = Data(base64Encoded: value) else { throw fail("secret \"\(name)\" key \(key) is not valid base64") }
            data[key] = Array(bytes)
        }
        return try Self.project(data, items: s.items, defaultMode: s.defaultMode, optional: s.optional == true, fail: fail) {
            "references non-existent secret key: \($0)"
        }
    }

    /// Keys to files: every key under its own name, or only `items` under their paths (a
    /// missing key fails unless the volume is optional). Modes: item, else defaultMode, else 0644.
    static func project(_ data: [String: [UInt8]], items: [KeyToPath]?, defaultMode: Int32?, optional: Bool,
                        fail: (String) -> VolumeSetUpError, missing: (String) -> String) throws -> [String: AtomicVolumeWriter.File] {
        let mode = defaultMode ?? 0o644
        if let problem = VolumePaths.modeProblem(mode) { throw fail("defaultMode: \(problem)") }
        var files: [String: AtomicVolumeWriter.File] = [:]
        guard let items, !items.isEmpty else {
            for (key, bytes) in data {
                if let problem = VolumePaths.relativeProblem(key) { throw fail("invalid key \(GoQuote.quote(key)): \(problem)") }
                files[key] = .init(bytes: bytes, mode: UInt32(mode))
            }
            return files
        }
        for item in items {
            if let problem = VolumePaths.relativeProblem(item.path) { throw fail("invalid path \(GoQuote.quote(item.path)): \(problem)") }
            if let m = item.mode, let problem = VolumePaths.modeProblem(m) { throw fail("items \(item.key): \(problem)") }
            guard let bytes = data[item.key] else {
                if optional { continue }
                throw fail(missing(item.key))
            }
            files[item.path] = .init(bytes: bytes, mode: UInt32(item.mode ?? mode))
        }
        return files
    }

    private func downwardAPIFiles(_ s: DownwardAPIVolumeSource, pod: Pod, fail: (String) -> VolumeSetUpError) throws
        -> [String: AtomicVolumeWriter.File] {
        let mode = s.defaultMode ?? 0o644
        if let problem = VolumePaths.modeProblem(mode) { throw fail("defaultMode: \(problem)") }
        var files: [String: AtomicVolumeWriter.File] = [:]
        for item in s.items ?? [] {
            if let problem = VolumePaths.relativeProblem(item.path) { throw fail("invalid path \(GoQuote.quote(item.path)): \(problem)") }
            if let m = item.mode, let problem = VolumePaths.modeProblem(m) { throw fail("items \(item.path): \(problem)") }
            let value: Result<String, VolumeFieldError>
            switch (item.fieldRef, item.resourceFieldRef) {
            case (let field?, nil): value = DownwardAPIFiles.field(field.fieldPath, of: pod)
            case (nil, let resource?): value = DownwardAPIFiles.resource(resource, pod: pod, nodeAllocatable: nodeAllocatable)
            default: throw fail("items \(item.path): exactly one of fieldRef and resourceFieldRef is required")
            }
            switch value {
            case .success(let text): files[item.path] = .init(bytes: Array(text.utf8), mode: UInt32(item.mode ?? mode))
            case .failure(let e): throw fail(e.message)
            }
        }
        return files
    }

    /// Removes `podDirectory/volumes` (emptyDirs and the configMap, secret and downwardAPI
    /// files; never what a hostPath names, nor anything a symlink inside points to).
    public func tearDown(podDirectory: String) throws {
        let path = "\(podDirectory)/volumes"
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    /// The documented export: each volumeMount of `container` gives the env var
    /// `SKIFF_VOLUME_<mount name upper-cased, other than A-Z and 0-9 as _>` = the volume's host
    /// path, plus `/subPath` when set. Mounts of unknown volumes or with an unsafe subPath
    /// (absolute, `..`) are left out; when two mounts give the same name the first wins.
    public static func mountEnvironment(_ container: Container, volumePaths: [String: String]) -> [EnvVar] {
        var seen = Set<String>()
        var env: [EnvVar] = []
        for mount in container.volumeMounts ?? [] {
            guard var path = volumePaths[mount.name] else { continue }
            if let sub = mount.subPath, !sub.isEmpty {
                guard VolumePaths.relativeProblem(sub) == nil else { continue }
                path += "/" + sub
            }
            let name = "SKIFF_VOLUME_" + String(mount.name.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
            guard seen.insert(name).inserted else { continue }
            env.append(EnvVar(name, path))
        }
        return env
    }
}
