#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import KubeletCore
@testable import Wire

/// Pod volumes on the host: directories, hostPath checks, files from ConfigMaps, Secrets and the
/// downward API, hostile paths, teardown and the environment export.
@Suite(.serialized) struct VolumeManagerTests {
    struct Objects: PodObjectSource {
        var configMaps: [String: ConfigMap] = [:]
        var secrets: [String: Secret] = [:]
        func configMap(namespace: String, name: String) async throws -> ConfigMap? { configMaps["\(namespace)/\(name)"] }
        func secret(namespace: String, name: String) async throws -> Secret? { secrets["\(namespace)/\(name)"] }
    }

    /// A temporary directory removed afterwards, also when the body throws.
    static func withDirectory(_ body: (String) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.path + "/volumes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await body(dir)
    }

    static func pod(_ volumesJSON: String, containers: String = #"[{"name":"app"}]"#) throws -> Pod {
        let json = #"{"metadata":{"name":"web","namespace":"shop","uid":"u-1","labels":{"app":"web","tier":"front"},"annotations":{"note":"say \"hi\""}},"spec":{"containers":\#(containers),"volumes":\#(volumesJSON)}}"#
        return try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
    }

    static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    static func mode(_ path: String) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { return -1 }
        return Int(st.st_mode & 0o7777)
    }

    static func setUpError(_ manager: VolumeManager, _ pod: Pod, _ dir: String) async -> String? {
        do {
            _ = try await manager.setUp(pod: pod, podDirectory: dir)
            return nil
        } catch let e as VolumeSetUpError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    @Test func emptyDirIsAWritableDirectoryKeptAcrossSetUps() async throws {
        try await Self.withDirectory { dir in
            let manager = VolumeManager(source: Objects())
            let pod = try Self.pod(#"[{"name":"scratch","emptyDir":{}}]"#)
            let paths = try await manager.setUp(pod: pod, podDirectory: dir)
            #expect(paths == ["scratch": "\(dir)/volumes/scratch"])
            #expect(Self.mode("\(dir)/volumes/scratch") == 0o777)
            try "kept".write(toFile: "\(dir)/volumes/scratch/f", atomically: false, encoding: .utf8)
            _ = try await manager.setUp(pod: pod, podDirectory: dir)
            #expect(Self.read("\(dir)/volumes/scratch/f") == "kept")
        }
    }

    @Test func hostPathTypesAreCheckedWithKubernetesMessages() async throws {
        try await Self.withDirectory { dir in
            let manager = VolumeManager(source: Objects())
            try "x".write(toFile: "\(dir)/file", atomically: false, encoding: .utf8)
            let check = { (path: String, type: String) async throws -> String? in
                await Self.setUpError(manager, try Self.pod(#"[{"name":"h","hostPath":{"path":"\#(path)","type":"\#(type)"}}]"#), "\(dir)/pod")
            }
            let r1 = try await check("\(dir)/missing", "Directory")
            #expect(r1 == "MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: \(dir)/missing is not a directory")
            let r2 = try await check("\(dir)/file", "Directory")
            #expect(r2 == "MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: \(dir)/file is not a directory")
            let r3 = try await check(dir, "File")
            #expect(r3 == "MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: \(dir) is not a file")
            let r4 = try await check("\(dir)/file", "Socket")
            #expect(r4 == "MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: \(dir)/file is not a socket file")
            let r5 = try await check("/dev/null", "BlockDevice")
            #expect(r5 == "MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: /dev/null is not a block device")
            let r6 = try await check("\(dir)/file", "CharDevice")
            #expect(r6 == "MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: \(dir)/file is not a character device")
            let r7 = try await check("/dev/null", "Bogus")
            #expect(r7 == "MountVolume.SetUp failed for volume \"h\" : Bogus is an invalid volume type")
            let r8 = try await check("relative/dir", "")
            #expect(r8 == "MountVolume.SetUp failed for volume \"h\" : invalid HostPath `relative/dir`: must be an absolute path")
            let r9 = try await check("\(dir)/../etc", "")
            #expect(r9 == "MountVolume.SetUp failed for volume \"h\" : invalid HostPath `\(dir)/../etc`: must not contain '..'")
            let r10 = try await check("/dev/null", "CharDevice")
            #expect(r10 == nil)
            let r11 = try await check("\(dir)/file", "File")
            #expect(r11 == nil)
            let r12 = try await check("\(dir)/made/deep", "DirectoryOrCreate")
            #expect(r12 == nil)
            #expect(HostPathCheck.kind("\(dir)/made/deep") == S_IFDIR)
            let r13 = try await check("\(dir)/made/new.txt", "FileOrCreate")
            #expect(r13 == nil)
            #expect(Self.read("\(dir)/made/new.txt") == "")
            let paths = try await manager.setUp(pod: try Self.pod(#"[{"name":"h","hostPath":{"path":"\#(dir)/made"}}]"#), podDirectory: "\(dir)/pod")
            #expect(paths == ["h": "\(dir)/made"])
        }
    }

    @Test func configMapKeysBecomeFilesWithModes() async throws {
        try await Self.withDirectory { dir in
            var objects = Objects()
            var cm = ConfigMap(metadata: ObjectMeta(name: "app", namespace: "shop"), data: ["a.conf": "alpha", "b.conf": "beta"])
            cm.binaryData = ["blob": "AAEC"]
            objects.configMaps["shop/app"] = cm
            let manager = VolumeManager(source: objects)
            let all = try await manager.setUp(pod: try Self.pod(#"[{"name":"cfg","configMap":{"name":"app"}}]"#), podDirectory: dir)
            let root = all["cfg"]!
            #expect(root == "\(dir)/volumes/cfg")
            #expect(Self.read("\(root)/a.conf") == "alpha")
            #expect(Self.read("\(root)/b.conf") == "beta")
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(root)/blob")) == Data([0, 1, 2]))
            #expect(Self.mode("\(root)/a.conf") == 0o644)

            let items = #"[{"name":"cfg","configMap":{"name":"app","defaultMode":384,"items":[{"key":"a.conf","path":"etc/app/a"},{"key":"b.conf","path":"b","mode":256}]}}]"#
            _ = try await manager.setUp(pod: try Self.pod(items), podDirectory: dir)
            #expect(Self.read("\(root)/etc/app/a") == "alpha")
            #expect(Self.mode("\(root)/etc/app/a") == 0o600)
            #expect(Self.mode("\(root)/b") == 0o400)
            #expect(Self.read("\(root)/a.conf") == nil)   // the rewrite replaced the whole volume
            let payloads = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/volumes").filter { $0.hasPrefix("..cfg_") }
            #expect(payloads.count == 1)
        }
    }

    @Test func missingConfigMapsSecretsAndKeysFailUnlessOptional() async throws {
        try await Self.withDirectory { dir in
            var objects = Objects()
            objects.configMaps["shop/app"] = ConfigMap(metadata: ObjectMeta(name: "app"), data: ["a": "1"])
            let manager = VolumeManager(source: objects)
            let error = { (json: String) async throws -> String? in await Self.setUpError(manager, try Self.pod(json), dir) }
            let r14 = try await error(#"[{"name":"cfg","configMap":{"name":"nope"}}]"#)
            #expect(r14 == "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found")
            let r15 = try await error(#"[{"name":"sec","secret":{"secretName":"nope"}}]"#)
            #expect(r15 == "MountVolume.SetUp failed for volume \"sec\" : secret \"nope\" not found")
            let r16 = try await error(#"[{"name":"cfg","configMap":{"name":"app","items":[{"key":"zz","path":"zz"}]}}]"#)
            #expect(r16 == "MountVolume.SetUp failed for volume \"cfg\" : configmap references non-existent config key: zz")
            let r17 = try await error(#"[{"name":"cfg","configMap":{"name":"nope","optional":true}}]"#)
            #expect(r17 == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/volumes/cfg") == [])
            let r18 = try await error(#"[{"name":"cfg","configMap":{"name":"app","optional":true,"items":[{"key":"zz","path":"zz"},{"key":"a","path":"a"}]}}]"#)
            #expect(r18 == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/volumes/cfg") == ["a"])
        }
    }

    @Test func secretDataIsDecodedFromBase64() async throws {
        try await Self.withDirectory { dir in
            var objects = Objects()
            var good = Secret(metadata: ObjectMeta(name: "db"))
            good.data = ["password": "czNjcjN0", "user": "YWRtaW4="]
            var bad = Secret(metadata: ObjectMeta(name: "bad"))
            bad.data = ["k": "!!not base64!!"]
            objects.secrets = ["shop/db": good, "shop/bad": bad]
            let manager = VolumeManager(source: objects)
            let paths = try await manager.setUp(pod: try Self.pod(#"[{"name":"creds","secret":{"secretName":"db","items":[{"key":"password","path":"pw"}]}}]"#), podDirectory: dir)
            #expect(Self.read("\(paths["creds"]!)/pw") == "s3cr3t")
            #expect(Self.read("\(paths["creds"]!)/user") == nil)
            let message = await Self.setUpError(manager, try Self.pod(#"[{"name":"creds","secret":{"secretName":"bad"}}]"#), dir)
            #expect(message == "MountVolume.SetUp failed for volume \"creds\" : secret \"bad\" key k is not valid base64")
        }
    }

    @Test func downwardAPIWritesPodFieldsAndResources() async throws {
        try await Self.withDirectory { dir in
            let manager = VolumeManager(source: Objects(), nodeAllocatable: ["cpu": Quantity("4"), "memory": Quantity("8Gi")])
            let containers = #"[{"name":"app","resources":{"limits":{"memory":"64Mi"},"requests":{"cpu":"250m","memory":"32Mi"}}}]"#
            let volumes = #"""
            [{"name":"info","downwardAPI":{"items":[
              {"path":"name","fieldRef":{"fieldPath":"metadata.name"}},
              {"path":"ns","fieldRef":{"fieldPath":"metadata.namespace"}},
              {"path":"uid","fieldRef":{"fieldPath":"metadata.uid"}},
              {"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
              {"path":"annotations","fieldRef":{"fieldPath":"metadata.annotations"}},
              {"path":"tier","fieldRef":{"fieldPath":"metadata.labels['tier']"}},
              {"path":"res/mem_limit","resourceFieldRef":{"containerName":"app","resource":"limits.memory","divisor":"1Mi"}},
              {"path":"res/cpu_request","resourceFieldRef":{"containerName":"app","resource":"requests.cpu","divisor":"1m"}},
              {"path":"res/cpu_limit","resourceFieldRef":{"containerName":"app","resource":"limits.cpu"}},
              {"path":"res/mem_request","resourceFieldRef":{"containerName":"app","resource":"requests.memory"}, "mode":256}
            ]}}]
            """#
            let paths = try await manager.setUp(pod: try Self.pod(volumes, containers: containers), podDirectory: dir)
            let root = paths["info"]!
            #expect(Self.read("\(root)/name") == "web")
            #expect(Self.read("\(root)/ns") == "shop")
            #expect(Self.read("\(root)/uid") == "u-1")
            #expect(Self.read("\(root)/labels") == "app=\"web\"\ntier=\"front\"")
            #expect(Self.read("\(root)/annotations") == "note=\"say \\\"hi\\\"\"")
            #expect(Self.read("\(root)/tier") == "front")
            #expect(Self.read("\(root)/res/mem_limit") == "64")
            #expect(Self.read("\(root)/res/cpu_request") == "250")
            #expect(Self.read("\(root)/res/cpu_limit") == "4")
            #expect(Self.read("\(root)/res/mem_request") == "33554432")
            #expect(Self.mode("\(root)/res/mem_request") == 0o400)
            #expect(Self.mode("\(root)/name") == 0o644)
        }
    }

    @Test func hostileItemPathsAndNamesAreRefusedAndNothingIsWrittenOutside() async throws {
        try await Self.withDirectory { dir in
            var objects = Objects()
            objects.configMaps["shop/app"] = ConfigMap(metadata: ObjectMeta(name: "app"), data: ["a": "1"])
            let manager = VolumeManager(source: objects)
            let error = { (json: String) async throws -> String? in await Self.setUpError(manager, try Self.pod(json), "\(dir)/pod") }
            let r19 = try await error(#"[{"name":"cfg","configMap":{"name":"app","items":[{"key":"a","path":"../../escape"}]}}]"#)
            #expect(r19 == "MountVolume.SetUp failed for volume \"cfg\" : invalid path \"../../escape\": must not contain '..'")
            let r20 = try await error(#"[{"name":"cfg","configMap":{"name":"app","items":[{"key":"a","path":"/etc/escape"}]}}]"#)
            #expect(r20 == "MountVolume.SetUp failed for volume \"cfg\" : invalid path \"/etc/escape\": must be a relative path")
            let r21 = try await error(#"[{"name":"cfg","configMap":{"name":"app","items":[{"key":"a","path":"x/../../escape"}]}}]"#)
            #expect(r21 == "MountVolume.SetUp failed for volume \"cfg\" : invalid path \"x/../../escape\": must not contain '..'")
            let r22 = try await error(#"[{"name":"d","downwardAPI":{"items":[{"path":"..data","fieldRef":{"fieldPath":"metadata.name"}}]}}]"#)
            #expect(r22 == "MountVolume.SetUp failed for volume \"d\" : invalid path \"..data\": must not start with '..'")
            let r23 = try await error(#"[{"name":"../up","emptyDir":{}}]"#)
            #expect(r23 == "MountVolume.SetUp failed for volume \"../up\" : invalid volume name \"../up\": must be a DNS label (lower-case letters, digits and '-', at most 63)")
            let r24 = try await error(#"[{"name":"cfg","configMap":{"name":"app","defaultMode":4095}}]"#)
            #expect(r24 == "MountVolume.SetUp failed for volume \"cfg\" : defaultMode: invalid mode 4095: must be between 0 and 0777 (octal), both inclusive")
            let r25 = try await error(#"[{"name":"d","downwardAPI":{"items":[{"path":"x","fieldRef":{"fieldPath":"spec.nodeName"}}]}}]"#)
            #expect(r25 == "MountVolume.SetUp failed for volume \"d\" : unsupported fieldPath \"spec.nodeName\"")
            // A hostile volume after a good one: nothing at all is made.
            let hostile = try Self.pod(#"[{"name":"ok","emptyDir":{}},{"name":"h","hostPath":{"path":"/tmp/../etc"}}]"#)
            let r26 = await Self.setUpError(manager, hostile, "\(dir)/other-pod")
            #expect(r26 == "MountVolume.SetUp failed for volume \"h\" : invalid HostPath `/tmp/../etc`: must not contain '..'")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/other-pod"))
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/escape"))
            #expect(!FileManager.default.fileExists(atPath: "/etc/escape"))
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/up"))
        }
    }

    @Test func tearDownRemovesPodVolumesButNotHostPathsOrLinkTargets() async throws {
        try await Self.withDirectory { dir in
            try FileManager.default.createDirectory(atPath: "\(dir)/host", withIntermediateDirectories: true)
            try "keep".write(toFile: "\(dir)/host/data", atomically: false, encoding: .utf8)
            let manager = VolumeManager(source: Objects())
            let pod = try Self.pod(#"[{"name":"scratch","emptyDir":{}},{"name":"h","hostPath":{"path":"\#(dir)/host"}}]"#)
            let paths = try await manager.setUp(pod: pod, podDirectory: "\(dir)/pod")
            try FileManager.default.createSymbolicLink(atPath: "\(paths["scratch"]!)/link", withDestinationPath: "\(dir)/host")
            try manager.tearDown(podDirectory: "\(dir)/pod")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/pod/volumes"))
            #expect(Self.read("\(dir)/host/data") == "keep")
            try manager.tearDown(podDirectory: "\(dir)/pod")   // idempotent
        }
    }

    @Test func mountEnvironmentExportsEachMountsHostPath() throws {
        let container = try JSONDecoder().decode(Container.self, from: Data(#"""
        {"name":"app","volumeMounts":[
          {"name":"cfg","mountPath":"/etc/app"},
          {"name":"data-dir.v2","mountPath":"/data","subPath":"logs"},
          {"name":"cfg","mountPath":"/etc/other","subPath":"x"},
          {"name":"scratch","mountPath":"/tmp/s","subPath":"../escape"},
          {"name":"unknown","mountPath":"/u"}
        ]}
        """#.utf8))
        let env = VolumeManager.mountEnvironment(container, volumePaths: ["cfg": "/pods/p/volumes/cfg", "data-dir.v2": "/srv/data", "scratch": "/pods/p/volumes/scratch"])
        #expect(env == [EnvVar("SKIFF_VOLUME_CFG", "/pods/p/volumes/cfg"), EnvVar("SKIFF_VOLUME_DATA_DIR_V2", "/srv/data/logs")])
    }
}
