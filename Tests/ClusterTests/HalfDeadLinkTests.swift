import Foundation
import Testing
import Wire

/// A real kubelet behind a relay whose link goes silent in the middle of a node-status
/// write: the Lease must go on being renewed within the lease duration (the renewals do
/// not queue behind the stuck write, time out on their own, and redial).
@Suite(.serialized) struct HalfDeadLinkTests {
    @Test func leaseIsRenewedWhileAStatusWriteHangs() async throws {
        let f = try Fixture()
        defer { f.close() }
        let relay = try FreezableRelay(to: f.server.address)
        defer { relay.stop() }
        let root = f.dir.path + "/kubelet"
        let log = f.dir.path + "/kubelet.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("kubelet"))
        // Lease 4 s (renewed every 1 s); status written every second so one is soon in flight.
        p.arguments = ["--server", relay.address.description, "--token", f.server.nodeToken, "--node-name", "relayed",
                       "--root-dir", root, "--node-lease-duration", "4s", "--node-status-report-frequency", "1s", "--log-level", "debug"]
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardOutput = h
        p.standardError = h
        try p.run()
        defer {
            p.terminate()
            p.waitUntilExit()
        }
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        func renewTime() async throws -> Double {
            let l = try await client.get(.leases, namespace: "kube-node-lease", name: "relayed")
            return Timestamp.parse(l["spec"]["renewTime"].stringValue ?? "") ?? 0
        }
        try await eventually(20, "the kubelet's Lease") { try await renewTime() > 0 }

        // The next status write's connection goes silent, the write with it.
        relay.freezeOnNext(#""subresource":"status""#)
        try await eventually(10, "a status write to freeze on") { relay.frozenAt != nil }
        let frozenAt = try #require(relay.frozenAt)

        // Renewed after the freeze, well within the lease duration (4 s)...
        try await eventually(4, "a renewal after the link froze") { try await renewTime() > frozenAt }
        // ...and still being renewed later (over a new connection).
        try await Task.sleep(for: .seconds(4))
        let later = try await renewTime()
        #expect(later > frozenAt + 3, "last renewal \(later - frozenAt)s after the freeze; log: \(String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self).suffix(3000))")
        #expect(p.isRunning)
    }
}
