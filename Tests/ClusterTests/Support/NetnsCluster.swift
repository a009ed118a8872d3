import Foundation
import Wire

/// Hosts built from network namespaces by `scripts/netns-cluster`: an apiserver in host 0
/// and kubelets in the others, each a real process in its own namespace. Root only.
final class NetnsCluster: @unchecked Sendable {
    static var available: Bool { getuid() == 0 && (FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")) }

    let prefix: String
    let subnet: Int
    let dir: TempDir
    let script: String
    var apiserver: Process?
    var kubelets: [Int: Process] = [:]
    let apiserverArgs: [String]
    let kubeletArgs: [String]

    init(hosts: Int, apiserverArgs: [String], kubeletArgs: [String]) throws {
        prefix = "sk" + String(UInt32.random(in: 0..<0xFFFF), radix: 16)
        subnet = Int.random(in: 100..<250)
        dir = TempDir("skiff-netns")
        script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/netns-cluster").path
        self.apiserverArgs = apiserverArgs
        self.kubeletArgs = kubeletArgs
        try sh([script, "up", String(hosts), prefix, String(subnet)])
    }

    /// The kubelets' cgroups live below this root, removed by `close`.
    var cgroupRoot: String { "skiff-test-\(prefix)" }

    func address(_ host: Int) -> String { "10.77.\(subnet).\(10 + host)" }
    var server: HostPort { HostPort(host: address(0), port: 6443) }

    @discardableResult
    func sh(_ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw HarnessError("\(args.joined(separator: " ")) exited \(p.terminationStatus)") }
        return p.terminationStatus
    }

    func spawn(host: Int, _ binary: String, _ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, "exec", String(host), prefix, "--", Binaries.path(binary)] + args
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        h.seekToEndOfFile()
        p.standardOutput = h
        p.standardError = h
        try p.run()
        return p
    }

    func startAPIServer() throws {
        apiserver = try spawn(host: 0, "apiserver", ["--listen", "\(address(0)):6443", "--data-dir", dir.path + "/apiserver"] + apiserverArgs,
                              log: dir.path + "/apiserver.log")
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: dir.path + "/apiserver/node.token") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 0.3)
    }

    func stopAPIServer() {
        guard let p = apiserver, p.isRunning else { return }
        p.terminate()
        p.waitUntilExit()
    }

    func startKubelet(_ host: Int) throws {
        let token = dir.path + "/apiserver/node.token"
        kubelets[host] = try spawn(host: host, "kubelet", ["--server", "\(address(0)):6443", "--token", "@" + token, "--node-name", "host\(host)",
                                                           "--root-dir", dir.path + "/kubelet\(host)",
                                                           "--cgroup-root", "\(cgroupRoot)/host\(host)"] + kubeletArgs,
                                   log: dir.path + "/kubelet\(host).log")
    }

    func killKubelet(_ host: Int) {
        guard let p = kubelets[host] else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    func cut(_ host: Int) throws { try sh([script, "cut", String(host), prefix]) }
    func heal(_ host: Int) throws { try sh([script, "heal", String(host), prefix]) }

    var adminToken: String {
        (try? String(contentsOfFile: dir.path + "/apiserver/admin.token", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    func client() -> Client {
        Client(config: ClientConfig(server: server, token: adminToken, clientName: "test", connectTimeoutMs: 2000, requestTimeoutSeconds: 5))
    }

    func close() {
        for (h, _) in kubelets { killKubelet(h) }
        if let p = apiserver, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        _ = try? sh([script, "down", prefix])
        CgroupCleanup.remove(under: cgroupRoot)
        dir.remove()
    }
}
