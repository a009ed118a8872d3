import ArgumentParser
import Foundation

/// `skiff-bench soak`: the API side of scripts/soak. Churns workloads for `--duration`
/// seconds while scripts/soak injects faults, checks every acknowledged write every
/// `--check-every` seconds, then waits for convergence, deletes everything and waits until
/// nothing is left. Prints `soak-ops ...`, `soak-violation ...` lines and `soak-done`;
/// exits 1 on any violation.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak", abstract: "Workload churn and invariant checks for scripts/soak.")
    @OptionGroup var target: Target
    @Option(help: "Seconds of churn.") var duration = 120.0
    @Option(help: "Seconds between two churn operations.") var interval = 1.0
    @Option(help: "Seconds between two checks of the acknowledged writes.") var checkEvery = 10.0
    @Option(help: "Seconds the workloads get to converge after the churn.") var convergeTimeout = 90.0
    @Option(help: "Seconds the final delete gets to remove everything.") var cleanupTimeout = 90.0
    @Option(help: "Nodes a DaemonSet must cover.") var nodes = 1
    @Option(help: "Namespace the soak works in (created and deleted).") var namespace = "soak"
    @Flag(help: "Churn CronJobs too (the server serves cronjobs).") var cronjobs = false

    func run() async throws {
        var config = try target.config("soak")
        config.requestTimeoutSeconds = 5
        let client = Client(config: config, minBackoff: 0.2, maxBackoff: 2)
        defer { client.close() }
        let churn = SoakChurn(client: client, namespace: namespace, cronJobs: cronjobs)
        let start = now()
        while (try? await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])) == nil {
            guard now() - start < 30 else { throw ValidationError("cannot create namespace \(namespace)") }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        let end = start + duration
        var nextCheck = now() + checkEvery
        while now() < end {
            let t0 = now()
            await churn.runStep()
            if now() >= nextCheck {
                await churn.checkWrites()
                nextCheck = now() + checkEvery
            }
            let rest = interval - (now() - t0)
            if rest > 0 { try await Task.sleep(nanoseconds: UInt64(rest * 1e9)) }
        }
        say("soak-phase converge")
        if let s = await churn.converge(nodes: nodes, timeout: convergeTimeout) { say(String(format: "soak-converged seconds=%.1f", s)) }
        for _ in 0..<10 where await !churn.checkWrites() { try await Task.sleep(nanoseconds: 1_000_000_000) }
        say("soak-phase cleanup")
        await churn.deleteEverything(timeout: cleanupTimeout)
        let total = churn.ops.filter { !["check", "check-skipped", "refused", "uncertain"].contains($0.key) }.values.reduce(0, +)
        say("soak-ops total=\(total) " + churn.ops.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        say("soak-done violations=\(churn.violations.count)")
        if !churn.violations.isEmpty { throw ExitCode(1) }
    }
}
