import Synchronization
import Wire

/// Computes the index values of an object (an object may have none, or several).
public typealias IndexFunction = @Sendable (JSON) -> [String]

/// Index functions every shared informer gets.
public enum Indexes {
    public static let namespace = "namespace"
    public static let nodeName = "nodeName"
    public static let ownerUID = "ownerUID"

    public static let standard: [String: IndexFunction] = [
        namespace: { o in o["metadata"]["namespace"].stringValue.map { [$0] } ?? [] },
        nodeName: { o in o["spec"]["nodeName"].stringValue.flatMap { $0.isEmpty ? nil : [$0] } ?? [] },
        ownerUID: { o in (o["metadata"]["ownerReferences"].arrayValue ?? []).compactMap { $0["uid"].stringValue } },
    ]
}

/// A thread-safe cache of objects by key (`namespace/name`, or `name`), with indexes kept
/// up to date on every change, as client-go's ThreadSafeStore.
public final class Indexer: Sendable {
    private struct State {
        var items: [String: JSON] = [:]
        var functions: [String: IndexFunction]
        /// index name → value → keys.
        var indices: [String: [String: Set<String>]] = [:]

        mutating func unindex(_ key: String, _ o: JSON) {
            for (name, f) in functions {
                for v in f(o) {
                    indices[name]?[v]?.remove(key)
                    if indices[name]?[v]?.isEmpty == true { indices[name]?[v] = nil }
                }
            }
        }

        mutating func index(_ key: String, _ o: JSON) {
            for (name, f) in functions {
                for v in f(o) { indices[name, default: [:]][v, default: []].insert(key) }
            }
        }
    }

    private let state: Mutex<State>

    public init(indexers: [String: IndexFunction] = Indexes.standard) { state = Mutex(State(functions: indexers)) }

    public static func key(_ o: JSON) -> String {
        let m = o["metadata"]
        let name = m["name"].stringValue ?? ""
        if let ns = m["namespace"].stringValue, !ns.isEmpty { return "\(ns)/\(name)" }
        return name
    }

    /// Adds an index function; existing objects are indexed by it at once.
    public func addIndex(_ name: String, _ f: @escaping IndexFunction) {
        state.withLock { s in
            s.functions[name] = f
            s.indices[name] = [:]
            for (k, o) in s.items {
                for v in f(o) { s.indices[name, default: [:]][v, default: []].insert(k) }
            }
        }
    }

    /// Adds or replaces; returns the object it replaced.
    @discardableResult
    public func put(_ o: JSON) -> JSON? {
        let key = Self.key(o)
        return state.withLock { s in
            let old = s.items[key]
            if let old { s.unindex(key, old) }
            s.items[key] = o
            s.index(key, o)
            return old
        }
    }

    @discardableResult
    public func remove(key: String) -> JSON? {
        state.withLock { s in
            guard let old = s.items.removeValue(forKey: key) else { return nil }
            s.unindex(key, old)
            return old
        }
    }

    public func get(_ key: String) -> JSON? { state.withLock { $0.items[key] } }
    public func get(namespace: String? = nil, name: String) -> JSON? { get(namespace.map { "\($0)/\(name)" } ?? name) }
    public func list() -> [JSON] { state.withLock { Array($0.items.values) } }
    public func keys() -> [String] { state.withLock { Array($0.items.keys) } }
    public var count: Int { state.withLock { $0.items.count } }

    /// Objects whose index `name` has `value`.
    public func byIndex(_ name: String, _ value: String) -> [JSON] {
        state.withLock { s in (s.indices[name]?[value] ?? []).compactMap { s.items[$0] } }
    }

    /// Keys indexed under `value` (empty index values are dropped, so this stays small).
    public func indexKeys(_ name: String, _ value: String) -> [String] {
        state.withLock { Array($0.indices[name]?[value] ?? []) }
    }

    /// Runs `body` with the items under the lock (a consistent snapshot for registration).
    func withItems<T>(_ body: ([String: JSON]) -> T) -> T { state.withLock { body($0.items) } }
}
