import Foundation
import Testing
import Wire

/// ctl lists in pages (`--chunk-size`, kubectl's default 500) and follows `continue`;
/// a page too large for one frame is asked again in smaller pages.
@Suite(.serialized) struct ListPagingTests {
    @Test func smallPagesListEverythingInOrder() throws {
        let f = try Fixture()
        defer { f.close() }
        for name in ["e", "c", "a", "d", "b"] {
            _ = try f.ctl.ok(["create", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name), labels: {app: web}}\n")
        }
        let all = "configmap/a\nconfigmap/b\nconfigmap/c\nconfigmap/d\nconfigmap/e\n"
        for size in ["1", "2", "5", "0"] {
            #expect(try f.ctl.ok(["get", "cm", "--chunk-size", size, "-o", "name"]) == all)
        }
        #expect(try f.ctl.ok(["describe", "cm", "--chunk-size", "2"]).components(separatedBy: "\nName:").count == 5)
        #expect(try f.ctl.ok(["delete", "cm", "-l", "app=web"]) == "configmap \"a\" deleted\nconfigmap \"b\" deleted\nconfigmap \"c\" deleted\nconfigmap \"d\" deleted\nconfigmap \"e\" deleted\n")
    }

    /// 20 ConfigMaps of 900 KB: 18 MB, more than the 16 MiB a frame may hold.
    @Test func listLargerThanAFrame() async throws {
        let f = try Fixture()
        defer { f.close() }
        let client = Client(config: f.server.clientConfig())
        defer { client.close() }
        let value = String(repeating: "x", count: 900_000)
        for i in 0..<20 {
            _ = try await client.create(.configMaps, namespace: "default", ["metadata": ["name": .string(String(format: "big%02d", i))], "data": ["v": .string(value)]])
        }
        let names = (0..<20).map { String(format: "configmap/big%02d\n", $0) }.joined()
        #expect(try f.ctl.ok(["get", "cm", "-o", "name"]) == names)
        let table = try f.ctl.ok(["get", "cm"])
        #expect(table.split(separator: "\n").count == 21)
        // Unpaged, the one answer cannot fit: an error, not a partial list.
        let unpaged = try f.ctl.run(["get", "cm", "--chunk-size", "0", "-o", "name"])
        #expect(unpaged.code == 1 && unpaged.stdout.isEmpty)
        #expect(try f.ctl.ok(["delete", "cm", "--all"]).split(separator: "\n").count == 20)
    }
}
