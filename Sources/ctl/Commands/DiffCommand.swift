import ArgumentParser
import Foundation

/// `ctl diff -f FILE`: the live objects against what `apply` would make of them (a server-side
/// dry run), as YAML files in two folders compared by `$KUBECTL_EXTERNAL_DIFF` or
/// `diff -u -N`. Exit 0: no differences; 1: differences; above 1: an error.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Diff the live version against what apply would make of it.")

    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "File, directory or - for stdin (repeatable).") var filename: [String] = []
    @Flag(name: [.customShort("R"), .long], help: "Read directories recursively.") var recursive = false

    func run() async throws {
        // kubectl diff's errors exit above 1, apart from "differences found".
        do { try await compare() } catch let e as ExitCode { throw e } catch let s as Status {
            Output.error(Output.describe(s))
            throw ExitCode(2)
        } catch let f as ManifestFailure {
            Output.error(Output.describe(f.status))
            throw ExitCode(2)
        } catch let e as CtlError {
            Output.error("error: \(e.message)")
            throw ExitCode(2)
        } catch {
            Output.error("error: \(error)")
            throw ExitCode(2)
        }
    }

    func compare() async throws {
        guard !filename.isEmpty else { throw CtlError("must specify -f") }
        let manifests = try ManifestReader.read(filename, recursive: recursive)
        let session = try await Session.open(global)
        defer { session.close() }
        let tmp = URL(fileURLWithPath: NSTemporaryDirectory())
        let live = tmp.appendingPathComponent("LIVE-" + Self.randomSuffix()).path
        let merged = tmp.appendingPathComponent("MERGED-" + Self.randomSuffix()).path
        let fm = FileManager.default
        try fm.createDirectory(atPath: live, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: merged, withIntermediateDirectories: true)
        defer {
            try? fm.removeItem(atPath: live)
            try? fm.removeItem(atPath: merged)
        }
        for m in manifests {
            let type = try m.resourceType()
            let (_, after, _) = try await ManifestRunner.one(.apply, m, session: session, global: global, dryRun: .server)
            let ns = type.namespaced ? (after["metadata"]["namespace"].stringValue ?? "") : ""
            let name = after["metadata"]["name"].stringValue ?? ""
            let before = try await session.getIfPresent(Request(verb: .get, resource: type.plural, namespace: type.namespaced ? ns : nil, name: name))
            let (l, r) = Self.masked(before, after)
            let file = (type.group.isEmpty ? "" : type.group + ".") + "\(type.version).\(type.kind).\(ns).\(name)"
            if let l { try YAMLOutput.render(l).write(toFile: live + "/" + file, atomically: true, encoding: .utf8) }
            try YAMLOutput.render(r).write(toFile: merged + "/" + file, atomically: true, encoding: .utf8)
        }
        let code = try Self.runDiff(live, merged)
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs the diff program over the two folders, its output going to ours; its exit code.
    static func runDiff(_ live: String, _ merged: String) throws -> Int32 {
        let external = ProcessInfo.processInfo.environment["KUBECTL_EXTERNAL_DIFF"].map { $0.split(separator: " ").map(String.init) } ?? []
        let command = external.isEmpty ? ["diff", "-u", "-N"] : external
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = command + [live, merged]
        do { try p.run() } catch { throw CtlError("failed to run \"\(command[0])\": \(error)") }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// What kubectl leaves out of both sides: `metadata.managedFields`, and a Secret's values
    /// (shown as `***`, or `*** (before)` / `*** (after)` where they differ).
    static func masked(_ before: JSON?, _ after: JSON) -> (JSON?, JSON) {
        var l = before, r = after
        l?[path: ["metadata", "managedFields"]] = .null
        r[path: ["metadata", "managedFields"]] = .null
        guard r["kind"] == "Secret" else { return (l, r) }
        let old = l?["data"].objectValue ?? JSONObject(), new = r["data"].objectValue ?? JSONObject()
        var lm = JSONObject(), rm = JSONObject()
        for (k, v) in old { lm[k] = .string(new[k] == nil || new[k] == v ? "***" : "*** (before)") }
        for (k, v) in new { rm[k] = .string(old[k] == nil || old[k] == v ? "***" : "*** (after)") }
        if l?["data"].objectValue != nil { l?["data"] = .object(lm) }
        if r["data"].objectValue != nil { r["data"] = .object(rm) }
        return (l, r)
    }

    static func randomSuffix() -> String { String(UInt64.random(in: 0..<UInt64.max), radix: 36) }
}
