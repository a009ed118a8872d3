import ArgumentParser
import Foundation

/// `edit TYPE NAME`: the object as YAML in `$KUBE_EDITOR`, else `$EDITOR`, else `vi`; the
/// saved text is sent as an update carrying the read resourceVersion. A failed save
/// re-opens the file with the errors at the top, as kubectl does.
struct EditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Edit a resource in your editor.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "TYPE NAME or TYPE/NAME") var resources: [String] = []

    static let header = """
        # Please edit the object below. Lines beginning with a '#' will be ignored,
        # and an empty file will abort the edit. If an error occurs while saving this file will be
        # reopened with the relevant failures.
        #

        """

    func run() async throws {
        let sels = try ResourceArgs.parse(resources)
        guard sels.count == 1, sels[0].names.count == 1 else { throw CtlError("edit needs exactly one resource: TYPE NAME or TYPE/NAME") }
        let t = sels[0].type, name = sels[0].names[0]
        let session = try await Session.open(global)
        defer { session.close() }
        let ns = t.namespaced ? session.settings.namespace : nil
        let original = try await session.call(Request(verb: .get, resource: t.plural, namespace: ns, name: name))
        let path = NSTemporaryDirectory() + "ctl-edit-\(UUID().uuidString.prefix(8)).yaml"
        var keepFile = false
        defer { if !keepFile { try? FileManager.default.removeItem(atPath: path) } }
        let originalBody = YAMLOutput.render(original)
        var text = Self.header + originalBody
        var failedBefore = false
        while true {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try Self.openEditor(path)
            let saved = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let body = Self.stripComments(saved)
            if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                Output.error("Edit cancelled, saved file was empty.")
                return
            }
            if body == Self.stripComments(originalBody) || (failedBefore && body == Self.stripComments(text)) {
                if failedBefore {
                    keepFile = true
                    Output.error("A copy of your changes has been stored to \"\(path)\"")
                    throw CtlError("Edit cancelled, no valid changes were saved.")
                }
                Output.error("Edit cancelled, no changes made.")
                return
            }
            let reasons: [String]
            do {
                let docs = try YAMLInput.documents(body)
                guard docs.count == 1, case .object = docs[0] else { throw CtlError("the edited file must hold exactly one object") }
                var req = Request(verb: .update, resource: t.plural, namespace: ns, name: name)
                req.object = docs[0]
                _ = try await session.call(req)
                Output.print("\(t.nameType)/\(name) edited\n")
                return
            } catch let s as Status where s.code == 422 {
                Output.error("error: \(t.qualifiedPlural) \"\(name)\" is invalid")
                reasons = Self.reasons(s, type: t, name: name)
            } catch let s as Status where !s.isConnectionFailure {
                // Not something editing again can fix (a conflict, a refusal): keep the file.
                keepFile = true
                try body.write(toFile: path, atomically: true, encoding: .utf8)
                Output.error("error: \(t.qualifiedPlural) \"\(name)\" could not be patched: \(s.message)")
                Output.error("You can run `ctl replace -f \(path)` to try this update again.")
                throw ExitCode(1)
            } catch let e as CtlError {
                reasons = ["# The edited file had a syntax error: \(e.message)", "#"]
            } catch {
                reasons = ["# The edited file had a syntax error: \(error)", "#"]
            }
            failedBefore = true
            text = Self.header + reasons.joined(separator: "\n") + "\n" + body
        }
    }

    /// The comment lines kubectl writes for an invalid object.
    static func reasons(_ s: Status, type: ResourceType, name: String) -> [String] {
        let causes = s.details?.causes ?? []
        if causes.isEmpty { return ["# \(s.message.replacingOccurrences(of: "\n", with: "\n# "))", "#"] }
        return ["# \(type.qualifiedPlural) \"\(name)\" was not valid:"] + causes.map { "# * \($0.field): \($0.message)" } + ["#"]
    }

    /// Drops lines starting with `#`, as kubectl does before comparing and parsing.
    static func stripComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") }
            .joined(separator: "\n")
    }

    /// Runs the editor through `sh -c`, so `KUBE_EDITOR="code --wait"` works.
    static func openEditor(_ path: String) throws {
        let env = ProcessInfo.processInfo.environment
        let editor = [env["KUBE_EDITOR"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", editor + " \"$1\"", "sh", path]
        do { try p.run() } catch { throw CtlError("unable to launch the editor \"\(editor)\": \(error)") }
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            throw CtlError("there was a problem with the editor \"\(editor)\"")
        }
    }
}
