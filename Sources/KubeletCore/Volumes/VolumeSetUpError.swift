/// Why a pod volume could not be set up. `message` is worded as Kubernetes' FailedMount event
/// (`MountVolume.SetUp failed for volume "cfg" : configmap "app" not found`) and fits a
/// container's waiting message.
public struct VolumeSetUpError: Error, Sendable, Equatable, CustomStringConvertible {
    public var volume: String
    /// The cause alone (`configmap "app" not found`).
    public var cause: String

    public init(volume: String, _ cause: String) {
        self.volume = volume
        self.cause = cause
    }

    public var message: String { "MountVolume.SetUp failed for volume \"\(volume)\" : \(cause)" }
    public var description: String { message }
}

/// Checks on paths that come from pod specs, which are hostile input.
enum VolumePaths {
    /// A volume or item path inside a volume: relative, no `..` component, no NUL, not empty.
    static func relativeProblem(_ path: String) -> String? {
        if path.isEmpty { return "must not be empty" }
        if path.hasPrefix("/") { return "must be a relative path" }
        if path.contains("\0") { return "must not contain NUL" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") { return "must not contain '..'" }
        if path.hasPrefix("..") { return "must not start with '..'" }
        return nil
    }

    /// A volume name becomes a directory name: a DNS label (Kubernetes validates it as one).
    static func nameProblem(_ name: String) -> String? {
        let ok = !name.isEmpty && name.count <= 63 && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
            && name.first != "-" && name.last != "-"
        return ok ? nil : "invalid volume name \"\(name)\": must be a DNS label (lower-case letters, digits and '-', at most 63)"
    }

    /// A file mode from the spec: 0...0777.
    static func modeProblem(_ mode: Int32) -> String? {
        (0...0o777).contains(mode) ? nil : "invalid mode \(mode): must be between 0 and 0777 (octal), both inclusive"
    }
}
