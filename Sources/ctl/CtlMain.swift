import ArgumentParser
import Foundation

/// `ctl`: a kubectl-shaped CLI for Skiff. Exit codes: 0 success, 1 any error.
@main
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Drive a Skiff cluster (kubectl-compatible verbs).",
        version: CtlVersion.version,
        subcommands: [
            GetCommand.self, ApplyCommand.self, CreateCommand.self, ReplaceCommand.self, DeleteCommand.self,
            DescribeCommand.self, DiffCommand.self, PatchCommand.self, CordonCommand.self, UncordonCommand.self,
            VersionCommand.self, APIResourcesCommand.self, LabelCommand.self, AnnotateCommand.self, EditCommand.self,
            WaitCommand.self, ExplainCommand.self, APIVersionsCommand.self, ClusterInfoCommand.self, CompletionCommand.self,
            ConfigCommand.self, LogsCommand.self, ExecCommand.self, ScaleCommand.self, RolloutCommand.self, SetCommand.self,
        ])

    /// The verbs, as typed (with ArgumentParser's `help`).
    static let verbs: [String] = (configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]).sorted()

    static func main() async {
        // `--namespaced` alone (a kubectl bool flag) means `--namespaced=true`.
        let args = ArgumentOrder.expandBareFlags(ArgumentOrder.normalize(Array(CommandLine.arguments.dropFirst()).map { $0 == "--namespaced" ? "--namespaced=true" : $0 }))
        if let first = args.first, let message = UnknownCommand.message(for: first, verbs: verbs) {
            Output.error(message)
            Foundation.exit(1)
        }
        do {
            var command = try parseAsRoot(args)
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let e as Status {
            Output.error(Output.describe(e))
            Foundation.exit(1)
        } catch let e as CtlError {
            Output.error("error: \(e.message)")
            Foundation.exit(1)
        } catch let e as ExitCode {
            Foundation.exit(e.rawValue)
        } catch {
            // Usage errors, --help and --version go through ArgumentParser's own printing.
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if code == .success {
                print(text)
                Foundation.exit(0)
            }
            Output.error(text.hasPrefix("Error:") ? "error:" + text.dropFirst(6) : text)
            Foundation.exit(1)
        }
    }
}

/// Writing results and errors the way kubectl does.
enum Output {
    static func error(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }

    /// A server or connection failure in kubectl's words.
    static func describe(_ s: Status, when action: String? = nil) -> String {
        if s.isConnectionFailure {
            let server = s.details?.name ?? ""
            if s.message.contains("Connection refused") {
                return "The connection to the server \(server) was refused - did you specify the right host or port?"
            }
            return "Unable to connect to the server: \(s.message)"
        }
        if s.code == 401 { return "error: You must be logged in to the server (Unauthorized)" }
        if s.code == 422 {
            // kubectl names the kind without its group: `The Deployment "web" is invalid: ...`.
            if let kind = s.details?.kind, let group = s.details?.group, s.message.hasPrefix("\(kind).\(group) ") {
                return "The \(kind) " + s.message.dropFirst(kind.count + group.count + 2)
            }
            return "The " + s.message
        }
        let prefix = action.map { "error when \($0): " } ?? ""
        return "Error from server (\(s.reason.isEmpty ? "InternalError" : s.reason)): \(prefix)\(s.message)"
    }

    static func print(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }
}
