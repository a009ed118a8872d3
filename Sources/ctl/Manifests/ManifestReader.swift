import Foundation

/// One object read from `-f`, with where it came from for messages.
struct Manifest {
    var object: JSON
    var source: String
}

/// Reads `-f FILE|DIR|-`: YAML or JSON, several documents per file, `kind: List` expanded.
enum ManifestReader {
    static func read(_ paths: [String], recursive: Bool = false) throws -> [Manifest] {
        var out: [Manifest] = []
        for p in paths {
            for (text, source) in try texts(p, recursive: recursive) {
                let docs: [JSON]
                do { docs = try YAMLInput.documents(text) } catch {
                    throw CtlError("error parsing \(source): \(error)")
                }
                for d in docs { out.append(contentsOf: expand(d, source: source)) }
            }
        }
        return out
    }

    static func expand(_ doc: JSON, source: String) -> [Manifest] {
        if let kind = doc["kind"].stringValue, kind.hasSuffix("List"), let items = doc["items"].arrayValue {
            return items.map { Manifest(object: $0, source: source) }
        }
        return [Manifest(object: doc, source: source)]
    }

    static func texts(_ path: String, recursive: Bool) throws -> [(String, String)] {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return [(String(decoding: data, as: UTF8.self), "STDIN")]
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CtlError("the path \"\(path)\" does not exist")
        }
        if !isDir.boolValue {
            guard let t = try? String(contentsOfFile: path, encoding: .utf8) else { throw CtlError("cannot read \(path)") }
            return [(t, path)]
        }
        var out: [(String, String)] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for e in entries.sorted() {
            let full = (path as NSString).appendingPathComponent(e)
            var sub: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &sub)
            if sub.boolValue {
                if recursive { out.append(contentsOf: try texts(full, recursive: true)) }
            } else if [".yaml", ".yml", ".json"].contains(where: { e.hasSuffix($0) }) {
                out.append(contentsOf: try texts(full, recursive: false))
            }
        }
        return out
    }
}

extension Manifest {
    /// The served type this object names with `apiVersion` and `kind`, or a clear error.
    func resourceType() throws -> ResourceType {
        guard case .object = object else { throw CtlError("error validating \"\(source)\": the document is not an object") }
        let kind = object["kind"].stringValue ?? ""
        let apiVersion = object["apiVersion"].stringValue ?? ""
        if kind.isEmpty || apiVersion.isEmpty {
            let missing = (apiVersion.isEmpty ? ["apiVersion not set"] : []) + (kind.isEmpty ? ["kind not set"] : [])
            throw CtlError("error validating \"\(source)\": error validating data: [\(missing.joined(separator: ", "))]")
        }
        // VERSION or GROUP/VERSION, each part non-empty.
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts.contains(where: \.isEmpty) else {
            throw CtlError("error validating \"\(source)\": invalid apiVersion \"\(apiVersion)\": expected VERSION or GROUP/VERSION, e.g. v1 or apps/v1")
        }
        guard let type = ResourceType.forKind(kind, apiVersion: apiVersion) else {
            let name = object["metadata"]["name"].stringValue ?? "", ns = object["metadata"]["namespace"].stringValue ?? ""
            throw CtlError("resource mapping not found for name: \"\(name)\" namespace: \"\(ns)\" from \"\(source)\": no matches for kind \"\(kind)\" in version \"\(apiVersion)\"")
        }
        return type
    }
}
