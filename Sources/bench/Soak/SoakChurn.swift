import Foundation

/// The churn: one operation per step, in a fixed rotation (Deployments created, scaled,
/// rolled and deleted; a DaemonSet; Jobs; a CronJob when served), deletes cycling through
/// background, foreground and orphan. Records every acknowledged write in `tracked`.
final class SoakChurn {
    let client: Client
    let namespace: String
    let cronJobs: Bool
    var tracked: [TrackedObject] = []
    var ops: [String: Int] = [:]
    var violations: [String] = []
    var reported: Set<String> = []
    private var step = 0
    private var serial = 0
    private var deletes = 0
    /// Orphan deletes whose dependents still need checking and cleaning up.
    var orphanWatchItems: [(obj: TrackedObject, since: Double)] = []

    static let modes = ["Background", "Foreground", "Orphan"]

    init(client: Client, namespace: String, cronJobs: Bool) {
        self.client = client
        self.namespace = namespace
        self.cronJobs = cronJobs
    }

    func violation(_ key: String, _ line: String) {
        guard reported.insert(key).inserted else { return }
        violations.append(line)
        say("soak-violation \(line)")
    }

    func count(_ op: String) { ops[op, default: 0] += 1 }

    func live(_ kind: TrackedObject.Kind) -> [Int] {
        tracked.indices.filter { tracked[$0].kind == kind && !tracked[$0].deleting }
    }

    func next(_ prefix: String) -> String {
        serial += 1
        return "\(prefix)-\(serial)"
    }

    func runStep() async {
        step += 1
        await processOrphans()
        let deployments = live(.deployment)
        switch step % 10 {
        case 0, 5:
            if deployments.count < 3 { await create(.deployment, next("web"), { SoakObjects.deployment($0, replicas: Int.random(in: 1...2)) }) } else { await delete(deployments[0]) }
        case 1, 6:
            if let i = deployments.randomElement() { await scale(i, to: Int.random(in: 1...3)) }
        case 2, 7:
            if let i = deployments.randomElement() { await roll(i) }
        case 3:
            await create(.job, next("job"), { SoakObjects.job($0, completions: Int.random(in: 1...2)) })
        case 8:
            let jobs = live(.job)
            if jobs.count > 2 { await delete(jobs[0]) }
        case 4:
            let ds = live(.daemonSet)
            if ds.isEmpty { await create(.daemonSet, next("ds"), SoakObjects.daemonSet) } else if now() - tracked[ds[0]].createdAt > 30 { await delete(ds[0]) }
        default:
            guard cronJobs else { return }
            let cj = live(.cronJob)
            if cj.isEmpty { await create(.cronJob, next("cron"), SoakObjects.cronJob) } else if now() - tracked[cj[0]].createdAt > 150 { await delete(cj[0]) }
        }
    }

    func create(_ kind: TrackedObject.Kind, _ name: String, _ body: (String) -> JSON) async {
        var t = TrackedObject(kind: kind, name: name, createdAt: now())
        let object = body(name)
        switch await WriteOutcome({ () async throws(Status) -> JSON in try await client.create(kind.type, namespace: namespace, object) }) {
        case .acked(let o):
            t.uid = o["metadata"]["uid"].stringValue
            t.ackedRV = o["metadata"]["resourceVersion"].stringValue.flatMap { Int($0) }
            t.mustExist = true
            if kind == .deployment { t.replicas = object["spec"]["replicas"].intValue; t.templateMark = 0 }
            count("create")
        case .refused(let s):
            count("refused")
            say("soak-note create \(kind.rawValue) \(name) refused: \(s.message)")
            return
        case .uncertain:
            count("uncertain")
        }
        tracked.append(t)
    }

    func update(_ i: Int, op: String, _ patch: JSON, apply: (inout TrackedObject) -> Void, forget: (inout TrackedObject) -> Void) async {
        let t = tracked[i]
        switch await WriteOutcome({ () async throws(Status) -> JSON in try await client.patch(t.kind.type, namespace: namespace, name: t.name, patch) }) {
        case .acked(let o):
            if let rv = o["metadata"]["resourceVersion"].stringValue.flatMap({ Int($0) }) { tracked[i].ackedRV = max(rv, tracked[i].ackedRV ?? 0) }
            apply(&tracked[i])
            count(op)
        case .refused(let s):
            count("refused")
            if s.isNotFound && t.mustExist {
                violation("\(t.label)", "acknowledged write lost: \(t.label) (uid \(t.uid ?? "?")) answered NotFound to a \(op)")
            }
        case .uncertain:
            forget(&tracked[i])
            count("uncertain")
        }
    }

    func scale(_ i: Int, to n: Int) async {
        await update(i, op: "scale", ["spec": ["replicas": .init(integerLiteral: n)]], apply: { $0.replicas = n }, forget: { $0.replicas = nil })
    }

    func roll(_ i: Int) async {
        let mark = (tracked[i].templateMark ?? 100) + 1
        await update(i, op: "rollout", SoakObjects.rollout(tracked[i].name, mark: mark), apply: { $0.templateMark = mark }, forget: { $0.templateMark = nil })
    }

    func delete(_ i: Int) async {
        let mode = Self.modes[deletes % 3]
        deletes += 1
        let t = tracked[i]
        tracked[i].deleting = true
        tracked[i].mustExist = false
        switch await WriteOutcome({ () async throws(Status) -> JSON in
            try await client.delete(t.kind.type, namespace: namespace, name: t.name, uid: t.uid, propagationPolicy: mode)
        }) {
        case .acked:
            count("delete-\(mode.lowercased())")
            if mode == "Orphan" { orphanWatchItems.append((t, now())) }
        case .refused(let s):
            count("refused")
            if s.isNotFound && t.mustExist {
                violation("\(t.label)", "acknowledged write lost: \(t.label) (uid \(t.uid ?? "?")) answered NotFound to its delete")
            }
        case .uncertain:
            count("uncertain")
        }
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
