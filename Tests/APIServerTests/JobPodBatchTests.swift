import ControllerRuntime
import Testing
@testable import apiserver

/// A Job's numbers are a client's: however large `parallelism` or `completions`, one sync
/// creates at most 500 pods (Kubernetes' MaxPodCreateDeletePerSync) and finds free indexes
/// between the completed intervals without listing every index.
@Suite(.serialized) struct JobPodBatchTests {
    func indexes(_ pods: [JSON]) -> [String] {
        pods.compactMap { $0["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"].stringValue }.sorted()
    }

    @Test func aHugeParallelismCreatesFiveHundredPodsPerSync() async throws {
        let s = try await InProcessServer.start()
        do {
            let c = JobSyncTests.controller(s, FakeClock(now: Timestamp.nowSeconds()))
            let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("wide", ["parallelism": 2147483647]))
            let jobs = Indexer()
            _ = jobs.put(job)
            _ = try await c.sync("default/wide", jobs: jobs, pods: Indexer())
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 500)
            #expect(countsOf(try await s.client.get(.jobs, namespace: "default", name: "wide"))["active"] == 500)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    /// The next sync (here a fresh controller seeing the first 500) makes 500 more; a
    /// suspend then deletes 500 of the 1000 per sync.
    @Test func laterSyncsGoOnFiveHundredAtATimeAndSuspendDeletesFiveHundred() async throws {
        let s = try await InProcessServer.start()
        do {
            let clock = FakeClock(now: Timestamp.nowSeconds())
            var job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("wide", ["parallelism": 2147483647]))
            let jobs = Indexer()
            _ = jobs.put(job)
            _ = try await JobSyncTests.controller(s, clock).sync("default/wide", jobs: jobs, pods: Indexer())
            let pods = Indexer()
            for p in try await s.client.list(.pods, namespace: "default").items { _ = pods.put(p) }
            job = try await s.client.get(.jobs, namespace: "default", name: "wide")
            _ = jobs.put(job)
            _ = try await JobSyncTests.controller(s, clock).sync("default/wide", jobs: jobs, pods: pods)
            #expect(try await s.client.list(.pods, namespace: "default").items.count == 1000)
            for p in try await s.client.list(.pods, namespace: "default").items { _ = pods.put(p) }
            job = try await s.client.get(.jobs, namespace: "default", name: "wide")
            job[path: ["spec", "suspend"]] = true
            job = try await s.client.update(.jobs, job)
            _ = jobs.put(job)
            _ = try await JobSyncTests.controller(s, clock).sync("default/wide", jobs: jobs, pods: pods)
            let deleting = try await s.client.list(.pods, namespace: "default").items.filter { !$0["metadata"]["deletionTimestamp"].isNull }
            #expect(deleting.count == 500)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    @Test func anIndexedJobWithTwoBillionCompletionsStartsIndexZeroToFourNinetyNine() async throws {
        let s = try await InProcessServer.start()
        do {
            let c = JobSyncTests.controller(s, FakeClock(now: Timestamp.nowSeconds()))
            let job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("many", [
                "completionMode": "Indexed", "completions": 2147483647, "parallelism": 100000]))
            let jobs = Indexer()
            _ = jobs.put(job)
            _ = try await c.sync("default/many", jobs: jobs, pods: Indexer())
            let made = indexes(try await s.client.list(.pods, namespace: "default").items)
            #expect(made.compactMap { Int($0) }.sorted() == Array(0...499))
        } catch { Issue.record("\(error)") }
        await s.stop()
    }

    /// `status.completedIndexes` written through /status as one interval of two billion:
    /// the sync reads it as an interval and starts the six indexes left.
    @Test func aHugeCompletedIntervalLeavesOnlyTheLastIndexesToRun() async throws {
        let s = try await InProcessServer.start()
        do {
            let c = JobSyncTests.controller(s, FakeClock(now: Timestamp.nowSeconds()))
            var job = try await s.client.create(.jobs, namespace: "default", JobHarness.job("tail", [
                "completionMode": "Indexed", "completions": 2147483647, "parallelism": 100000]))
            job[path: ["status"]] = ["completedIndexes": "0-2147483640", "succeeded": 2147483641]
            job = try await s.client.update(.jobs, job, status: true)
            let jobs = Indexer()
            _ = jobs.put(job)
            _ = try await c.sync("default/tail", jobs: jobs, pods: Indexer())
            #expect(indexes(try await s.client.list(.pods, namespace: "default").items)
                == ["2147483641", "2147483642", "2147483643", "2147483644", "2147483645", "2147483646"])
            let stored = try await s.client.get(.jobs, namespace: "default", name: "tail")
            #expect(stored["status"]["completedIndexes"] == "0-2147483640")
            #expect(stored["status"]["succeeded"] == 2147483641)
            #expect(stored["status"]["active"] == 6)
        } catch { Issue.record("\(error)") }
        await s.stop()
    }
}
