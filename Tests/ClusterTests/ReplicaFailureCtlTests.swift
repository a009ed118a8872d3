import Foundation
import Testing
import Wire

/// `ctl describe` of a Deployment whose pods the server refuses: the ReplicaSet's and the
/// Deployment's `ReplicaFailure` rows, as kubectl 1.32 prints them. A template may carry the
/// `orphan` and `foregroundDeletion` finalizers together (as in Kubernetes); a pod may not.
@Suite(.serialized)
struct ReplicaFailureCtlTests {
    static let manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: stuck
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: stuck
          template:
            metadata:
              labels:
                app: stuck
              finalizers: [orphan, foregroundDeletion]
            spec:
              containers:
              - name: web
                image: nginx
        """

    /// The text before `Events:`, with the creation date and pod-template-hash masked.
    static func beforeEvents(_ out: String, hash: String) -> String {
        let head = out.components(separatedBy: "Events:\n").first ?? out
        return head.replacingOccurrences(of: hash, with: "HASH")
            .replacingOccurrences(of: #"CreationTimestamp:      [^\n]+"#, with: "CreationTimestamp:      <date>", options: .regularExpression)
    }

    @Test func describeShowsReplicaFailureOnTheReplicaSetAndTheDeployment() async throws {
        let f = try Fixture()
        defer { f.close() }
        let admin = Client(config: f.server.clientConfig())
        defer { admin.close() }
        #expect(try f.ctl.ok(["apply", "-f", "-"], stdin: Self.manifest) == "deployment.apps/stuck created\n")
        try await eventually(15, "ReplicaFailure on the Deployment") {
            let d = try await admin.get(.deployments, namespace: "default", name: "stuck")
            return (d["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "ReplicaFailure" }
        }
        let hash = try await admin.list(.replicaSets, namespace: "default").items.first?["metadata"]["labels"]["pod-template-hash"].stringValue ?? ""
        #expect(!hash.isEmpty)

        let rs = try f.ctl.ok(["describe", "rs", "stuck-" + hash])
        #expect(Self.beforeEvents(rs, hash: hash) == """
            Name:           stuck-HASH
            Namespace:      default
            Selector:       app=stuck,pod-template-hash=HASH
            Labels:         app=stuck
                            pod-template-hash=HASH
            Annotations:    deployment.kubernetes.io/desired-replicas: 2
                            deployment.kubernetes.io/max-replicas: 3
                            deployment.kubernetes.io/revision: 1
            Controlled By:  Deployment/stuck
            Replicas:       0 current / 2 desired
            Pods Status:    0 Running / 0 Waiting / 0 Succeeded / 0 Failed
            Pod Template:
              Labels:  app=stuck
                       pod-template-hash=HASH
              Containers:
               web:
                Image:         nginx
                Port:          <none>
                Host Port:     <none>
                Environment:   <none>
                Mounts:        <none>
              Volumes:         <none>
              Node-Selectors:  <none>
              Tolerations:     <none>
            Conditions:
              Type             Status  Reason
              ----             ------  ------
              ReplicaFailure   True    FailedCreate

            """)
        // Each failed sync's event names another pod: the first row is enough.
        let firstEvent = rs.components(separatedBy: "Events:\n").last?.split(separator: "\n").dropFirst(2).first.map(String.init) ?? ""
        #expect(firstEvent.replacingOccurrences(of: #"  \d+s( \(x\d+ over \d+s\))? +"#, with: "  <age>  ", options: .regularExpression)
            .replacingOccurrences(of: #"stuck-\#(hash)-[a-z0-9]{5}"#, with: "stuck-HASH-xxxxx", options: .regularExpression)
            == #"  Warning  FailedCreate  <age>  replicaset-controller  Error creating: Pod "stuck-HASH-xxxxx" is invalid: metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set"#)

        let d = try f.ctl.ok(["describe", "deployment", "stuck"])
        let conditions = Self.beforeEvents(d, hash: hash).components(separatedBy: "Conditions:\n").last ?? ""
        #expect(conditions == """
              Type             Status  Reason
              ----             ------  ------
              Progressing      True    NewReplicaSetCreated
              Available        False   MinimumReplicasUnavailable
              ReplicaFailure   True    FailedCreate
            OldReplicaSets:    <none>
            NewReplicaSet:     stuck-HASH (0/2 replicas created)

            """)
    }
}
