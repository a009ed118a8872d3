import Testing
@testable import apiserver

/// The key index's chunked sorted list against a plain sorted set, across chunk splits.
@Suite struct SortedKeysTests {
    func all(_ k: SortedKeys, from lower: String = "") -> [String] {
        var out: [String] = []
        k.forEach(from: lower) { out.append($0); return true }
        return out
    }

    @Test func smallCase() {
        var k = SortedKeys()
        for key in ["/r/c", "/r/a", "/r/b", "/r/a"] { k.insert(key) }
        k.remove("/r/b")
        k.remove("/r/zz")
        #expect(all(k) == ["/r/a", "/r/c"])
        #expect(all(k, from: "/r/b") == ["/r/c"])
        #expect(all(k, from: "/r/d") == [])
        k.remove("/r/a")
        k.remove("/r/c")
        #expect(k.isEmpty && all(k) == [])
    }

    @Test func manyInsertsAndRemovalsStaySorted() {
        var g = SystemRandomNumberGenerator()
        var k = SortedKeys(sorted: (0..<700).map { "/r/k\(1000 + $0)" })
        var model = Set((0..<700).map { "/r/k\(1000 + $0)" })
        for _ in 0..<6000 {
            let key = "/r/k\(Int.random(in: 0..<3000, using: &g))"
            if Bool.random(using: &g) || model.count < 100 {
                k.insert(key)
                model.insert(key)
            } else {
                k.remove(key)
                model.remove(key)
            }
        }
        #expect(all(k) == model.sorted())
        #expect(all(k, from: "/r/k2") == model.sorted().filter { $0 >= "/r/k2" })
        var first10: [String] = []
        k.forEach(from: "/r/k15") { first10.append($0); return first10.count < 10 }
        #expect(first10 == Array(model.sorted().filter { $0 >= "/r/k15" }.prefix(10)))
    }
}
