import ControllerRuntime
import Foundation
import Logging
import Synchronization
import Testing
@testable import apiserver

/// A term of leadership won back waits until the warm informers have applied everything up
/// to the store's revision before its loops run.
@Suite(.serialized) struct InformerCatchUpTests {
    let logger = Logger(label: "test")

    @Test func aLaggingInformerIsWaitedFor() async throws {
        let applied = Mutex<Int64>(5)
        let target = InformerCatchUp.Target(name: "pods", revision: 10) { applied.withLock { $0 } }
        let done = Mutex<Bool?>(nil)
        let waiter = Task { [logger] in
            let caughtUp = await InformerCatchUp.wait(for: [target], timeout: 10, logger: logger)
            done.withLock { $0 = caughtUp }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(done.withLock { $0 } == nil, "revision 5 of 10: still waiting")
        applied.withLock { $0 = 9 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(done.withLock { $0 } == nil, "revision 9 of 10: still waiting")
        applied.withLock { $0 = 12 }
        await waiter.value
        #expect(done.withLock { $0 } == true)
    }

    @Test func anInformerThatNeverCatchesUpIsGivenUpOnAtTheTimeout() async throws {
        let target = InformerCatchUp.Target(name: "pods", revision: 10) { 3 }
        let start = Date()
        #expect(await InformerCatchUp.wait(for: [target], timeout: 0.3, logger: logger) == false)
        #expect(Date().timeIntervalSince(start) < 2)
    }

    /// A real informer whose cache applies a change late (its transform takes 400 ms): the
    /// loops of a term that catches up start only once the change is in the cache.
    @Test func loopsOfATermWonBackStartOnCachesThatHoldTheStoresLatestWrites() async throws {
        let s = try await InProcessServer.start()
        let slow = Mutex(false)
        let factory = SharedInformerFactory(client: s.client)
        factory.setTransform(.configMaps) { o in
            if slow.withLock({ $0 }) { usleep(400_000) }
            return o
        }
        let configMaps = factory.informer(.configMaps, namespace: "default")
        factory.start()
        #expect(await configMaps.waitForSync())
        slow.withLock { $0 = true }
        _ = try await s.client.create(.configMaps, namespace: "default", cm("made-last-term"))
        let seen = Mutex<[Bool]>([])
        let loop = ControllerLoop("probe", under: .controllerManager) { f in
            seen.withLock { $0.append(f.informer(.configMaps, namespace: "default").indexer.get(namespace: "default", name: "made-last-term") != nil) }
        }
        await ControllerLoop.runAll([loop], factory: factory, catchingUp: logger)
        #expect(seen.withLock { $0 } == [true])
        factory.shutDown()
        await s.stop()
    }
}
