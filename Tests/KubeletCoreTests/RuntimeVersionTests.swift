import Testing
@testable import KubeletCore

/// CRI API version negotiation, sandbox names and the host image service.
@Suite struct RuntimeVersionTests {
    @Test func negotiationPicksTheHighestCommonVersion() throws {
        #expect(try CRIVersion.negotiate(kubelet: ["v1", "v1alpha2"], runtime: ["v1alpha2", "v1"]) == "v1")
        #expect(try CRIVersion.negotiate(kubelet: ["v1alpha2", "v1"], runtime: ["v1alpha2"]) == "v1alpha2")
        #expect(try CRIVersion.negotiate(kubelet: ["v2", "v1beta1", "v1alpha1", "v1beta2"], runtime: ["v1alpha1", "v1beta2", "v1beta1"]) == "v1beta2")
        #expect(try CRIVersion.negotiate(kubelet: ["v10", "v2"], runtime: ["v2", "v10"]) == "v10")
    }

    @Test func noCommonVersionNamesBothLists() {
        #expect(throws: RuntimeError(.unsupportedVersion, "no common CRI API version: the kubelet speaks v1beta1, v1alpha2; the runtime speaks v1")) {
            try CRIVersion.negotiate(kubelet: ["v1beta1", "v1alpha2"], runtime: ["v1"])
        }
        #expect(throws: RuntimeError(.unsupportedVersion, "no common CRI API version: the kubelet speaks none; the runtime speaks v1")) {
            try CRIVersion.negotiate(kubelet: [], runtime: ["v1"])
        }
    }

    @Test func hostRuntimeAnswersWithTheNegotiatedVersion() async throws {
        try await HostRuntimeFixture.run { f in
            let version = try await f.runtime.version(kubeletAPIVersions: ["v1alpha2", "v1"])
            #expect(version == RuntimeVersion(version: "0.1.0", runtimeName: "host", runtimeVersion: "0.1.0", runtimeAPIVersion: "v1"))
            await #expect(throws: RuntimeError(.unsupportedVersion, "no common CRI API version: the kubelet speaks v1alpha2; the runtime speaks v1")) {
                _ = try await f.runtime.version(kubeletAPIVersions: ["v1alpha2"])
            }
        }
    }

    @Test func podHostnameIsCutTo63WithoutTrailingDashOrDot() {
        #expect(PodSandboxConfig.hostname(forPod: "web-0") == "web-0")
        let sixtyTwo = String(repeating: "a", count: 62)
        #expect(PodSandboxConfig.hostname(forPod: sixtyTwo + "-.b") == sixtyTwo)
        #expect(PodSandboxConfig.hostname(forPod: sixtyTwo + "bc") == sixtyTwo + "b")
    }

    @Test func hostImagesArePresentAndRecorded() async throws {
        let images = HostImageService()
        #expect(try await images.imageStatus("busybox:1.36") == ImageRecord(id: "busybox:1.36", repoTags: ["busybox:1.36"], size: 0))
        #expect(try await images.listImages() == [])
        #expect(try await images.pullImage("nginx") == "nginx")
        images.record("busybox:1.36")
        #expect(try await images.listImages().map(\.id) == ["busybox:1.36", "nginx"])
        try await images.removeImage("nginx")
        #expect(try await images.listImages().map(\.id) == ["busybox:1.36"])
    }
}
