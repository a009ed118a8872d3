import ControllerRuntime
import Foundation
import Logging

/// Timing and host of the apiserver identity Lease (Kubernetes' `IdentityLease*` values).
struct APIServerIdentityConfig: Sendable {
    /// The host identity hashed into the Lease name; nil: the hostname.
    var hostname: String?
    /// How often the Lease is renewed. Default 10 s.
    var renewIntervalSeconds: Double = 10
    /// `leaseDurationSeconds` written. Default 3600.
    var leaseDurationSeconds = 3600
    /// How often expired identity Leases are looked for (also once at start). Default 1 h.
    var gcPeriodSeconds: Double = 3600
}

/// Kubernetes' apiserver identity (KEP-1965): each apiserver keeps a Lease in kube-system
/// named `apiserver-<hash>` from its hostname, so it is the same Lease across restarts,
/// labelled `apiserver.kubernetes.io/identity=kube-apiserver` and `kubernetes.io/hostname`,
/// with `holderIdentity` `<name>_<uuid>` (new per process), renewed every 10 s with a 1 h
/// duration. There is no election: a restarted apiserver on the same host simply takes the
/// Lease over with its new holder identity.
enum APIServerIdentity {
    static let namespace = "kube-system"
    static let labelKey = "apiserver.kubernetes.io/identity"
    static let labelValue = "kube-apiserver"
    static var selector: String { "\(labelKey)=\(labelValue)" }

    /// `apiserver-` + lower-case unpadded base32 of the first 16 bytes of SHA-256 over the
    /// hostname and `kube-apiserver`, each prefixed with its length as two big-endian bytes
    /// (as Kubernetes builds it with cryptobyte).
    static func leaseName(hostname: String) -> String {
        var data: [UInt8] = []
        for part in [hostname, labelValue] {
            let bytes = Array(part.utf8)
            data += [UInt8(truncatingIfNeeded: bytes.count >> 8), UInt8(truncatingIfNeeded: bytes.count)] + bytes
        }
        return "apiserver-" + Base32.encodeNoPadding(Array(SHA256.hash(data).prefix(16))).lowercased()
    }

    /// The kernel's hostname (what Go's `os.Hostname` returns).
    static func hostname() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Creates and renews this apiserver's identity Lease (Kubernetes' lease controller:
/// updates start from the Lease last written; a failed update reads it afresh next time).
actor IdentityLeaseController {
    let client: Client
    let logger: Logger
    let config: APIServerIdentityConfig
    let clock: any RuntimeClock
    let host: String
    let name: String
    let holder: String
    private var last: JSON?

    init(client: Client, logger: Logger, config: APIServerIdentityConfig, clock: any RuntimeClock) {
        self.client = client
        self.logger = logger
        self.config = config
        self.clock = clock
        host = config.hostname ?? APIServerIdentity.hostname()
        name = APIServerIdentity.leaseName(hostname: host)
        holder = name + "_" + UUID().uuidString.lowercased()
    }

    func run() async {
        while !Task.isCancelled {
            do { try await renew() } catch {
                last = nil
                logger.warning("could not renew the apiserver identity lease", metadata: ["lease": .string(name), "error": .string(error.message)])
            }
            do { try await clock.sleep(for: config.renewIntervalSeconds) } catch { return }
        }
    }

    func renew() async throws(Status) {
        var lease: JSON
        if let last {
            lease = last
        } else if let current = try await client.getIfPresent(.leases, namespace: APIServerIdentity.namespace, name: name) {
            lease = current
        } else {
            lease = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                     "metadata": ["name": .string(name), "namespace": .string(APIServerIdentity.namespace)]]
            fill(&lease)
            last = try await client.create(.leases, namespace: APIServerIdentity.namespace, lease)
            logger.info("apiserver identity lease created", metadata: ["lease": .string(name), "holder": .string(holder)])
            return
        }
        fill(&lease)
        last = try await client.update(.leases, lease)
    }

    /// Labels and spec as this apiserver keeps them (other labels are left alone).
    private func fill(_ lease: inout JSON) {
        lease[path: ["metadata", "labels", APIServerIdentity.labelKey]] = .string(APIServerIdentity.labelValue)
        lease[path: ["metadata", "labels", "kubernetes.io/hostname"]] = .string(host)
        lease[path: ["spec", "holderIdentity"]] = .string(holder)
        lease[path: ["spec", "leaseDurationSeconds"]] = .int(config.leaseDurationSeconds)
        lease[path: ["spec", "renewTime"]] = .string(Timestamp.formatMicro(clock.now))
    }
}

/// Deletes identity Leases (label `apiserver.kubernetes.io/identity=kube-apiserver`, in
/// kube-system only) whose `renewTime` plus `leaseDurationSeconds` has passed, or that lack
/// either (Kubernetes' apiserverleasegc, run in every apiserver: at start, then every
/// period). A candidate is read again live and deleted at that resourceVersion, so a Lease
/// renewed meanwhile stays.
struct IdentityLeaseGC: Sendable {
    let client: Client
    let logger: Logger
    let period: Double
    let clock: any RuntimeClock

    func run() async {
        while !Task.isCancelled {
            do {
                let n = try await collect()
                if n > 0 { logger.info("expired apiserver identity leases deleted", metadata: ["count": .stringConvertible(n)]) }
            } catch {
                logger.debug("apiserver identity lease GC failed", metadata: ["error": .string(error.message)])
            }
            do { try await clock.sleep(for: period) } catch { return }
        }
    }

    static func expired(_ lease: JSON, now: Double) -> Bool {
        guard let renew = lease["spec"]["renewTime"].stringValue.flatMap(Timestamp.parse),
              let duration = lease["spec"]["leaseDurationSeconds"].doubleValue else { return true }
        return renew + duration < now
    }

    /// One pass; returns how many Leases it deleted.
    func collect() async throws(Status) -> Int {
        let ns = APIServerIdentity.namespace
        var deleted = 0
        for lease in try await client.list(.leases, namespace: ns, labelSelector: APIServerIdentity.selector).items
        where Self.expired(lease, now: clock.now) {
            guard let name = lease["metadata"]["name"].stringValue,
                  let live = try await client.getIfPresent(.leases, namespace: ns, name: name),
                  Self.expired(live, now: clock.now) else { continue }
            do {
                try await client.delete(.leases, namespace: ns, name: name, uid: live["metadata"]["uid"].stringValue,
                                        resourceVersion: live["metadata"]["resourceVersion"].stringValue)
                deleted += 1
            } catch {
                if !error.isNotFound && !error.isConflict { throw error }
            }
        }
        return deleted
    }
}
