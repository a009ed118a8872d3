import Foundation
import Synchronization
import Testing
@testable import apiserver

/// Data directories of in-process servers, removed when the test process exits: tests that
/// stop their server from a `defer { Task { ... } }` may end before that task runs.
private let inProcessDirs = Mutex<[String]>([])
private let removeInProcessDirsAtExit: Void = {
    atexit {
        for dir in inProcessDirs.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: dir) }
    }
}()

/// `dir`, to be removed when the test process exits too (a server a failed test left
/// running may still write there after the test's own removal).
func removedAtExit(_ dir: String) -> String {
    _ = removeInProcessDirsAtExit
    inProcessDirs.withLock { $0.append(dir) }
    return dir
}

/// An apiserver started in this process on a kernel-picked loopback port, with a client.
final class InProcessServer: @unchecked Sendable {
    let dir: String
    let server: APIServer
    let address: HostPort
    let client: Client
    let tokens: Tokens

    static func start(_ tweak: (inout APIServerConfig) -> Void = { _ in }) async throws -> InProcessServer {
        let dir = removedAtExit(NSTemporaryDirectory() + "skiff-inproc-\(UUID().uuidString.prefix(8))")
        var config = APIServerConfig()
        config.listen = HostPort(host: "127.0.0.1", port: 0)
        config.dataDir = dir
        config.controllers = false
        config.apiserverLoops = false
        tweak(&config)
        let server = APIServer(config: config)
        let address = try await server.start()
        let tokens = try Tokens.loadOrCreate(dataDir: dir)
        let client = Client(config: ClientConfig(server: address, token: tokens.admin, clientName: "test", requestTimeoutSeconds: 30))
        return InProcessServer(dir: dir, server: server, address: address, client: client, tokens: tokens)
    }

    init(dir: String, server: APIServer, address: HostPort, client: Client, tokens: Tokens) {
        self.dir = dir
        self.server = server
        self.address = address
        self.client = client
        self.tokens = tokens
    }

    func stop() async {
        client.close()
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: dir)
    }

    var store: Store { get async { await server.store! } }
}

func cm(_ name: String, labels: [String: String] = [:], data: [String: String] = [:]) -> JSON {
    var meta: JSON = ["name": .string(name)]
    if !labels.isEmpty { meta["labels"] = .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
            "data": .object(JSONObject(data.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))]
}

func rv(_ o: JSON) -> Int64 { Int64(o["metadata"]["resourceVersion"].stringValue ?? "") ?? -1 }

func eventuallyTrue(_ seconds: Double, _ condition: () async throws -> Bool) async throws {
    let deadline = Timestamp.nowSeconds() + seconds
    while Timestamp.nowSeconds() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition not met within \(seconds)s")
}
