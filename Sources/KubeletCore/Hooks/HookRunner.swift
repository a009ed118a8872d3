import ControllerRuntime
import Wire

/// postStart and preStop hooks, as Kubernetes' lifecycle handler runner runs them.
extension ProbeRunner {
    /// Runs a lifecycle hook within `timeout` seconds (the caller passes what is left of the
    /// grace period for preStop; 0 or less means no limit, as for `execSync`, which is how
    /// Kubernetes runs postStart). exec: failure when the command exits non-zero, cannot start
    /// or outlives the timeout. httpGet: failure only when no response arrives (the status is
    /// not checked, as in Kubernetes). sleep: failure when the timeout ends it early. The
    /// failure message is the FailedPostStartHook / FailedPreStopHook event's message, e.g.
    /// `Exec lifecycle hook ([sh -c exit 3]) for Container "c" in Pod "p_ns(uid)" failed -
    /// error: command 'sh -c exit 3' exited with 3: , message: ""`. `podDescription` is
    /// Kubernetes' format.Pod: `name_namespace(uid)`.
    public func runHook(_ handler: LifecycleHandler, containerID: String, containerName: String, podDescription: String,
                        podIP: String, ports: [ContainerPort], timeout: Double) async -> ProbeVerdict {
        let who = "for Container \(GoQuote.quote(containerName)) in Pod \(GoQuote.quote(podDescription))"
        if let exec = handler.exec {
            let command = exec.command ?? []
            guard let error = await execHook(command, containerID: containerID, timeout: timeout) else { return .success }
            return .failure("Exec lifecycle hook ([\(command.joined(separator: " "))]) \(who) failed - error: \(error.text), message: \(GoQuote.quote(error.output))")
        }
        if let get = handler.httpGet {
            let error: String?
            switch httpClient(get, podIP: podIP, ports: ports, userAgent: Self.hookUserAgent, timeout: timeout > 0 ? timeout : Self.noLimit) {
            case .failure(let e): error = e.message
            case .success(let client):
                if case .failed(let text) = await OffThread.run({ client.run() }) { error = text } else { error = nil }
            }
            guard let error else { return .success }
            return .failure("HTTP lifecycle hook (\(get.path ?? "")) \(who) failed - error: \(error)")
        }
        if let sleep = handler.sleep {
            guard sleep.seconds >= 0 else {
                return .failure("Sleep lifecycle hook (\(sleep.seconds)) \(who) failed - error: invalid sleep seconds \(sleep.seconds)")
            }
            let limited = timeout > 0 && Double(sleep.seconds) > timeout
            let end = clock.now + (limited ? timeout : Double(sleep.seconds))
            do {
                try await clock.sleep(until: end)
            } catch {
                return .failure("Sleep lifecycle hook (\(sleep.seconds)) \(who) failed - error: container terminated before sleep hook finished")
            }
            if limited {
                return .failure("Sleep lifecycle hook (\(sleep.seconds)) \(who) failed - error: container terminated before sleep hook finished")
            }
            return .success
        }
        let what = handler.tcpSocket != nil ? "tcpSocket is not supported as a lifecycle handler" : "no exec, httpGet or sleep action"
        return .failure("Cannot run handler: invalid handler: \(what)")
    }

    private struct HookExecError {
        var text: String
        var output: String
    }

    /// nil on success. The error reads as Kubernetes' CRI client words it.
    private func execHook(_ command: [String], containerID: String, timeout: Double) async -> HookExecError? {
        let joined = command.joined(separator: " ")
        do {
            let r = try await runtime.execSync(containerID, command: command, timeout: max(timeout, 0))
            if r.exitCode == 0 { return nil }
            return HookExecError(text: "command '\(joined)' exited with \(r.exitCode): \(String(decoding: r.stderr, as: UTF8.self))",
                                 output: String(decoding: r.stdout + r.stderr, as: UTF8.self))
        } catch let e as RuntimeError where e.code == .deadlineExceeded {
            return HookExecError(text: "command '\(joined)' timed out after \(Self.secondsText(timeout))", output: "")
        } catch let e as RuntimeError {
            return HookExecError(text: e.message, output: "")
        } catch {
            return HookExecError(text: "\(error)", output: "")
        }
    }

    /// An HTTP hook without a limit still ends (a day), so a silent server cannot pin a thread forever.
    static let noLimit: Double = 86_400

    static func secondsText(_ t: Double) -> String {
        t == t.rounded() ? "\(Int(t))s" : "\(t)s"
    }
}
