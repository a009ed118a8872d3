#if canImport(Glibc)
import Glibc
#endif
import ControllerRuntime
import Wire

/// Runs one probe or hook action against a container, as Kubernetes' prober and lifecycle
/// handler runner do. Never throws: every problem is a `.failure` with Kubernetes' wording.
public struct ProbeRunner: Sendable {
    public let runtime: any RuntimeService
    /// Paces sleep hooks (tests pass a `FakeClock`).
    public let clock: any RuntimeClock

    public init(runtime: any RuntimeService, clock: any RuntimeClock = SystemClock()) {
        self.runtime = runtime
        self.clock = clock
    }

    /// Kubernetes' `User-Agent` for probes and lifecycle hooks (minor version of the API served).
    static let probeUserAgent = "kube-probe/1.32"
    static let hookUserAgent = "kube-lifecycle/1.32"

    /// One attempt of `probe`. exec: `runtime.execSync` with the timeout, exit 0 = success, the
    /// output (stdout then stderr, 10 KiB at most) as the failure message. httpGet: HTTP/1.1 GET
    /// on host (default `podIP`):port, 200..<400 = success (a redirect is not followed and
    /// counts as success, as Kubernetes' probe.Warning). tcpSocket: a connect within the timeout.
    /// Named ports resolve through `ports`.
    public func probe(_ probe: Probe, containerID: String, podIP: String, ports: [ContainerPort]) async -> ProbeVerdict {
        let timeout = probe.effectiveTimeout
        if let exec = probe.exec {
            return await execProbe(exec.command ?? [], containerID: containerID, timeout: timeout)
        }
        if let get = probe.httpGet {
            switch httpClient(get, podIP: podIP, ports: ports, userAgent: Self.probeUserAgent, timeout: timeout) {
            case .failure(let e): return .failure(e.message)
            case .success(let client):
                switch await OffThread.run({ client.run() }) {
                case .failed(let message): return .failure(message)
                case .response(let status, _) where (200..<400).contains(status): return .success
                case .response(let status, _): return .failure("HTTP probe failed with statuscode: \(status)")
                }
            }
        }
        if let tcp = probe.tcpSocket {
            let port: Int
            switch Self.resolvePort(tcp.port, ports: ports) {
            case .failure(let e): return .failure(e.message)
            case .success(let p): port = p
            }
            let host = (tcp.host ?? "").isEmpty ? podIP : tcp.host!
            return await OffThread.run {
                switch TCPDial.connect(host: host, port: port, deadline: Monotonic.seconds() + timeout) {
                case .success(let fd):
                    _ = Glibc.close(fd)
                    return .success
                case .failure(let f): return .failure(f.message)
                }
            }
        }
        if probe.grpc != nil { return .failure("grpc probes are not supported by this kubelet") }
        return .failure("missing probe handler")
    }

    private func execProbe(_ command: [String], containerID: String, timeout: Double) async -> ProbeVerdict {
        do {
            let result = try await runtime.execSync(containerID, command: command, timeout: timeout)
            if result.exitCode == 0 { return .success }
            return .failure(String(decoding: (result.stdout + result.stderr).prefix(ProbeDefaults.maxOutput), as: UTF8.self))
        } catch let error as RuntimeError where error.code == .deadlineExceeded {
            return .failure("command \(GoQuote.quote(command.joined(separator: " "))) timed out")
        } catch let error as RuntimeError {
            return .failure(error.message)
        } catch {
            return .failure("\(error)")
        }
    }

    /// The client for an httpGet action, or why none can be made (HTTPS, bad port, header).
    func httpClient(_ get: HTTPGetAction, podIP: String, ports: [ContainerPort], userAgent: String, timeout: Double)
        -> Result<HTTPGetClient, ProbeSetupError> {
        let scheme = (get.scheme ?? "HTTP").uppercased()
        guard scheme == "HTTP" else {
            return .failure(ProbeSetupError("scheme \(get.scheme ?? "") is not supported by this kubelet (HTTPS needs TLS, which it does not speak)"))
        }
        let port: Int
        switch Self.resolvePort(get.port, ports: ports) {
        case .failure(let e): return .failure(e)
        case .success(let p): port = p
        }
        var target = get.path ?? ""
        if !target.hasPrefix("/") { target = "/" + target }
        if let bad = Self.unsafeHeaderText(target) { return .failure(ProbeSetupError("invalid path \(GoQuote.quote(target)): \(bad)")) }
        var headers: [HTTPGetClient.HTTPHeader] = []
        for header in get.httpHeaders ?? [] {
            guard let name = header["name"].stringValue, !name.isEmpty, let value = header["value"].stringValue else {
                return .failure(ProbeSetupError("invalid httpHeaders entry: each needs a name and a value"))
            }
            if name.contains(where: { $0 == ":" || $0 == " " }) || Self.unsafeHeaderText(name) != nil || Self.unsafeHeaderText(value) != nil {
                return .failure(ProbeSetupError("invalid header \(GoQuote.quote(name)): control characters, spaces or colons in the name, or control characters in the value"))
            }
            headers.append(.init(name: Self.canonicalHeaderName(name), value: value))
        }
        let host = (get.host ?? "").isEmpty ? podIP : get.host!
        if Self.unsafeHeaderText(host) != nil || host.contains(" ") || host.contains("/") {
            return .failure(ProbeSetupError("invalid host \(GoQuote.quote(host))"))
        }
        return .success(HTTPGetClient(host: host, port: port, target: target, headers: headers, userAgent: userAgent, timeout: timeout))
    }

    /// A port by number, by a numeric string, or by the name of one of the container's ports.
    static func resolvePort(_ port: IntOrString, ports: [ContainerPort]) -> Result<Int, ProbeSetupError> {
        let number: Int
        switch port {
        case .int(let n): number = n
        case .string(let s):
            if let n = Int(s) {
                number = n
            } else if let named = ports.first(where: { $0.name == s }) {
                number = Int(named.containerPort)
            } else {
                return .failure(ProbeSetupError("couldn't find port: \(s) in the container's ports"))
            }
        }
        guard (1...65535).contains(number) else { return .failure(ProbeSetupError("invalid port number: \(number)")) }
        return .success(number)
    }

    /// Go's CanonicalMIMEHeaderKey, which Kubernetes' probe requests apply to `httpHeaders`
    /// names: `x-custom-header` is sent as `X-Custom-Header`.
    /// Like Go's, a name with a byte that is no token character is left as it is; only
    /// ASCII letters change case (`"ß".uppercased()` is two characters).
    static func canonicalHeaderName(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.allSatisfy(isTokenByte) else { return name }
        var upper = true
        return String(decoding: bytes.map { b -> UInt8 in
            defer { upper = b == UInt8(ascii: "-") }
            if upper, (97...122).contains(b) { return b - 32 }
            if !upper, (65...90).contains(b) { return b + 32 }
            return b
        }, as: UTF8.self)
    }

    /// RFC 7230 `tchar`.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 48...57, 65...90, 97...122: return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// Why `text` cannot go into a request line or header (CR, LF, other control characters).
    static func unsafeHeaderText(_ text: String) -> String? {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f } ? "contains control characters" : nil
    }
}

/// Why an action could not even be attempted (bad port name, unsupported scheme).
struct ProbeSetupError: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Go's `%q` for strings (the form Kubernetes' messages quote commands and names in).
enum GoQuote {
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
