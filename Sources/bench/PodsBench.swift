import ArgumentParser
import Foundation

/// Pods through the scheduler and simulated nodes: N clients create pods as fast as they
/// can while one watch records when each pod was first seen bound and first seen Running.
/// Prints pods scheduled and Running per second (counted from the first create), the
/// create-to-Running latency as a watcher sees it, and the apiserver's RSS at the end.
struct PodsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pods", abstract: "Pods created, scheduled and Running per second.")
    @OptionGroup var target: Target
    @Option(help: "Concurrent clients (connections), one create in flight each.") var clients = 16
    @Option(help: "Pods to create.") var pods = 30_000
    @Option(help: "Namespace to create in.") var namespace = "default"
    @Option(help: "Name prefix (runs must not collide).") var prefix = "bp"
    @Option(help: "Give up waiting for Running after this many seconds.") var timeout = 300.0
    @Option(help: "The apiserver's pid, for its RSS at the end (/proc/PID/status VmRSS).") var apiserverPid: Int32?
    @Option(help: "Create pods already bound (spec.nodeName) round-robin to NODE_PREFIX-0 ... -(N-1), skipping the scheduler; 0: let it schedule.")
    var bindNodes = 0
    @Option(help: "Node name prefix for --bind-nodes.") var nodePrefix = "sim"
    @Option(help: "The container's command, words separated by spaces (e.g. \"sleep 3600\", for real kubelets); default: none (simulated nodes run nothing).")
    var command: String?

    func run() async throws {
        let config = try target.config("bench-pods")
        let watcher = Client(config: config)
        defer { watcher.close() }
        let seen = Locked(Seen())
        let (_, startRV) = try await watcher.list(.pods, namespace: namespace, fieldSelector: "metadata.name=\(prefix)-none")
        let watchTask = Task { await Self.watch(watcher, namespace: namespace, from: startRV, prefix: prefix, into: seen) }
        defer { watchTask.cancel() }

        var conns: [WireConnection] = []
        for _ in 0..<clients { conns.append(try await WireConnection.connect(config)) }
        defer { for c in conns { c.close() } }
        let start = now()
        let perClient = (pods + clients - 1) / clients
        let created = try await withThrowingTaskGroup(of: [String: Double].self) { g in
            for (c, conn) in conns.enumerated() {
                let ns = namespace, pre = prefix, total = pods, bind = bindNodes, nodePre = nodePrefix
                let cmd = command.map { #""command":\#(Self.jsonArray($0.split(separator: " ").map(String.init))),"# } ?? ""
                g.addTask {
                    var sent: [String: Double] = [:]
                    for i in 0..<perClient where c * perClient + i < total {
                        let name = "\(pre)-\(c)-\(i)"
                        let node = bind > 0 ? #""nodeName":"\#(nodePre)-\#((c * perClient + i) % bind)","# : ""
                        let id = conn.reserveID()
                        let body = Array(#"{"type":"request","id":\#(id),"verb":"create","resource":"pods","namespace":"\#(ns)","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)","labels":{"bench":"pods"}},"spec":{\#(node)"containers":[{\#(cmd)"name":"c","image":"registry.k8s.io/pause:3.10"}]}}}"#.utf8)
                        let t0 = now()
                        if case .failure(let s) = await conn.requestRaw(id: id, frame: Frame.encode(body)) { throw s }
                        sent[name] = t0
                    }
                    return sent
                }
            }
            var all: [String: Double] = [:]
            for try await part in g { all.merge(part) { a, _ in a } }
            return all
        }
        let createdAt = now()
        let deadline = start + timeout
        while now() < deadline, seen.withLock({ $0.running.count }) < created.count {
            try await Task.sleep(for: .milliseconds(100))
        }
        let s = seen.value
        var latency = Latencies()
        for (name, t0) in created { if let t = s.running[name] { latency.add(t - t0) } }
        let lastBound = s.bound.values.max() ?? start
        let lastRunning = s.running.values.max() ?? start
        let rss = apiserverPid.map { Self.rssMB($0) } ?? "-"
        print(String(format: "skiff-pods clients=%d bound_at_create=%@ pods=%d creates_per_s=%.0f scheduled=%d scheduled_per_s=%.0f running=%d running_per_s=%.0f create_to_running_%@ apiserver_rss_mb=%@",
                     clients, bindNodes > 0 ? "yes" : "no", created.count, Double(created.count) / (createdAt - start), s.bound.count,
                     Double(s.bound.count) / (lastBound - start), s.running.count, Double(s.running.count) / (lastRunning - start),
                     latency.summary, rss))
        if s.running.count < created.count {
            FileHandle.standardError.write(Data("skiff-bench pods: only \(s.running.count)/\(created.count) pods Running after \(Int(timeout))s\n".utf8))
            throw ExitCode.failure
        }
    }

    struct Seen: Sendable {
        var bound: [String: Double] = [:]
        var running: [String: Double] = [:]
    }

    /// Records the first time each pod is seen bound and Running; resumes after a drop.
    static func watch(_ client: Client, namespace: String, from rv: String, prefix: String, into seen: Locked<Seen>) async {
        var revision = rv
        while !Task.isCancelled {
            var req = Request(verb: .watch, resource: "pods", namespace: namespace)
            req.resourceVersion = revision
            req.labelSelector = "bench=pods"
            do {
                for try await e in try await client.watch(req) {
                    if let v = e.resourceVersion { revision = v }
                    guard e.type != "BOOKMARK", let name = e.object["metadata"]["name"].stringValue else { continue }
                    let t = now()
                    let bound = e.object["spec"]["nodeName"].stringValue != nil
                    let running = e.object["status"]["phase"].stringValue == "Running"
                    seen.withLock { s in
                        if bound, s.bound[name] == nil { s.bound[name] = t }
                        if running, s.running[name] == nil { s.running[name] = t }
                    }
                }
            } catch {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// `words` as a JSON array of strings.
    static func jsonArray(_ words: [String]) -> String {
        "[" + words.map { w in
            "\"" + w.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "]"
    }

    static func rssMB(_ pid: Int32) -> String {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return "-" }
        return String(format: "%.1f", kb / 1024)
    }
}
