import Synchronization

/// The `host` handler's image service: containers run from the host's file system, so an
/// image is only a name to keep for bookkeeping. Every image counts as present (nothing to
/// pull); those pulled or used by a container are listed until removed.
public final class HostImageService: ImageService, Sendable {
    private let images = Mutex<[String: ImageRecord]>([:])

    public init() {}

    /// Notes an image a container names.
    func record(_ image: String) {
        guard !image.isEmpty else { return }
        images.withLock { $0[image] = Self.entry(image) }
    }

    private static func entry(_ image: String) -> ImageRecord { ImageRecord(id: image, repoTags: [image], size: 0) }

    public func pullImage(_ image: String) async throws -> String {
        guard !image.isEmpty else { throw RuntimeError(.invalidArgument, "image name is empty") }
        record(image)
        return image
    }

    public func imageStatus(_ image: String) async throws -> ImageRecord? {
        guard !image.isEmpty else { throw RuntimeError(.invalidArgument, "image name is empty") }
        return images.withLock { $0[image] } ?? Self.entry(image)
    }

    public func listImages() async throws -> [ImageRecord] {
        images.withLock { $0.values.sorted { $0.id < $1.id } }
    }

    public func removeImage(_ image: String) async throws {
        _ = images.withLock { $0.removeValue(forKey: image) }
    }
}
