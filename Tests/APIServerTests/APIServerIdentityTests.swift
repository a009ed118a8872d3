import Foundation
import Testing
@testable import apiserver

/// The apiserver identity Lease (Kubernetes' KEP-1965) and the collection of expired ones.
@Suite(.serialized) struct APIServerIdentityTests {
    @Test func hashesAndNamesMatchKubernetes() {
        #expect(SHA256.hash(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined()
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Array(repeating: UInt8(ascii: "a"), count: 1000)).map { String(format: "%02x", $0) }.joined()
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(Base32.encodeNoPadding(Array("foobar".utf8)) == "MZXW6YTBOI")
        // kube-apiserver's name for these hostnames (sha256 over the length-prefixed
        // hostname and "kube-apiserver", first 16 bytes, base32, lower case).
        #expect(APIServerIdentity.leaseName(hostname: "master-1") == "apiserver-wj467rbl25eeviqacfhvg2yvnm")
        #expect(APIServerIdentity.leaseName(hostname: "host-a") == "apiserver-6zbmgnwmvuptjd3z3lqvqzcj5u")
    }

    static func start(dir: String, gcPeriod: Double = 3600, renew: Double = 10) async throws -> (APIServer, Client) {
        var config = APIServerConfig()
        config.listen = HostPort(host: "127.0.0.1", port: 0)
        config.dataDir = dir
        config.controllers = false
        config.identity.hostname = "host-a"
        config.identity.gcPeriodSeconds = gcPeriod
        config.identity.renewIntervalSeconds = renew
        let server = APIServer(config: config)
        let address = try await server.start()
        let tokens = try Tokens.loadOrCreate(dataDir: dir)
        return (server, Client(config: ClientConfig(server: address, token: tokens.admin, clientName: "test", requestTimeoutSeconds: 30)))
    }

    static func identityLeases(_ client: Client) async throws -> [JSON] {
        try await client.list(.leases, namespace: "kube-system", labelSelector: "apiserver.kubernetes.io/identity=kube-apiserver").items
    }

    @Test func theLeaseIsNamedFromTheHostAndKeepsItsNameAcrossARestart() async throws {
        let dir = removedAtExit(NSTemporaryDirectory() + "skiff-identity-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var (server, client) = try await Self.start(dir: dir, renew: 0.2)
        var leases: [JSON] = []
        try await eventuallyTrue(10) {
            leases = try await Self.identityLeases(client)
            return leases.count == 1
        }
        let first = leases[0]
        #expect(first["metadata"]["name"] == "apiserver-6zbmgnwmvuptjd3z3lqvqzcj5u")
        #expect(first["metadata"]["labels"] == ["apiserver.kubernetes.io/identity": "kube-apiserver", "kubernetes.io/hostname": "host-a"])
        #expect(first["spec"]["leaseDurationSeconds"] == 3600)
        let holder = first["spec"]["holderIdentity"].stringValue ?? ""
        #expect(holder.hasPrefix("apiserver-6zbmgnwmvuptjd3z3lqvqzcj5u_") && holder.count == "apiserver-6zbmgnwmvuptjd3z3lqvqzcj5u_".count + 36)
        // Renewed: renewTime moves on.
        let renewed = first["spec"]["renewTime"].stringValue ?? ""
        try await eventuallyTrue(5) {
            try await client.get(.leases, namespace: "kube-system", name: "apiserver-6zbmgnwmvuptjd3z3lqvqzcj5u")["spec"]["renewTime"].stringValue != renewed
        }
        client.close()
        await server.shutdown()

        (server, client) = try await Self.start(dir: dir, renew: 0.2)
        defer { client.close() }
        try await eventuallyTrue(10) {
            let l = try await Self.identityLeases(client)
            return l.count == 1 && l[0]["spec"]["holderIdentity"].stringValue != holder
        }
        let again = try await Self.identityLeases(client)
        #expect(again.map { $0["metadata"]["name"] } == ["apiserver-6zbmgnwmvuptjd3z3lqvqzcj5u"])
        #expect(again[0]["metadata"]["uid"] == first["metadata"]["uid"], "the same Lease, taken over")
        await server.shutdown()
    }

    static func lease(_ name: String, namespace: String = "kube-system", identity: Bool = true, renewedSecondsAgo: Double) -> JSON {
        var meta: JSON = ["name": .string(name), "namespace": .string(namespace)]
        if identity { meta["labels"] = ["apiserver.kubernetes.io/identity": "kube-apiserver"] }
        let t = Timestamp.formatMicro(Timestamp.nowSeconds() - renewedSecondsAgo)
        return ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
                "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": 3600, "acquireTime": .string(t), "renewTime": .string(t)]]
    }

    /// Another apiserver's identity Lease not renewed for two hours is collected; a fresh
    /// one, an unlabelled one and a labelled one outside kube-system stay (as Kubernetes'
    /// TestLeaseGarbageCollection). The GC period is 0.3 s here instead of an hour.
    @Test func expiredIdentityLeasesOfOtherAPIServersAreCollected() async throws {
        let dir = removedAtExit(NSTemporaryDirectory() + "skiff-identity-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (server, client) = try await Self.start(dir: dir, gcPeriod: 0.3)
        defer { client.close() }
        try await eventuallyTrue(10) { try await Self.identityLeases(client).count == 1 }
        _ = try await client.create(.leases, namespace: "kube-system", Self.lease("apiserver-gone", renewedSecondsAgo: 7200))
        _ = try await client.create(.leases, namespace: "kube-system", Self.lease("apiserver-alive", renewedSecondsAgo: 120))
        _ = try await client.create(.leases, namespace: "kube-system", Self.lease("not-identity", identity: false, renewedSecondsAgo: 7200))
        _ = try await client.create(.leases, namespace: "default", Self.lease("apiserver-elsewhere", namespace: "default", renewedSecondsAgo: 7200))
        try await eventuallyTrue(10) { try await client.getIfPresent(.leases, namespace: "kube-system", name: "apiserver-gone") == nil }
        try await Task.sleep(for: .seconds(1.5))
        let kept = try await client.list(.leases).items.map { "\($0["metadata"]["namespace"].stringValue ?? "")/\($0["metadata"]["name"].stringValue ?? "")" }
        #expect(kept == ["default/apiserver-elsewhere", "kube-system/apiserver-6zbmgnwmvuptjd3z3lqvqzcj5u", "kube-system/apiserver-alive",
                         "kube-system/not-identity"])
        await server.shutdown()
    }
}
