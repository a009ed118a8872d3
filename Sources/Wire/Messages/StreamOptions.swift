/// The options of a `logs` request, in its `body` (kubectl's `PodLogOptions`).
public struct LogOptions: Sendable, Equatable {
    /// Empty: the pod's only container.
    public var container = ""
    public var follow = false
    /// The log of the container's previous run (restart count minus one).
    public var previous = false
    /// The last N lines only.
    public var tailLines: Int?
    /// Only lines written in the last N seconds.
    public var sinceSeconds: Int?
    /// Each line keeps its time, as `2016-10-06T00:17:09.669794202Z line`.
    public var timestamps = false
    /// Set by the apiserver for the kubelet: the pod's uid.
    public var podUID = ""

    public init() {}

    public var json: JSON {
        var o = JSONObject()
        if !container.isEmpty { o["container"] = .string(container) }
        if follow { o["follow"] = true }
        if previous { o["previous"] = true }
        if let tailLines { o["tailLines"] = .int(tailLines) }
        if let sinceSeconds { o["sinceSeconds"] = .int(sinceSeconds) }
        if timestamps { o["timestamps"] = true }
        if !podUID.isEmpty { o["uid"] = .string(podUID) }
        return .object(o)
    }

    public init(json body: JSON?) throws(Status) {
        let b = try StreamOptionReader(body, verb: "logs")
        container = try b.string("container")
        follow = try b.bool("follow")
        previous = try b.bool("previous")
        tailLines = try b.int("tailLines", minimum: 0)
        sinceSeconds = try b.int("sinceSeconds", minimum: 1)
        timestamps = try b.bool("timestamps")
        podUID = try b.string("uid")
    }
}

/// The options of an `exec` request, in its `body`.
public struct ExecOptions: Sendable, Equatable {
    public var container = ""
    public var command: [String] = []
    /// The client sends stdin (else the command's stdin is empty).
    public var stdin = false
    public var tty = false
    /// The caller's terminal size, for the command's terminal (with `tty`).
    public var terminalSize: TerminalSize?
    public var podUID = ""

    public init(command: [String]) { self.command = command }

    public var json: JSON {
        var o = JSONObject()
        if !container.isEmpty { o["container"] = .string(container) }
        o["command"] = .array(command.map { .string($0) })
        if stdin { o["stdin"] = true }
        if tty { o["tty"] = true }
        if let terminalSize { o["terminalSize"] = ["width": .int(Int(terminalSize.width)), "height": .int(Int(terminalSize.height))] }
        if !podUID.isEmpty { o["uid"] = .string(podUID) }
        return .object(o)
    }

    public init(json body: JSON?) throws(Status) {
        let b = try StreamOptionReader(body, verb: "exec")
        container = try b.string("container")
        guard let items = b.o["command"]?.arrayValue, !items.isEmpty, !(items[0].stringValue ?? "").isEmpty else {
            throw .badRequest("exec: body.command must be a non-empty array of strings (you must specify at least one command for the container)")
        }
        for item in items {
            guard let s = item.stringValue else { throw .badRequest("exec: body.command must be a non-empty array of strings") }
            command.append(s)
        }
        stdin = try b.bool("stdin")
        tty = try b.bool("tty")
        if let v = b.o["terminalSize"], !v.isNull {
            let message = "exec: body.terminalSize must be an object with integers width and height from 1 to 65535"
            guard let w = v["width"].intValue, let h = v["height"].intValue, (1...65535).contains(w), (1...65535).contains(h) else {
                throw .badRequest(message)
            }
            terminalSize = TerminalSize(width: UInt16(w), height: UInt16(h))
        }
        podUID = try b.string("uid")
    }
}

/// A terminal's size in character cells (Kubernetes' `remotecommand.TerminalSize`).
public struct TerminalSize: Sendable, Equatable {
    public var width: UInt16
    public var height: UInt16
    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }
}

/// Typed members of a request body, each wrong type a 400 naming it.
struct StreamOptionReader {
    let o: JSONObject
    let verb: String

    init(_ body: JSON?, verb: String) throws(Status) {
        self.verb = verb
        guard let body, !body.isNull else { o = JSONObject(); return }
        guard let obj = body.objectValue else { throw .badRequest("\(verb): request.body must be an object") }
        o = obj
    }

    func string(_ k: String) throws(Status) -> String {
        guard let v = o[k], !v.isNull else { return "" }
        guard let s = v.stringValue else { throw .badRequest("\(verb): body.\(k) must be a string, got \(v.typeName)") }
        return s
    }

    func bool(_ k: String) throws(Status) -> Bool {
        guard let v = o[k], !v.isNull else { return false }
        guard let b = v.boolValue else { throw .badRequest("\(verb): body.\(k) must be a boolean, got \(v.typeName)") }
        return b
    }

    func int(_ k: String, minimum: Int) throws(Status) -> Int? {
        guard let v = o[k], !v.isNull else { return nil }
        guard let i = v.intValue, i >= minimum else { throw .badRequest("\(verb): body.\(k) must be an integer of at least \(minimum)") }
        return i
    }
}
