import ArgumentParser
import Foundation

/// Flags every command takes, before or after the verb.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The apiserver's HOST:PORT, tcp://HOST:PORT or http://HOST:PORT (else $SKIFF_SERVER, else the config file).")
    var server: String?

    @Option(help: "Bearer token (else $SKIFF_TOKEN, else the config file).")
    var token: String?

    @Option(name: [.customShort("n"), .long], help: "Namespace for this request.")
    var namespace: String?

    @Flag(name: [.customShort("A"), .long], help: "List across all namespaces.")
    var allNamespaces = false

    @Option(help: "How long to wait for the server, e.g. 5s (0 waits forever).")
    var requestTimeout = "5s"

    /// Flags that take a value, for moving global flags written before the verb.
    static let valueFlags: Set<String> = ["--server", "--token", "-n", "--namespace", "--request-timeout"]
    static let boolFlags: Set<String> = ["-A", "--all-namespaces"]
}

/// Where ctl finds its server and token: flags, then `SKIFF_SERVER`/`SKIFF_TOKEN`, then the
/// config file (`$SKIFF_CONFIG`, else `$HOME/.skiff/config`).
///
/// The config file is YAML with three optional keys:
///
///     server: 127.0.0.1:6443
///     token: 3f9c...
///     namespace: default
struct ClientSettings {
    var server: HostPort
    var token: String
    var namespace: String
    var timeoutSeconds: Double?

    static func resolve(_ g: GlobalOptions) throws -> ClientSettings {
        let env = ProcessInfo.processInfo.environment
        let file = try ConfigFile.load(env: env)
        let hp: HostPort
        if let t = g.server {
            hp = try ServerAddress.parse(t, from: "--server")
        } else if let t = env["SKIFF_SERVER"] {
            hp = try ServerAddress.parse(t, from: "SKIFF_SERVER")
        } else if let t = file["server"] {
            hp = try ServerAddress.parse(t, from: "server in \(ConfigFile.path(env: env) ?? "the config file")")
        } else {
            hp = HostPort(host: "127.0.0.1", port: 6443)
        }
        let token = g.token ?? env["SKIFF_TOKEN"] ?? file["token"] ?? ""
        guard let t = Duration.seconds(g.requestTimeout), t >= 0 else {
            throw CtlError("invalid --request-timeout \"\(g.requestTimeout)\": expected a duration such as 5s")
        }
        return ClientSettings(server: hp, token: token, namespace: g.namespace ?? file["namespace"] ?? "default",
                              timeoutSeconds: t == 0 ? nil : t)
    }
}

/// The server address as users write it: `host:port`, or pasted from a kubeconfig with a
/// scheme. `tcp://` and `http://` are stripped (Skiff speaks its own framing over plain
/// TCP); `https://` is refused, since ctl has no TLS yet and must not pretend otherwise.
enum ServerAddress {
    static func parse(_ text: String, from source: String) throws -> HostPort {
        var rest = Substring(text)
        let lower = text.lowercased()
        if lower.hasPrefix("https://") {
            throw CtlError("\(source) \(text): Skiff speaks plain TCP (the Wire protocol); TLS is not supported yet: use host:port")
        }
        for scheme in ["tcp://", "http://"] where lower.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), let hp = HostPort(String(rest)) else {
            throw CtlError("invalid server address \"\(text)\" (\(source)): expected HOST:PORT")
        }
        return hp
    }
}

enum ConfigFile {
    static func path(env: [String: String]) -> String? {
        if let p = env["SKIFF_CONFIG"], !p.isEmpty { return p }
        if let home = env["HOME"], !home.isEmpty { return home + "/.skiff/config" }
        return nil
    }

    /// The file's keys, or none when there is no file.
    static func load(env: [String: String]) throws -> [String: String] {
        guard let p = path(env: env), FileManager.default.fileExists(atPath: p) else { return [:] }
        guard let text = try? String(contentsOfFile: p, encoding: .utf8) else { throw CtlError("cannot read config file \(p)") }
        let docs: [JSON]
        // Untyped: a token or namespace such as `0x1F`, `0400` or `1e3` is that text, not a number.
        do { docs = try YAMLInput.documents(text, typed: false) } catch { throw CtlError("config file \(p) is not valid YAML: \(error)") }
        var out: [String: String] = [:]
        if case .object(let o)? = docs.first {
            for (k, v) in o {
                if let s = v.stringValue { out[k] = s } else if case .number(let n) = v { out[k] = n }
            }
        }
        return out
    }
}

/// A user-facing error: printed as `error: <message>`, exit code 1.
struct CtlError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
