import Synchronization
import Wire

/// The object a `LeaderElector` competes for (client-go's `resourcelock.Interface`). Writes
/// are conditional: `update` succeeds only at the resourceVersion last read, so of two
/// candidates racing for the same record exactly one wins.
///
/// Thread-safety: any task.
public protocol LeaderLock: Sendable {
    /// The record and the resourceVersion it was read at; nil when the object does not exist.
    func get(timeout: Double) async throws(Status) -> (record: LeaderElectionRecord, resourceVersion: String)?
    /// Creates the object holding `record` (409 AlreadyExists when someone did first);
    /// returns its resourceVersion.
    func create(_ record: LeaderElectionRecord, timeout: Double) async throws(Status) -> String
    /// Writes `record` if the object is still at `resourceVersion` (409 Conflict otherwise);
    /// returns the new resourceVersion.
    func update(_ record: LeaderElectionRecord, resourceVersion: String, timeout: Double) async throws(Status) -> String
    /// Records a `LeaderElection` event about the lock object (best effort).
    func recordEvent(_ message: String)
    /// `namespace/name`, for logs.
    var description: String { get }
}

/// A `coordination.k8s.io/v1` Lease as the lock (client-go's `LeaseLock`). Updates start
/// from the Lease last read, so labels and spec fields the record does not cover survive.
public final class LeaseLock: LeaderLock {
    public let client: Client
    public let namespace: String
    public let name: String
    /// Where `became leader` / `stopped leading` events go; nil: none.
    public let events: EventRecorder?
    private let last = Mutex<JSON?>(nil)

    public init(client: Client, namespace: String, name: String, events: EventRecorder? = nil) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.events = events
    }

    public var description: String { "\(namespace)/\(name)" }

    public func get(timeout: Double) async throws(Status) -> (record: LeaderElectionRecord, resourceVersion: String)? {
        guard let lease = try await client.getIfPresent(.leases, namespace: namespace, name: name, timeout: timeout) else {
            last.withLock { $0 = nil }
            return nil
        }
        last.withLock { $0 = lease }
        return (LeaderElectionRecord(lease: lease), lease["metadata"]["resourceVersion"].stringValue ?? "")
    }

    public func create(_ record: LeaderElectionRecord, timeout: Double) async throws(Status) -> String {
        var lease: JSON = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                           "metadata": ["name": .string(name), "namespace": .string(namespace)]]
        record.write(into: &lease)
        let created = try await client.create(.leases, namespace: namespace, lease, timeout: timeout)
        last.withLock { $0 = created }
        return created["metadata"]["resourceVersion"].stringValue ?? ""
    }

    public func update(_ record: LeaderElectionRecord, resourceVersion: String, timeout: Double) async throws(Status) -> String {
        var lease = last.withLock { $0 } ?? ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                              "metadata": ["name": .string(name), "namespace": .string(namespace)]]
        lease[path: ["metadata", "resourceVersion"]] = .string(resourceVersion)
        record.write(into: &lease)
        let updated = try await client.updateWithTimeout(.leases, lease, timeout: timeout)
        last.withLock { $0 = updated }
        return updated["metadata"]["resourceVersion"].stringValue ?? ""
    }

    public func recordEvent(_ message: String) {
        let uid = last.withLock { $0?["metadata"]["uid"].stringValue }
        events?.record(ObjectReference(kind: "Lease", namespace: namespace, name: name, uid: uid, apiVersion: "coordination.k8s.io/v1"),
                       reason: "LeaderElection", message: message)
    }
}
