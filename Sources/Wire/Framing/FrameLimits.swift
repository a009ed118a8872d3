/// Size limits both sides of a connection enforce.
public struct FrameLimits: Sendable, Equatable {
    /// Largest frame body accepted, in bytes. Default 16 MiB.
    public var maxFrameBytes: Int
    /// Largest single API object accepted in a request, in bytes. Default 3 MiB
    /// (etcd's default request limit, which Kubernetes objects live under).
    public var maxObjectBytes: Int

    public init(maxFrameBytes: Int = 16 << 20, maxObjectBytes: Int = 3 << 20) {
        self.maxFrameBytes = maxFrameBytes
        self.maxObjectBytes = maxObjectBytes
    }

    public static let `default` = FrameLimits()
}
