import ArgumentParser

/// kubectl's `--dry-run=none|client|server`: `client` sends no write (it may still read),
/// `server` sends the write with `dryRun: ["All"]`, so the server checks it and stores nothing.
enum DryRun: Equatable {
    case none, client, server

    /// What a bare `--dry-run` becomes before parsing (see `ArgumentOrder.expandBareFlags`);
    /// kubectl gives the flag this value when it has none.
    static let bareValue = "unchanged"

    init(flag: String?) throws {
        switch flag {
        case nil, "none"?: self = .none
        case "client"?: self = .client
        case "server"?: self = .server
        case Self.bareValue?:
            throw CtlError("--dry-run flag without a value was specified. A value must be set: \"none\", \"server\", or \"client\".")
        case let other?:
            throw CtlError("Invalid dry-run value (\(other)). Must be \"none\", \"server\", or \"client\".")
        }
    }

    /// What kubectl appends to the operation it prints (`pod/x created (dry run)`).
    var suffix: String {
        switch self {
        case .none: return ""
        case .client: return " (dry run)"
        case .server: return " (server dry run)"
        }
    }

    /// Marks `req` as a server-side dry run when this is one.
    func mark(_ req: Request) -> Request {
        var r = req
        r.dryRun = self == .server
        return r
    }
}

struct DryRunOptions: ParsableArguments {
    @Option(name: .customLong("dry-run"),
            help: "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.")
    var value: String?

    func strategy() throws -> DryRun { try DryRun(flag: value) }
}
