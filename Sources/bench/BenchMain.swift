import ArgumentParser
import Foundation

/// `skiff-bench`: load generators whose numbers go into docs/BENCHMARKS.md. Each prints one
/// line per measurement: `name key=value ...`.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff-bench",
        abstract: "Load generators for Skiff (and etcd, for comparison).",
        subcommands: [CreatesBench.self, PodsBench.self, EtcdBench.self, WatchersBench.self, FillBench.self, BigPatchBench.self, SoakCommand.self])
}

struct Target: ParsableArguments {
    @Option(help: "apiserver HOST:PORT") var server = "127.0.0.1:6443"
    @Option(help: "admin token") var token = ""

    func config(_ name: String) throws -> ClientConfig {
        guard let hp = HostPort(server) else { throw ValidationError("bad --server") }
        return ClientConfig(server: hp, token: token, clientName: name, connectTimeoutMs: 10_000)
    }
}

/// Latencies in seconds → `p50=… p99=…` in milliseconds.
struct Latencies {
    var samples: [Double] = []

    mutating func add(_ s: Double) { samples.append(s) }
    mutating func add(_ other: Latencies) { samples += other.samples }

    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let i = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
        return sorted[max(0, i)]
    }

    var summary: String {
        String(format: "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f n=%d", percentile(50) * 1000, percentile(99) * 1000, (samples.max() ?? .nan) * 1000, samples.count)
    }
}

func now() -> Double { Timestamp.nowSeconds() }

/// A ConfigMap body of about `size` bytes.
func payloadObject(name: String, size: Int) -> [UInt8] {
    let pad = String(repeating: "x", count: max(0, size - 110 - name.count))
    return Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","labels":{"bench":"yes"}},"data":{"payload":"\#(pad)"}}"#.utf8)
}
