/// What an update (or delete) of one object comes to, computed from one version of it.
enum PreparedChange: Sendable {
    /// Nothing to write: the answer as it stands.
    case unchanged(WriteOutcome)
    /// A new version, encoded; `old` is the version it replaces, for filtered watches.
    case put(EncodedObject, old: JSON, warnings: [String])
    /// The object goes; this is its last state.
    case delete(EncodedObject, warnings: [String])
}

extension APIService {
    /// Times an update prepared outside the writer is prepared again because the object
    /// changed meanwhile, before the last try runs inside the writer, where nothing can
    /// overtake it. Default 3.
    static let optimisticAttempts = 3

    /// Kubernetes' GuaranteedUpdate: read the current version, compute the change from it
    /// on a store thread (merge patch, defaults, validation, equality, encoding), then let
    /// the writer only check that the object is still at the revision read, and write. If it
    /// moved, everything is computed again from the new version. The single writer thread
    /// thus never does per-object work, however large the object.
    ///
    /// With `dryRun` the change is computed (every check runs) and answered, and the writer
    /// is never called: nothing can be written.
    func guaranteedUpdate(_ t: Target, _ key: ObjectKey, dryRun: Bool = false, respond: @escaping Responder,
                          prepare: @escaping @Sendable (StoredObject, JSON) throws(Status) -> PreparedChange) {
        if dryRun {
            store.blocking.run { self.dryRunUpdate(t, key, respond: respond, prepare: prepare) }
            return
        }
        store.blocking.run { self.optimisticUpdate(t, key, attempt: 1, respond: respond, prepare: prepare) }
    }

    /// The answer a dry run gives, as Kubernetes': an update or a marking for deletion
    /// answers with the new object at the current resourceVersion; a delete with the object
    /// as it stands.
    private func dryRunUpdate(_ t: Target, _ key: ObjectKey, respond: @escaping Responder,
                              prepare: @escaping @Sendable (StoredObject, JSON) throws(Status) -> PreparedChange) {
        respond(Self.answer { () throws(Status) -> Reply in
            guard let cur = try store.get(key) else { throw Status.notFound(resource: t.type.plural, name: key.name, group: t.type.group) }
            let old = try cur.json()
            switch try prepare(cur, old) {
            case .unchanged(let out):
                return .encoded(out.bytes, warnings: out.warnings)
            case .put(let object, _, let warnings):
                var new = object.json
                new[path: ["metadata", "resourceVersion"]] = .string(String(cur.modRevision))
                return .object(new, warnings: warnings)
            case .delete(_, let warnings):
                return .object(old, warnings: warnings)
            }
        })
    }

    private func optimisticUpdate(_ t: Target, _ key: ObjectKey, attempt: Int, respond: @escaping Responder,
                                  prepare: @escaping @Sendable (StoredObject, JSON) throws(Status) -> PreparedChange) {
        let current: StoredObject, change: PreparedChange
        do throws(Status) {
            guard let cur = try store.get(key) else { throw Status.notFound(resource: t.type.plural, name: key.name, group: t.type.group) }
            change = try prepare(cur, try cur.json())
            current = cur
        } catch {
            respond(.failure(error))
            return
        }
        if case .unchanged(let out) = change {
            respond(.encoded(out.bytes, warnings: out.warnings))
            return
        }
        store.submit({ tx throws(Status) -> WriteOutcome in
            guard tx.revision(of: key) == current.modRevision else { return WriteOutcome(bytes: [], revision: 0, wrote: false, stale: true) }
            return try Self.apply(change, to: key, current: current, tx)
        }, done: { r in
            if case .success(let o) = r, o.stale {
                if attempt < Self.optimisticAttempts {
                    self.store.blocking.run { self.optimisticUpdate(t, key, attempt: attempt + 1, respond: respond, prepare: prepare) }
                } else {
                    self.updateInWriter(t, key, respond: respond, prepare: prepare)
                }
                return
            }
            Self.answer(r, respond)
        })
    }

    /// The whole update inside one write batch: for an object so busy that it kept changing
    /// between read and write.
    private func updateInWriter(_ t: Target, _ key: ObjectKey, respond: @escaping Responder,
                                prepare: @escaping @Sendable (StoredObject, JSON) throws(Status) -> PreparedChange) {
        write(respond: respond) { tx throws(Status) -> WriteOutcome in
            guard let cur = try tx.get(key) else { throw Status.notFound(resource: t.type.plural, name: key.name, group: t.type.group) }
            return try Self.apply(try prepare(cur, try cur.json()), to: key, current: cur, tx)
        }
    }

    /// Writes a prepared change of `current`, the version it was computed from.
    static func apply(_ change: PreparedChange, to key: ObjectKey, current: StoredObject, _ tx: WriteTransaction) throws(Status) -> WriteOutcome {
        switch change {
        case .unchanged(let out):
            return out
        case .put(let object, let old, let warnings):
            let stored = try tx.put(key, object, previous: current, previousJSON: old)
            return WriteOutcome(bytes: stored.bytes, revision: stored.modRevision, warnings: warnings)
        case .delete(let lastState, let warnings):
            let gone = try tx.delete(key, previous: current, lastState: lastState)
            return WriteOutcome(bytes: gone.bytes, revision: gone.modRevision, warnings: warnings)
        }
    }

    static func answer(_ r: Result<WriteOutcome, Status>, _ respond: Responder) {
        switch r {
        case .success(let o): respond(.encoded(o.bytes, warnings: o.warnings))
        case .failure(let s): respond(.failure(s))
        }
    }
}
