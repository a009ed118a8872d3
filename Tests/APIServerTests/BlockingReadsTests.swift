import Foundation
import Synchronization
import Wire
import Testing
@testable import apiserver

/// Reads wait for SQLite on the store's own threads, not on Swift's cooperative pool.
@Suite(.serialized) struct BlockingReadsTests {
    @Test func versionAnswersWhileEveryReadConnectionIsHeld() async throws {
        let s = try await InProcessServer.start()
        let c = s.client
        _ = try await c.create(.configMaps, namespace: "default", cm("x", data: ["k": "v"]))
        let store = await s.store
        let held = Atomic<Int>(0)
        let released = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)
        // Hold every read connection (as four slow reads would) on threads of the test's own;
        // they let go after 15 s at the latest, so a regression fails instead of hanging.
        for _ in 0..<store.config.readers {
            Thread.detachNewThread {
                try? store.reads.withConnection { _ throws(Status) in
                    held.add(1, ordering: .relaxed)
                    _ = release.wait(timeout: .now() + 15)
                    released.store(true, ordering: .relaxed)
                }
            }
        }
        try await eventuallyTrue(5) { held.load(ordering: .relaxed) == store.config.readers }
        // More waiting reads than the machine has cooperative threads.
        let gets = (0..<4).map { _ in
            Task { try await c.get(.configMaps, namespace: "default", name: "x")["data"]["k"] }
        }
        try await Task.sleep(for: .milliseconds(300))
        let version = try await c.request(Request(verb: .version))
        let answeredWhileHeld = !released.load(ordering: .relaxed)
        for _ in 0..<store.config.readers { release.signal() }
        #expect(answeredWhileHeld)
        #expect(version.object["platform"] == "linux")
        for g in gets { #expect(try await g.value == "v") }
        await s.stop()
    }
}
