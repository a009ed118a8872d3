import Foundation
import Testing
import Wire
@testable import ctl

/// Every example manifest: kinds Skiff serves are accepted and stored unchanged in every
/// field the manifest sets (pods, ReplicaSets, Deployments and Jobs alike).
@Suite(.serialized) struct ManifestTests {
    static let files: [String] = {
        let e = FileManager.default.enumerator(atPath: manifestsDir)
        var out: [String] = []
        while let p = e?.nextObject() as? String { if p.hasSuffix(".yaml") { out.append(p) } }
        return out.sorted()
    }()

    @Test func everyManifest() throws {
        #expect(Self.files.count >= 9)
        let f = try Fixture()
        defer { f.close() }
        for file in Self.files {
            let path = manifestsDir + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            // Manifests name their own namespace (cpu-example) or none; give each a fresh one.
            let ns = text.contains("cpu-example") ? "cpu-example" : "m-" + file.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".yaml", with: "").lowercased()
            if ns == "cpu-example" {
                // Refused until its namespace exists, as Kubernetes refuses it.
                let early = try f.ctl.run(["apply", "-f", path])
                #expect(early.code == 1 && early.stderr == "Error from server (NotFound): error when creating \"\(path)\": namespaces \"cpu-example\" not found\n",
                        "\(file): \(early.stderr)")
            }
            _ = try f.ctl.ok(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(ns)}\n")
            let applied = try f.ctl.run(["apply", "-f", path, "-n", ns])
            #expect(applied.code == 0 && applied.stderr.isEmpty, "\(file): \(applied.stderr)")
            let name = applied.stdout.split(separator: " ")[0]
            let stored = try JSON.parse(try f.ctl.ok(["get", String(name), "-n", ns, "-o", "json"]))
            // Every leaf the manifest sets is stored as written.
            let original = try YAMLInput.documents(text)
            #expect(original.count == 1)
            var want = original[0]
            want[path: ["metadata", "namespace"]] = .null
            Self.expectContained(want, in: stored, path: file)
        }
    }

    static func expectContained(_ want: JSON, in got: JSON, path: String, at field: String = "") {
        switch want {
        case .object(let o):
            for (k, v) in o { expectContained(v, in: got[k], path: path, at: field + "." + k) }
        case .array(let a):
            let g = got.arrayValue ?? []
            // Admission appends the not-ready/unreachable NoExecute tolerations, as Kubernetes' does.
            if field == ".spec.tolerations" {
                #expect(g.count >= a.count, "\(path)\(field): array length")
            } else {
                #expect(g.count == a.count, "\(path)\(field): array length")
            }
            for (i, v) in a.enumerated() where i < g.count { expectContained(v, in: g[i], path: path, at: field + "[\(i)]") }
        default:
            #expect(got == want, "\(path)\(field): stored \(got.compactString), manifest \(want.compactString)")
        }
    }
}
