import Foundation
import Testing
import TestSupport
@testable import apiserver

/// `logs` and `exec` (protocol version 2): the hub relays streams between the caller's
/// connection and the kubelet's, within the windows. The kubelet here is a raw socket.
@Suite(.serialized) struct StreamRelayTests {
    struct Cluster {
        let s: InProcessServer
        let uid: String
    }

    /// A server with node n1, pod `web` (one container `app`, running on n1), pod `duo`
    /// (containers a and b) and pod `pending` (on n1, no status yet).
    func cluster() async throws -> Cluster {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.nodes, ["metadata": ["name": "n1"]])
        func pod(_ name: String, _ containers: [String], node: String = "n1") -> JSON {
            ["metadata": ["name": .string(name), "namespace": "default"],
             "spec": ["nodeName": .string(node), "containers": .array(containers.map { ["name": .string($0), "image": "busybox"] })]]
        }
        let web = try await s.client.create(.pods, pod("web", ["app"]))
        for name in ["web", "far"] {
            if name == "far" { _ = try await s.client.create(.pods, pod("far", ["app"], node: "n2")) }
            _ = try await s.client.patch(.pods, namespace: "default", name: name, ["status": [
                "phase": "Running",
                "containerStatuses": [["name": "app", "ready": true, "restartCount": 0, "image": "busybox", "imageID": "",
                                       "state": ["running": ["startedAt": "2026-01-01T00:00:00Z"]]]],
            ]], status: true)
        }
        _ = try await s.client.create(.pods, pod("duo", ["a", "b"]))
        _ = try await s.client.create(.pods, pod("pending", ["app"]))
        return Cluster(s: s, uid: web["metadata"]["uid"].stringValue ?? "")
    }

    /// Runs `body` on a fresh cluster and stops it (its data directory removed) afterwards,
    /// also when the body throws.
    func withCluster(_ body: (Cluster) async throws -> Void) async throws {
        let c = try await cluster()
        do { try await body(c) } catch {
            await c.s.stop()
            throw error
        }
        await c.s.stop()
    }

    func data(_ id: Int, _ side: String, _ stream: String, _ text: String) -> JSON {
        ["type": "data", "id": .int(id), "side": .string(side), "stream": .string(stream), "data": .string(Data(text.utf8).base64EncodedString())]
    }

    @Test func logsAndExecAreRelayedBothWays() async throws {
        try await withCluster { c in
            let address = c.s.address, admin = c.s.tokens.admin, nodeToken = c.s.tokens.node, uid = c.uid
            try await offThread {
                let kubelet = try RawPeer(address, token: nodeToken, node: "n1")
                let ctl = try RawPeer(address, token: admin)
                ctl.request(1, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web", "body": ["follow": true]])
                let req = try #require(kubelet.next())
                #expect(req["verb"] == "logs" && req["namespace"] == "default" && req["name"] == "web")
                #expect(req["body"] == ["container": "app", "follow": true, "uid": .string(uid)])
                let kid = try #require(req["id"].intValue)
                kubelet.send(data(kid, "server", "stdout", "one\n"))
                #expect(ctl.next() == ["type": "data", "id": 1, "side": "client", "stream": "stdout", "data": "b25lCg=="])
                ctl.send(["type": "window", "id": 1, "side": "client", "stream": "stdout", "bytes": 10])
                #expect(kubelet.next() == ["type": "window", "id": .int(kid), "side": "server", "stream": "stdout", "bytes": 10])
                kubelet.send(["type": "response", "id": .int(kid), "object": [:]])
                #expect(ctl.response(1) == ["type": "response", "id": 1, "object": [:]])

                // exec: stdin sent at once (within the initial window) follows the request.
                ctl.request(2, ["verb": "exec", "resource": "pods", "namespace": "default", "name": "web",
                                "body": ["command": ["cat"], "stdin": true]])
                ctl.send(data(2, "client", "stdin", "hello"))
                ctl.send(["type": "eof", "id": 2, "side": "client", "stream": "stdin"])
                let exec = try #require(kubelet.next())
                #expect(exec["body"] == ["container": "app", "command": ["cat"], "stdin": true, "uid": .string(uid)])
                let eid = try #require(exec["id"].intValue)
                #expect(kubelet.next() == data(eid, "server", "stdin", "hello"))
                #expect(kubelet.next() == ["type": "eof", "id": .int(eid), "side": "server", "stream": "stdin"])
                kubelet.send(data(eid, "server", "stdout", "hello"))
                kubelet.send(data(eid, "server", "stderr", "oops"))
                kubelet.send(["type": "response", "id": .int(eid), "object": ["exitCode": 3]])
                #expect(ctl.next() == data(2, "client", "stdout", "hello"))
                #expect(ctl.next() == data(2, "client", "stderr", "oops"))
                #expect(ctl.next() == ["type": "response", "id": 2, "object": ["exitCode": 3]])

                // The caller cancels: 499, and the kubelet is told to cancel.
                ctl.request(3, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web"])
                let third = try #require(kubelet.next()?["id"].intValue)
                ctl.send(["type": "cancel", "id": 3])
                #expect(ctl.response(3)?["error"]["code"] == 499)
                #expect(kubelet.next() == ["type": "cancel", "id": .int(third)])
            }
        }
    }

    /// A kubelet that sends faster than the caller reads: the hub holds at most the window
    /// for the caller, and a kubelet sending past it has its stream stopped.
    @Test func aSlowReaderHoldsTheHubToTheWindow() async throws {
        try await withCluster { c in
            let address = c.s.address, admin = c.s.tokens.admin, nodeToken = c.s.tokens.node
            let context = await c.s.server.context!
            let kubelet = try RawPeer(address, token: nodeToken, node: "n1")
            let ctl = try RawPeer(address)
            ctl.setReceiveBuffer(4096)
            ctl.hello(admin, versions: [1, 2])
            #expect(ctl.next()?["version"] == 2)
            ctl.request(1, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web", "body": ["follow": true]])
            let kid = try await offThread { try #require(kubelet.next()?["id"].intValue) }
            let chunk = String(repeating: "x", count: 32768)
            kubelet.send(data(kid, "server", "stdout", chunk))
            kubelet.send(data(kid, "server", "stdout", chunk))
            try await Task.sleep(for: .milliseconds(300))
            let held = context.connections.withLock { $0.values.map(\.framed.pendingOutputBytes).max() ?? 0 }
            // Two frames of 32 KiB in base64 (43,692 bytes each, plus their JSON), at most.
            #expect(held <= 2 * 43_800)
            // Past the window: the kubelet is told to cancel, the caller gets a 502, and what
            // came beyond the window was dropped, not queued.
            for _ in 0..<10 { kubelet.send(data(kid, "server", "stdout", chunk)) }
            let cancel = try await offThread { kubelet.next() }
            #expect(cancel == ["type": "cancel", "id": .int(kid)])
            try await Task.sleep(for: .milliseconds(200))
            #expect(context.connections.withLock { $0.values.map(\.framed.pendingOutputBytes).max() ?? 0 } <= 2 * 43_800 + 400)
            let answer = try await offThread { () -> JSON? in
                #expect(ctl.next()?["type"] == "data")
                #expect(ctl.next()?["type"] == "data")
                return ctl.next()
            }
            #expect(answer?["error"]["code"] == 502)
            #expect(answer?["error"]["message"] == "the node broke the stream's rules: window overflow: 32768 bytes of stdout sent with only 0 granted")
        }
    }

    @Test func hostileStreamInputGetsClearErrorsAndOthersAreServed() async throws {
        try await withCluster { c in
            let address = c.s.address, admin = c.s.tokens.admin, nodeToken = c.s.tokens.node
            try await offThread {
                let kubelet = try RawPeer(address, token: nodeToken, node: "n1")
                let ctl = try RawPeer(address, token: admin)
                ctl.send(data(99, "client", "stdin", "x"))
                #expect(ctl.response(99)?["error"]["message"] == "no open stream with id 99 on this connection: data must follow a logs or exec request of that id")

                ctl.request(3, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web"])
                let k3 = try #require(kubelet.next()?["id"].intValue)
                ctl.send(["type": "data", "id": 3, "side": "client", "stream": "stdin", "data": "not base64!"])
                #expect(ctl.response(3)?["error"] == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                                        "message": "data.data is not valid base64", "reason": "BadRequest", "code": 400])
                #expect(kubelet.next() == ["type": "cancel", "id": .int(k3)])

                ctl.request(4, ["verb": "exec", "resource": "pods", "namespace": "default", "name": "web", "body": ["command": ["true"]]])
                let k4 = try #require(kubelet.next()?["id"].intValue)
                ctl.send(data(4, "client", "stdin", "x"))
                #expect(ctl.response(4)?["error"]["message"] == "the client may not send data on stream \"stdin\" of this request")
                #expect(kubelet.next() == ["type": "cancel", "id": .int(k4)])

                ctl.request(5, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web"])
                let k5 = try #require(kubelet.next()?["id"].intValue)
                ctl.send(["type": "window", "id": 5, "side": "client", "stream": "stdout", "bytes": 16_777_216])
                #expect(ctl.response(5)?["error"]["message"] == "window overflow: a grant of 16777216 bytes takes the window of stdout over 16777216")
                #expect(kubelet.next() == ["type": "cancel", "id": .int(k5)])

                // 64 streams at once, then 429.
                for id in 100..<164 { ctl.request(id, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web"]) }
                for _ in 100..<164 { #expect(kubelet.next()?["verb"] == "logs") }
                let refused = ctl.call(164, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web"])
                #expect(refused?["error"]["code"] == 429)
                #expect(refused?["error"]["message"] == "too many streams on this connection (limit 64)")
                // The same connection still answers other requests, and so does everyone else.
                #expect(ctl.call(200, ["verb": "get", "resource": "namespaces", "name": "default"])?["object"]["metadata"]["name"] == "default")
                // The caller goes away: every one of its streams is cancelled at the kubelet.
                shutdown(ctl.fd, Int32(SHUT_RDWR))
                var cancels = 0
                while cancels < 64, let f = kubelet.next() { if f["type"] == "cancel" { cancels += 1 } }
                #expect(cancels == 64)
            }
            #expect(try await c.s.client.get(.namespaces, name: "default")["metadata"]["name"] == "default")
            // ... and their slots are free again.
            let context = await c.s.server.context!
            try await eventuallyTrue(3) { context.inflightCount == 0 }
        }
    }

    /// A version 1 client gets everything as before; streams need version 2.
    @Test func version1ClientsAreServedAsBefore() async throws {
        try await withCluster { c in
            let address = c.s.address, admin = c.s.tokens.admin
            try await offThread {
                let old = try RawPeer(address)
                old.hello(admin, versions: [1])
                #expect(old.next()?["version"] == 1)
                let newer = try RawPeer(address)
                newer.hello(admin, versions: [1, 2])
                #expect(newer.next()?["version"] == 2)
                #expect(old.call(1, ["verb": "get", "resource": "pods", "namespace": "default", "name": "web"])?["object"]["metadata"]["name"] == "web")
                #expect(old.call(2, ["verb": "logs", "resource": "pods", "namespace": "default", "name": "web"])?["error"]["message"]
                        == "logs needs protocol version 2 (streams); this connection negotiated version 1")
                old.send(data(2, "client", "stdin", "x"))
                #expect(old.response(2)?["error"]["message"] == "unknown message type \"data\"")
                #expect(old.call(3, ["verb": "version"])?["object"]["protocolVersions"] == [1, 2])
            }
        }
    }

    @Test func podAndContainerErrorsReadAsKubernetes() async throws {
        try await withCluster { c in
            let conn = try await c.s.client.connection()
            func logs(_ pod: String, _ body: JSON = [:], verb: Verb = .logs) async -> String {
                var req = Request(verb: verb, resource: "pods", namespace: "default", name: pod)
                req.body = body
                let channel = conn.openStream(req, writes: [], reads: ["stdout", "stderr"])
                switch await channel.result() {
                case .success(let o): return "ok \(o)"
                case .failure(let s): return "\(s.code) \(s.message)"
                }
            }
            #expect(await logs("nope") == "404 pods \"nope\" not found")
            #expect(await logs("duo") == "400 a container name must be specified for pod duo, choose one of: [a b]")
            #expect(await logs("web", ["container": "zzz"]) == "400 container zzz is not valid for pod web")
            #expect(await logs("pending") == "400 container \"app\" in pod \"pending\" is waiting to start: ContainerCreating")
            #expect(await logs("pending", ["command": ["true"]], verb: .exec) == "400 container \"app\" in pod \"pending\" is waiting to start: ContainerCreating")
            #expect(await logs("web", ["previous": true]) == "400 previous terminated container \"app\" in pod \"web\" not found")
            #expect(await logs("web", ["tailLines": -1]) == "400 logs: body.tailLines must be an integer of at least 0")
            #expect(await logs("web", ["command": []], verb: .exec)
                    == "400 exec: body.command must be a non-empty array of strings (you must specify at least one command for the container)")
            for size: JSON in [["width": 0, "height": 24], ["width": 80], "80x24", ["width": 80, "height": 65536]] {
                #expect(await logs("web", ["command": ["sh"], "tty": true, "terminalSize": size], verb: .exec)
                        == "400 exec: body.terminalSize must be an object with integers width and height from 1 to 65535")
            }
            #expect(await logs("far") == "503 node \"n2\" has no open connection to the apiserver (its kubelet dials in: is it running?)")
            // A kubelet that speaks only version 1 has no streams.
            let oldKubelet = try RawPeer(c.s.address)
            oldKubelet.sendJSON(Hello(versions: [1], token: c.s.tokens.node, nodeName: "n2", client: "old-kubelet").json)
            #expect(try await offThread { oldKubelet.next()?["version"] } == 1)
            #expect(await logs("far") == "503 the kubelet of node \"n2\" speaks protocol version 1, which has no streams: logs needs version 2")
            // Only admins (a node may not reach into pods, not even its own).
            let kubelet = Client(config: ClientConfig(server: c.s.address, token: c.s.tokens.node, nodeName: "n1", clientName: "k"))
            defer { kubelet.close() }
            let nodeConn = try await kubelet.connection()
            let denied = await nodeConn.openStream(Request(verb: .logs, resource: "pods", namespace: "default", name: "web"), writes: [], reads: ["stdout"]).result()
            #expect(denied.failureMessage == "pods \"web\" is forbidden: User \"system:node:n1\" cannot logs resource \"pods\" in API group \"\" in the namespace \"default\"")
        }
    }
}

extension Result where Failure == Status {
    var failureMessage: String? { if case .failure(let s) = self { return s.message } else { return nil } }
}
