// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "skiff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "apiserver", targets: ["apiserver"]),
        .executable(name: "kubelet", targets: ["kubelet"]),
        .executable(name: "ctl", targets: ["ctl"]),
        .executable(name: "skiff-bench", targets: ["bench"]),
        .executable(name: "skiff-pause", targets: ["skiff-pause"]),
        .executable(name: "skiff-monitor", targets: ["skiff-monitor"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "ControllerRuntime", targets: ["ControllerRuntime"]),
    ],
    // Exact versions: Skiff ships executables, so a fresh clone builds the versions that were
    // tested. Package.resolved is not committed (README says why).
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // Only its OrderedCollections product is used (JSONObject's ordered O(1) lookups).
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
    ],
    targets: [
        // libsqlite3 from the system (Debian: libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // Linux calls Glibc does not export to Swift: epoll, eventfd, accept4.
        .target(name: "CLinuxShim", path: "Sources/CLinuxShim"),
        // A pod's namespace holder (what the pause container is to Kubernetes), in C to stay small.
        .executableTarget(name: "skiff-pause", path: "Sources/skiff-pause"),
        // A container's parent, log writer and exit recorder (conmon's role), in C to stay small;
        // it compiles the same spawn code as the kubelet (CLinuxShim). SwiftPM links libswiftCore
        // into C executables too (swiftrt.o needs it); scripts/package builds both with cc alone.
        .executableTarget(name: "skiff-monitor", dependencies: ["CLinuxShim"], path: "Sources/skiff-monitor"),
        .target(
            name: "Wire",
            dependencies: [
                "CLinuxShim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strict),
        // Shared informers, work queues and an injectable clock for controllers (apiserver's
        // controllers today; the scheduler and kubelet next).
        .target(name: "ControllerRuntime", dependencies: ["Wire"], swiftSettings: strict),
        .executableTarget(
            name: "apiserver",
            dependencies: [
                "Wire", "CSQLite", "ControllerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The kubelet's pod logic, as a library with unit tests: the runtime interface and its
        // `host` handler so far.
        .target(name: "KubeletCore", dependencies: ["Wire", "CLinuxShim", "ControllerRuntime"], swiftSettings: strict),
        .executableTarget(
            name: "kubelet",
            dependencies: [
                "Wire", "KubeletCore", "ControllerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "ctl",
            dependencies: [
                "Wire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "bench",
            dependencies: ["Wire", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // Helpers shared by the test targets (a raw socket peer for hostile input).
        .target(name: "TestSupport", dependencies: ["Wire"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire"], swiftSettings: strict),
        .testTarget(name: "APIServerTests", dependencies: ["apiserver", "Wire", "ControllerRuntime", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ControllerRuntimeTests", dependencies: ["ControllerRuntime", "Wire"], swiftSettings: strict),
        .testTarget(name: "KubeletCoreTests", dependencies: ["KubeletCore", "Wire", "ControllerRuntime", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ClusterTests", dependencies: ["Wire", "ctl", "TestSupport", "KubeletCore"], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
