import Synchronization
import Wire

/// Hands out one `SharedInformer` per resource type and scope (namespace, label and field
/// selector) per factory, so every controller in a process that asks for, say, all Nodes
/// shares one list+watch and one cache.
///
/// Thread-safety: any task.
public final class SharedInformerFactory: Sendable {
    public let client: Client
    public let clock: any RuntimeClock
    public let resyncPeriod: Double
    private let informers = Mutex<[String: SharedInformer]>([:])
    private let started = Mutex(false)
    private let transforms = Mutex<[String: @Sendable (JSON) -> JSON]>([:])

    /// `resyncPeriod` 0 turns resync off.
    public init(client: Client, clock: any RuntimeClock = SystemClock(), resyncPeriod: Double = 0) {
        self.client = client
        self.clock = clock
        self.resyncPeriod = resyncPeriod
    }

    /// The informer for this scope, made on first request. Informers asked for after
    /// `start` start at once.
    public func informer(_ type: ResourceType, namespace: String? = nil, labelSelector: String? = nil,
                         fieldSelector: String? = nil) -> SharedInformer {
        let key = [type.plural, namespace ?? "", labelSelector ?? "", fieldSelector ?? ""].joined(separator: "\u{0}")
        return shared(key, type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                      transform: transforms.withLock { $0[type.plural] })
    }

    /// An informer of every `type` object that keeps only what `MetadataOnly` keeps (client-go's
    /// metadata informers): for a controller that reads only metadata of a kind no other
    /// controller here caches whole. Its own list+watch, apart from `informer(type)`'s.
    public func metadataInformer(_ type: ResourceType) -> SharedInformer {
        shared("metadata\u{0}" + type.plural, type, namespace: nil, labelSelector: nil, fieldSelector: nil, transform: MetadataOnly.keep)
    }

    private func shared(_ key: String, _ type: ResourceType, namespace: String?, labelSelector: String?, fieldSelector: String?,
                        transform: (@Sendable (JSON) -> JSON)?) -> SharedInformer {
        let (informer, startNow) = informers.withLock { all -> (SharedInformer, Bool) in
            if let i = all[key] { return (i, false) }
            let i = SharedInformer(informer: Informer(client: client, type: type, namespace: namespace, labelSelector: labelSelector,
                                                      fieldSelector: fieldSelector, transform: transform),
                                   clock: clock, resyncPeriod: resyncPeriod, indexers: Indexes.standard)
            all[key] = i
            return (i, started.withLock { $0 })
        }
        if startNow { informer.start() }
        return informer
    }

    /// Sets what every informer of `type` made from now on keeps of each object (client-go's
    /// `SetTransform`); call before asking for that type's informers.
    public func setTransform(_ type: ResourceType, _ transform: @escaping @Sendable (JSON) -> JSON) {
        transforms.withLock { $0[type.plural] = transform }
    }

    /// Every informer made so far.
    var informersMade: [SharedInformer] { informers.withLock { Array($0.values) } }

    /// How many distinct list+watches this factory runs.
    public var count: Int { informers.withLock { $0.count } }

    /// Starts every informer made so far (and, from now on, each new one as it is made).
    public func start() {
        let all = informers.withLock { all in
            started.withLock { $0 = true }
            return Array(all.values)
        }
        for i in all { i.start() }
    }

    public func waitForSync() async -> Bool {
        for i in informers.withLock({ Array($0.values) }) where !(await i.waitForSync()) { return false }
        return true
    }

    /// Stops every watch and handler.
    public func shutDown() {
        for i in informers.withLock({ Array($0.values) }) { i.stop() }
    }
}

/// What a metadata informer keeps of an object: its kind and the metadata that identifies
/// it and its place among owners and finalizers; no labels, annotations, spec or status.
public enum MetadataOnly {
    static let fields = ["name", "namespace", "uid", "resourceVersion", "ownerReferences", "finalizers",
                         "deletionTimestamp", "deletionGracePeriodSeconds"]

    @Sendable public static func keep(_ object: JSON) -> JSON {
        guard case .object = object else { return object }
        var meta = JSONObject()
        for f in fields where !object["metadata"][f].isNull { meta[f] = object["metadata"][f] }
        var out = JSONObject()
        for f in ["apiVersion", "kind"] where !object[f].isNull { out[f] = object[f] }
        out["metadata"] = .object(meta)
        return .object(out)
    }
}
