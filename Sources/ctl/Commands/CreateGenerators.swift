import ArgumentParser
import Foundation

/// Flags of `create configmap` and `create secret generic`.
struct CreateDataOptions: ParsableArguments {
    @Option(name: .customLong("from-literal"), help: "KEY=VALUE (repeatable).") var fromLiteral: [String] = []
    @Option(name: .customLong("from-file"), help: "[KEY=]PATH; a directory adds each regular file (repeatable).") var fromFile: [String] = []
    @Option(name: .customLong("from-env-file"), help: "A file of KEY=VALUE lines (repeatable).") var fromEnvFile: [String] = []
    /// `create job`'s `--image` and the words after `--` (set by CreateCommand).
    var image: String?
    var command: [String] = []
    /// `create job --from=cronjob/NAME`, `create cronjob --schedule/--restart`.
    var from: String?
    var schedule: String?
    var restart: String?

    enum CodingKeys: CodingKey { case fromLiteral, fromFile, fromEnvFile }
}

/// `create namespace NAME`, `create configmap NAME ...`, `create secret generic NAME ...`.
enum CreateGenerators {
    static func object(_ words: [String], _ o: CreateDataOptions, namespace: String) throws -> (ResourceType, JSON) {
        let kind = words[0]
        switch kind {
        case "namespace", "ns":
            let name = try single(words.dropFirst(), command: "namespace")
            return (.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        case "configmap", "cm":
            let name = try single(words.dropFirst(), command: "configmap")
            var data = ConfigData(owner: "ConfigMap", name: name)
            try data.fill(o)
            var obj: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)]]
            if !data.text.isEmpty { obj[path: ["data"]] = .object(data.text) }
            if !data.binary.isEmpty { obj[path: ["binaryData"]] = .object(data.binary) }
            return (.configMaps, obj)
        case "secret":
            guard words.count > 1, words[1] == "generic" else {
                throw CtlError("create secret supports only the generic form: ctl create secret generic NAME [--from-literal=key=value]")
            }
            let name = try single(words.dropFirst(2), command: "secret generic")
            var data = ConfigData(owner: "Secret", name: name, allBinary: true)
            try data.fill(o)
            var obj: JSON = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)]]
            if !data.binary.isEmpty { obj[path: ["data"]] = .object(data.binary) }
            return (.secrets, obj)
        case "job":
            let name = try single(words.dropFirst(), command: "job")
            return (.jobs, try job(name, o, namespace: namespace))
        case "cronjob", "cj":
            let name = try single(words.dropFirst(), command: "cronjob")
            return (.cronJobs, try cronJob(name, o, namespace: namespace))
        default:
            throw CtlError("unknown command \"\(kind)\" for \"ctl create\"")
        }
    }

    /// kubectl's `create job NAME --image=IMAGE [-- COMMAND...]`: one container named after
    /// the Job, restartPolicy Never.
    static func job(_ name: String, _ o: CreateDataOptions, namespace: String) throws -> JSON {
        guard let image = o.image, !image.isEmpty, (o.from ?? "").isEmpty else { throw CtlError("either --image or --from must be specified") }
        var container: JSON = ["name": .string(name), "image": .string(image), "resources": [:]]
        if !o.command.isEmpty { container["command"] = .array(o.command.map { .string($0) }) }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "spec": ["template": ["metadata": [:], "spec": ["containers": [container], "restartPolicy": "Never"]]]]
    }

    /// kubectl's `create job NAME --from=cronjob/CJ`: the CronJob's jobTemplate, marked as
    /// made by hand, with the CronJob as controller (without blockOwnerDeletion, as kubectl).
    static func job(_ name: String, from cronJob: JSON, namespace: String) -> JSON {
        let template = cronJob["spec"]["jobTemplate"]
        var annotations = JSONObject()
        annotations["cronjob.kubernetes.io/instantiate"] = "manual"
        for (k, v) in template["metadata"]["annotations"].objectValue ?? JSONObject() { annotations[k] = v }
        var meta: JSON = ["name": .string(name), "namespace": .string(namespace), "annotations": .object(annotations),
                          "ownerReferences": [["apiVersion": "batch/v1", "kind": "CronJob", "name": cronJob["metadata"]["name"],
                                               "uid": cronJob["metadata"]["uid"], "controller": true]]]
        if !template["metadata"]["labels"].isNull { meta["labels"] = template["metadata"]["labels"] }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": template["spec"]]
    }

    /// The CronJob NAME of `--from=cronjob/NAME` (kubectl takes `cronjob`, `cronjobs`, `cj`).
    static func fromCronJob(_ from: String) throws -> String {
        let parts = from.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch"].contains(parts[0].lowercased()), !parts[1].isEmpty else {
            throw CtlError("from must be an existing cronjob")
        }
        return parts[1]
    }

    /// kubectl's `create cronjob NAME --image=IMAGE --schedule=S [--restart=R] [-- COMMAND]`.
    static func cronJob(_ name: String, _ o: CreateDataOptions, namespace: String) throws -> JSON {
        guard let image = o.image, !image.isEmpty else { throw CtlError("--image must be specified") }
        guard let schedule = o.schedule, !schedule.isEmpty else { throw CtlError("--schedule must be specified") }
        var container: JSON = ["name": .string(name), "image": .string(image), "resources": [:]]
        if !o.command.isEmpty { container["command"] = .array(o.command.map { .string($0) }) }
        return ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "spec": ["schedule": .string(schedule), "jobTemplate": ["metadata": ["name": .string(name)], "spec": [
                    "template": ["metadata": [:], "spec": ["containers": [container], "restartPolicy": .string(o.restart ?? "OnFailure")]]]]]]
    }

    /// kubectl's NameFromCommandArgs: exactly one NAME (an empty one is refused by the server).
    static func single(_ rest: ArraySlice<String>, command: String) throws -> String {
        guard rest.count == 1, let n = rest.first else {
            throw CtlError("exactly one NAME is required, got \(rest.count)\nSee 'ctl create \(command) -h' for help and examples")
        }
        return n
    }
}

/// Keys and values gathered from the `--from-*` flags, with kubectl's checks.
struct ConfigData {
    var owner: String
    var name: String
    /// Secrets keep every value base64-encoded in `data`.
    var allBinary = false
    var text = JSONObject()
    var binary = JSONObject()

    mutating func fill(_ o: CreateDataOptions) throws {
        if !o.fromEnvFile.isEmpty && !(o.fromFile.isEmpty && o.fromLiteral.isEmpty) {
            throw CtlError("from-env-file cannot be combined with from-file or from-literal")
        }
        for f in o.fromFile { try addFileSource(f) }
        for l in o.fromLiteral {
            guard let eq = l.firstIndex(of: "="), eq != l.startIndex else { throw CtlError("invalid literal source \(l), expected key=value") }
            try add(String(l[..<eq]), Data(l[l.index(after: eq)...].utf8))
        }
        for e in o.fromEnvFile { try addEnvFile(e) }
    }

    mutating func addFileSource(_ source: String) throws {
        var key: String? = nil, path = source
        if let eq = source.firstIndex(of: "=") {
            key = String(source[..<eq])
            path = String(source[source.index(after: eq)...])
            if key!.isEmpty { throw CtlError("key name for file path \(path) missing") }
            if path.isEmpty { throw CtlError("file path for key name \(key!) missing") }
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CtlError("error reading \(path): no such file or directory")
        }
        if isDir.boolValue {
            if key != nil { throw CtlError("cannot give a key name for a directory path") }
            let items = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for item in items.sorted() {
                let full = path + "/" + item
                let attrs = try? FileManager.default.attributesOfItem(atPath: full)
                guard (attrs?[.type] as? FileAttributeType) == .typeRegular else { continue }
                try add(item, try read(full))
            }
            return
        }
        try add(key ?? URL(fileURLWithPath: path).lastPathComponent, try read(path))
    }

    /// `KEY=VALUE` lines; blank lines and `#` comments skipped; a bare `KEY` takes the
    /// value from ctl's environment, as kubectl does.
    mutating func addEnvFile(_ path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CtlError("error reading \(path): no such file or directory") }
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop(while: { $0 == " " || $0 == "\t" }).replacingOccurrences(of: "\r", with: "")
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let eq = line.firstIndex(of: "=") {
                let k = String(line[..<eq])
                guard Self.isEnvName(k) else { throw CtlError("\"\(k)\" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (line \(n + 1) of \(path))") }
                try add(k, Data(line[line.index(after: eq)...].utf8))
            } else if let v = ProcessInfo.processInfo.environment[line] {
                try add(line, Data(v.utf8))
            }
        }
    }

    func read(_ path: String) throws -> Data {
        guard let d = FileManager.default.contents(atPath: path) else { throw CtlError("error reading \(path): permission denied") }
        return d
    }

    mutating func add(_ key: String, _ value: Data) throws {
        if let problem = Self.keyProblem(key) {
            throw CtlError("\"\(key)\" is not a valid key name for a \(owner): \(problem)")
        }
        if text[key] != nil || binary[key] != nil {
            throw CtlError("cannot add key \"\(key)\", another key by that name already exists in \(owner == "Secret" || binary[key] == nil ? "Data" : "BinaryData") for \(owner) \"\(name)\"")
        }
        if !allBinary, let s = String(data: value, encoding: .utf8) {
            text[key] = .string(s)
        } else {
            binary[key] = .string(value.base64EncodedString())
        }
    }

    /// Kubernetes' rule for ConfigMap and Secret keys.
    static func keyProblem(_ k: String) -> String? {
        if k.isEmpty || k.count > 253 || !k.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) {
            return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
        }
        if k == "." { return "must not be '.'" }
        if k == ".." { return "must not be '..'" }
        if k.hasPrefix("..") { return "must not start with '..'" }
        return nil
    }

    static func isEnvName(_ k: String) -> Bool {
        guard let f = k.first, !f.isNumber else { return false }
        return k.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
    }
}
