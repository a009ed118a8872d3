import ControllerRuntime
import Foundation
import Testing
import Wire
@testable import apiserver

@Suite(.serialized) struct InformerTransformTests {
    /// The hub's pod cache keeps what the scheduler and taint eviction read.
    @Test func podCacheDropsAnnotationsAndBoundPodsContainerStatuses() throws {
        let bound = try JSON.parse("""
        {"metadata":{"name":"p","namespace":"default","uid":"u1","labels":{"app":"x"},"annotations":{"big":"yyy"},"resourceVersion":"7"},
         "spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}]},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
                   "containerStatuses":[{"name":"c","ready":true,"restartCount":3},{"name":"d","ready":true}],
                   "initContainerStatuses":[{"name":"i","ready":false}]}}
        """)
        // Only each container's restart count stays (the ReplicaSet controller's scale-down order).
        #expect(PodCacheTransform.keepWhatControllersRead(bound) == (try JSON.parse("""
        {"metadata":{"name":"p","namespace":"default","uid":"u1","labels":{"app":"x"},"resourceVersion":"7"},
         "spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}]},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"restartCount":3},{"restartCount":0}]}}
        """)))
        // A Failed pod keeps each container's name, exit code and finish time too (a Job's
        // podFailurePolicy and per-index back-off).
        let failed = try JSON.parse("""
        {"metadata":{"name":"f"},"spec":{"nodeName":"n1"},
         "status":{"phase":"Failed","containerStatuses":[{"name":"c","restartCount":0,"state":{"terminated":{"exitCode":42,"reason":"Error","finishedAt":"2026-11-30T22:00:05Z"}}},
                                                         {"name":"d","restartCount":1,"state":{"waiting":{"reason":"PodInitializing"}}}],
                   "initContainerStatuses":[{"name":"i","restartCount":0,"state":{"terminated":{"exitCode":7,"reason":"Error"}}}]}}
        """)
        #expect(PodCacheTransform.keepWhatControllersRead(failed) == (try JSON.parse("""
        {"metadata":{"name":"f"},"spec":{"nodeName":"n1"},
         "status":{"phase":"Failed","containerStatuses":[{"restartCount":0,"name":"c","state":{"terminated":{"exitCode":42,"finishedAt":"2026-11-30T22:00:05Z"}}},{"restartCount":1,"name":"d"}],
                   "initContainerStatuses":[{"name":"i","state":{"terminated":{"exitCode":7}}}]}}
        """)))
        // A pod not bound yet keeps its whole status (the scheduler writes it back).
        let pending = try JSON.parse("""
        {"metadata":{"name":"q","annotations":{"a":"b"}},"spec":{"containers":[]},
         "status":{"phase":"Pending","containerStatuses":[{"name":"c"}]}}
        """)
        #expect(PodCacheTransform.keepWhatControllersRead(pending) == (try JSON.parse("""
        {"metadata":{"name":"q"},"spec":{"containers":[]},"status":{"phase":"Pending","containerStatuses":[{"name":"c"}]}}
        """)))
        // Of the annotations only the deletion cost stays (the ReplicaSet's scale-down order),
        // and a Job index's failure counts (backoffLimitPerIndex).
        let costed = try JSON.parse(#"{"metadata":{"name":"r","annotations":{"a":"b","controller.kubernetes.io/pod-deletion-cost":"-3"}},"spec":{}}"#)
        #expect(PodCacheTransform.keepWhatControllersRead(costed)
            == (try JSON.parse(#"{"metadata":{"name":"r","annotations":{"controller.kubernetes.io/pod-deletion-cost":"-3"}},"spec":{}}"#)))
        let counted = try JSON.parse(#"{"metadata":{"name":"j","annotations":{"batch.kubernetes.io/job-completion-index":"1","batch.kubernetes.io/job-index-failure-count":"2","batch.kubernetes.io/job-index-ignored-failure-count":"1"}},"spec":{}}"#)
        #expect(PodCacheTransform.keepWhatControllersRead(counted)
            == (try JSON.parse(#"{"metadata":{"name":"j","annotations":{"batch.kubernetes.io/job-index-failure-count":"2","batch.kubernetes.io/job-index-ignored-failure-count":"1"}},"spec":{}}"#)))
    }

    /// A factory's transform applies to what its informers cache and hand on, from the
    /// first list and from the watch.
    @Test func aFactoryTransformShapesCachedObjects() async throws {
        let s = try await InProcessServer.start()
        let client = Client(config: ClientConfig(server: s.address, token: s.tokens.admin, clientName: "factory", requestTimeoutSeconds: 5))
        let factory = SharedInformerFactory(client: client)
        factory.setTransform(.configMaps) { o in
            var o = o
            o["data"] = .null
            return o
        }
        _ = try await s.client.create(.configMaps, namespace: "default", cm("listed", data: ["k": "v"]))
        let informer = factory.informer(.configMaps, namespace: "default")
        factory.start()
        #expect(await factory.waitForSync())
        _ = try await s.client.create(.configMaps, namespace: "default", cm("watched", data: ["k": "v"]))
        try await eventuallyTrue(5) { informer.indexer.list().count == 2 }
        for o in informer.indexer.list() {
            #expect(o["data"].isNull)
            #expect(o["metadata"]["namespace"] == "default")
        }
        factory.shutDown()
        client.close()
        await s.stop()
    }
}
