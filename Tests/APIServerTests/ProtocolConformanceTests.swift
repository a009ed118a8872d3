import Foundation
import Testing
import TestSupport
@testable import apiserver

/// The server does what docs/PROTOCOL.md says for request members, selectors, preconditions
/// and sizes.
@Suite(.serialized) struct ProtocolConformanceTests {
    @Test func wrongMemberTypesAre400AndChangeNothing() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.configMaps, namespace: "default", cm("x"))
        let raw = try RawPeer(s.address, token: s.tokens.admin)
        let delete: JSON = ["verb": "delete", "resource": "configmaps", "namespace": "default", "name": "x"]
        var cases: [(JSON, String)] = []
        var d = delete
        d["preconditions"] = ["uid": 5]
        cases.append((d, "request.preconditions.uid must be a string, got number"))
        d["preconditions"] = ["resourceVersion": ["1"]]
        cases.append((d, "request.preconditions.resourceVersion must be a string, got array"))
        d["preconditions"] = "uid"
        cases.append((d, "request.preconditions must be an object, got string"))
        cases.append((["verb": "watch", "resource": "configmaps", "allowWatchBookmarks": "yes"],
                      "request.allowWatchBookmarks must be a boolean, got string"))
        for (i, (members, message)) in cases.enumerated() {
            let r = raw.call(i + 1, members)
            #expect(r?["error"]["code"] == 400 && r?["error"]["message"] == .string(message), "\(String(describing: r))")
        }
        #expect(try await s.client.getIfPresent(.configMaps, namespace: "default", name: "x") != nil)
        // A null member is the same as a missing one.
        d["preconditions"] = .null
        #expect(raw.call(9, d)?["object"]["metadata"]["name"] == "x")
        await s.stop()
    }

    @Test func emptySetsInSelectorsAreRefused() async throws {
        let s = try await InProcessServer.start()
        _ = try await s.client.create(.configMaps, namespace: "default", cm("a", labels: ["app": "web"]))
        _ = try await s.client.create(.configMaps, namespace: "default", cm("b", labels: ["app": ""]))
        for sel in ["app notin ()", "app in ()", "app in ( )", "app notin(),x"] {
            await #expect { try await s.client.list(.configMaps, labelSelector: sel) } throws: {
                ($0 as? Status)?.code == 400 && ($0 as? Status)?.message.contains("values set can't be empty") == true
            }
        }
        // `(web,)` is web or the empty value, as in Kubernetes.
        let names = try await s.client.list(.configMaps, labelSelector: "app in (web,)").items.compactMap { $0["metadata"]["name"].stringValue }
        #expect(names.sorted() == ["a", "b"])
        await s.stop()
    }

    @Test func uidInTheBodyIsAPrecondition() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        let created = try await c.create(.configMaps, namespace: "default", cm("u"))
        let uid = created["metadata"]["uid"].stringValue ?? ""
        var wrong = created
        wrong[path: ["metadata", "uid"]] = "00000000-0000-4000-8000-000000000000"
        wrong["data"] = ["k": "v"]
        let expected = "Operation cannot be fulfilled on configmaps \"u\": Precondition failed: UID in precondition: 00000000-0000-4000-8000-000000000000, UID in object meta: \(uid)"
        await #expect { try await c.update(.configMaps, wrong) } throws: {
            ($0 as? Status)?.code == 409 && ($0 as? Status)?.message == expected
        }
        await #expect { try await c.patch(.configMaps, namespace: "default", name: "u", ["metadata": ["uid": "00000000-0000-4000-8000-000000000000"], "data": ["k": "v"]]) } throws: {
            ($0 as? Status)?.code == 409 && ($0 as? Status)?.message == expected
        }
        #expect(try await c.get(.configMaps, namespace: "default", name: "u")["data"] == [:])
        var right = created
        right["data"] = ["k": "v"]
        #expect(try await c.update(.configMaps, right)["data"] == ["k": "v"])
        await s.stop()
    }

    /// `--max-object-bytes` applies to the object as stored, whatever the request's size.
    @Test func maxObjectBytesMeasuresTheStoredObject() async throws {
        let s = try await InProcessServer.start { $0.limits.maxObjectBytes = 10_000 }
        let c = s.client
        func tooLarge(_ e: any Error) -> Bool { (e as? Status)?.code == 413 && (e as? Status)?.reason == "RequestEntityTooLarge" }
        // About 10,200 bytes stored: refused, although the request frame is under limit + 4 KiB.
        await #expect { try await c.create(.configMaps, namespace: "default", cm("big", data: ["p": String(repeating: "a", count: 10_000)])) } throws: { tooLarge($0) }
        _ = try await c.create(.configMaps, namespace: "default", cm("grow", data: ["p": String(repeating: "a", count: 9_000)]))
        // A small patch that makes the object too large.
        await #expect { try await c.patch(.configMaps, namespace: "default", name: "grow", ["data": ["q": .string(String(repeating: "b", count: 2_000))]]) } throws: { tooLarge($0) }
        var bigger = try await c.get(.configMaps, namespace: "default", name: "grow")
        bigger["data"] = ["p": .string(String(repeating: "c", count: 10_000))]
        await #expect { try await c.update(.configMaps, bigger) } throws: { tooLarge($0) }
        #expect(try await c.get(.configMaps, namespace: "default", name: "grow")["data"] == ["p": .string(String(repeating: "a", count: 9_000))])
        await #expect { try await c.create(.configMaps, namespace: "default", cm("none", data: ["p": String(repeating: "a", count: 11_000)])) } throws: { tooLarge($0) }
        #expect(try await c.getIfPresent(.configMaps, namespace: "default", name: "big") == nil)
        await s.stop()
    }

    @Test func annotationAndLabelLimitsAreKubernetes() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        func withAnnotations(_ name: String, _ total: Int) -> JSON {
            var o = cm(name)
            // Key "a" (1 byte) plus the value: `total` bytes in all.
            o[path: ["metadata", "annotations"]] = ["a": .string(String(repeating: "x", count: total - 1))]
            return o
        }
        _ = try await c.create(.configMaps, namespace: "default", withAnnotations("fits", 262_144))
        await #expect { try await c.create(.configMaps, namespace: "default", withAnnotations("over", 262_145)) } throws: {
            let st = $0 as? Status
            return st?.code == 422 && st?.details?.causes.first?.field == "metadata.annotations"
                && st?.details?.causes.first?.message == "Too long: must have at most 262144 bytes"
        }
        await #expect { try await c.create(.configMaps, namespace: "default", cm("l", labels: ["app": String(repeating: "v", count: 64)])) } throws: {
            ($0 as? Status)?.code == 422
        }
        await #expect { try await c.create(.configMaps, namespace: "default", cm("l", labels: [String(repeating: "k", count: 64): "v"])) } throws: {
            ($0 as? Status)?.code == 422
        }
        _ = try await c.create(.configMaps, namespace: "default", cm("l", labels: [String(repeating: "k", count: 63): String(repeating: "v", count: 63)]))
        await s.stop()
    }

    /// What PROTOCOL.md says about a second hello and about `limit: 0`.
    @Test func secondHelloClosesAndLimitZeroMeansAll() async throws {
        let s = try await InProcessServer.start()
        for i in 0..<3 { _ = try await s.client.create(.configMaps, namespace: "default", cm("c\(i)")) }
        let raw = try RawPeer(s.address, token: s.tokens.admin)
        let all = raw.call(1, ["verb": "list", "resource": "configmaps", "namespace": "default", "limit": 0])
        #expect(all?["object"]["items"].arrayValue?.count == 3)
        #expect(all?["object"]["metadata"]["continue"].isNull == true)
        raw.send(Hello(token: s.tokens.admin, client: "again").json)
        let error = raw.next()
        #expect(error?["type"] == "error" && error?["status"]["code"] == 400)
        #expect(error?["status"]["message"] == "unknown message type \"hello\"")
        #expect(raw.next() == nil)
        await s.stop()
    }
}
