import ArgumentParser
import Foundation

/// `config view [--raw]` and `config set-context --current --namespace=NS` over ctl's
/// config file (`$SKIFF_CONFIG`, else `$HOME/.skiff/config`). Skiff has one context: the file.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "View or change ctl's config file (view, set-context).")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "view: show the token instead of REDACTED.") var raw = false
    @Flag(help: "set-context: change the current (only) context.") var current = false
    @Argument(help: "view | set-context --current --namespace=NS") var words: [String] = []

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let path = ConfigFile.path(env: env) else { throw CtlError("no config file: set HOME or SKIFF_CONFIG") }
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        switch words.first {
        case "view":
            guard words.count == 1 else { throw CtlError("unexpected arguments: \(words.dropFirst().joined(separator: " "))") }
            Output.print(raw ? text : Self.redacted(text))
        case "set-context":
            guard current, words.count == 1 else { throw CtlError("Skiff has one context: use set-context --current --namespace=NS") }
            guard let ns = global.namespace, !ns.isEmpty else { throw CtlError("set-context --current needs --namespace=NS") }
            try Self.write(Self.setting("namespace", to: ns, in: text), to: path)
            Output.print("Context modified.\n")
        case nil:
            throw CtlError("config needs a subcommand: view or set-context")
        case let other?:
            throw CtlError("unknown command \"\(other)\" for \"ctl config\"")
        }
    }

    /// The text with the top-level `token:` value replaced, as kubectl hides credentials.
    static func redacted(_ text: String) -> String {
        lines(text).map { $0.hasPrefix("token:") ? "token: REDACTED" : $0 }.joined(separator: "\n")
    }

    /// The text with top-level `key:` set to `value`, other lines kept as they were.
    static func setting(_ key: String, to value: String, in text: String) -> String {
        var ls = lines(text)
        let line = "\(key): \(value)"
        if let i = ls.firstIndex(where: { $0.hasPrefix(key + ":") }) {
            ls[i] = line
        } else {
            if ls.last == "" { ls.removeLast() }
            ls.append(line)
            ls.append("")
        }
        return ls.joined(separator: "\n")
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    static func write(_ text: String, to path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // An existing file is rewritten in place: it keeps its owner and mode (it holds a token).
        if let h = FileHandle(forUpdatingAtPath: path) {
            defer { try? h.close() }
            do {
                try h.truncate(atOffset: 0)
                try h.write(contentsOf: Data(text.utf8))
            } catch { throw CtlError("cannot write config file \(path): \(error)") }
        } else if !FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
            throw CtlError("cannot write config file \(path)")
        }
    }
}
