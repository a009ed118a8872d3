/// A change an informer saw.
public enum InformerEvent: Sendable {
    case added(JSON)
    case updated(old: JSON, new: JSON)
    /// `finalStateUnknown`: the delete was not seen, only inferred from a relist (client-go's
    /// tombstone); the object is the last state the cache held.
    case deleted(JSON, finalStateUnknown: Bool)
    /// The first full list has been delivered.
    case synced
}

/// List+watch with a local cache, as client-go's informer: lists, then watches from the
/// list's revision; resumes the watch from the last revision seen after a disconnect, and
/// relists (diffing against the cache) on 410 Gone.
///
/// Isolation: an actor; the handler runs on it, one event at a time, in order.
public actor Informer {
    public let client: Client
    public let type: ResourceType
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    /// Objects per list page (client-go's reflector: 500); lists and relists page with
    /// `limit`/`continue` so a type whose whole list exceeds a frame still syncs.
    public let pageSize: Int
    /// Applied to every object before it is cached or handed on (client-go's
    /// `SetTransform`): a process that caches a large type keeps only the fields it reads.
    public let transform: (@Sendable (JSON) -> JSON)?

    private var cache: [String: JSON] = [:]
    private var resourceVersion = ""
    public private(set) var hasSynced = false
    /// Full lists done (1 after the first); a relist after 410 makes it 2.
    public private(set) var lists = 0
    /// The revision everything up to which the handler has been given: the last list's, or
    /// the last watch event's or bookmark's once the handler returned ("" before the first
    /// list). A reader that sees revision R here knows the handler saw every change <= R.
    public private(set) var appliedResourceVersion = ""

    public init(client: Client, type: ResourceType, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
                pageSize: Int = 500, transform: (@Sendable (JSON) -> JSON)? = nil) {
        self.client = client
        self.transform = transform
        self.pageSize = pageSize
        self.type = type
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }

    public func items() -> [JSON] { Array(cache.values) }

    public func object(namespace: String? = nil, name: String) -> JSON? {
        cache[namespace.map { "\($0)/\(name)" } ?? name]
    }

    nonisolated static func key(_ o: JSON) -> String {
        let m = o["metadata"]
        let name = m["name"].stringValue ?? ""
        if let ns = m["namespace"].stringValue, !ns.isEmpty { return "\(ns)/\(name)" }
        return name
    }

    /// Runs until the task is cancelled.
    public func run(_ handler: @escaping @Sendable (InformerEvent) async -> Void) async {
        var needList = true
        var backoff = 0.2
        while !Task.isCancelled {
            if needList {
                do {
                    let (items, rv) = try await client.list(type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                                                              pageSize: pageSize)
                    await replace(items, handler)
                    resourceVersion = rv
                    appliedResourceVersion = rv
                    lists += 1
                    needList = false
                    backoff = 0.2
                    if !hasSynced {
                        hasSynced = true
                        await handler(.synced)
                    }
                } catch {
                    await sleep(&backoff)
                    continue
                }
            }
            var req = Request(verb: .watch, resource: type.plural, namespace: namespace)
            req.labelSelector = labelSelector
            req.fieldSelector = fieldSelector
            req.resourceVersion = resourceVersion
            req.allowWatchBookmarks = true
            do {
                let stream = try await client.watch(req)
                for try await e in stream {
                    if let rv = e.resourceVersion { resourceVersion = rv }
                    await apply(e, handler)
                    if let rv = e.resourceVersion { appliedResourceVersion = rv }
                    backoff = 0.2
                }
            } catch let s as Status {
                if s.isGone { needList = true } else { await sleep(&backoff) }
            } catch {
                await sleep(&backoff)
            }
        }
    }

    private func sleep(_ backoff: inout Double) async {
        try? await Task.sleep(for: .milliseconds(Int(backoff * Double.random(in: 0.5...1.5) * 1000)))
        backoff = min(backoff * 2, 10)
    }

    private func apply(_ e: WatchEvent, _ handler: @Sendable (InformerEvent) async -> Void) async {
        guard e.type == "ADDED" || e.type == "MODIFIED" || e.type == "DELETED" else { return }
        let object = transform.map { $0(e.object) } ?? e.object
        let key = Self.key(object)
        switch e.type {
        case "ADDED", "MODIFIED":
            let old = cache[key]
            cache[key] = object
            if let old { await handler(.updated(old: old, new: object)) } else { await handler(.added(object)) }
        case "DELETED":
            cache[key] = nil
            await handler(.deleted(object, finalStateUnknown: false))
        default:
            break
        }
    }

    /// Makes the cache equal `items`, telling the handler what changed.
    private func replace(_ items: [JSON], _ handler: @Sendable (InformerEvent) async -> Void) async {
        var fresh: [String: JSON] = [:]
        for item in items {
            let o = transform.map { $0(item) } ?? item
            fresh[Self.key(o)] = o
        }
        for (k, old) in cache where fresh[k] == nil {
            cache[k] = nil
            await handler(.deleted(old, finalStateUnknown: true))
        }
        for (k, o) in fresh {
            if let old = cache[k] {
                if old["metadata"]["resourceVersion"] != o["metadata"]["resourceVersion"] {
                    cache[k] = o
                    await handler(.updated(old: old, new: o))
                }
            } else {
                cache[k] = o
                await handler(.added(o))
            }
        }
    }
}
