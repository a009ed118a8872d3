import Testing
@testable import apiserver

/// Job index sets as intervals: every operation the controller needs works on the
/// intervals, so a client's "0-2147483646" costs one interval, not 2^31 indexes.
struct JobIndexIntervalsTests {
    @Test func readingSortsAndMergesAndCutsAtTheLimit() {
        // Unsorted, overlapping and touching fragments (a status a client wrote) become the
        // fewest intervals; what reaches past the limit is cut there.
        #expect(JobIndexList.indexes("7-9,0,3-4,1,5,20", limit: 9).ranges == [0...1, 3...5, 7...8])
        #expect(JobIndexList.indexes("0-2147483646", limit: 2147483647).ranges == [0...2147483646])
        #expect(JobIndexList.indexes("0-9223372036854775806", limit: 2147483647).ranges == [0...2147483646])
        #expect(JobIndexList.indexes("", limit: 5).isEmpty)
    }

    @Test func countContainsAndInsert() {
        var s = JobIndexList.indexes("0-2147483646", limit: 2147483647)
        #expect(s.count == 2147483647)
        #expect(s.contains(0) && s.contains(2147483646) && !s.contains(2147483647) && !s.contains(-1))
        var t = JobIndexIntervals([2...3, 7...7])
        t.insert(5)
        #expect(t.ranges == [2...3, 5...5, 7...7])
        t.insert(4)
        #expect(t.ranges == [2...5, 7...7])
        t.insert(6)
        #expect(t.ranges == [2...7])
        t.insert(0)
        t.insert(3)
        #expect(t.ranges == [0...0, 2...7])
        #expect(t.count == 7)
        #expect(t.text == "0,2-7")
        s.insert(2147483646)
        #expect(s.text == "0-2147483646")
    }

    @Test func unionAndIntersectionCount() {
        let a = JobIndexIntervals([0...9, 20...29]), b = JobIndexIntervals([5...24, 40...40])
        #expect(a.intersectionCount(b) == 10)
        #expect(a.union(b).ranges == [0...29, 40...40])
        let big = JobIndexIntervals([0...2147483646])
        #expect(big.intersectionCount(JobIndexIntervals([100...199, 2147483640...2147483700])) == 107)
    }

    @Test func firstMissingWalksTheGapsOnly() {
        let done = JobIndexIntervals([0...2147483640])
        #expect(done.firstMissing(below: 2147483647, skipping: [2147483642], limit: 3) == [2147483641, 2147483643, 2147483644])
        #expect(done.firstMissing(below: 2147483647, skipping: [], limit: 500) == [2147483641, 2147483642, 2147483643, 2147483644, 2147483645, 2147483646])
        #expect(JobIndexIntervals([1...2, 5...5]).firstMissing(below: 8, skipping: [3], limit: 10) == [0, 4, 6, 7])
        #expect(JobIndexIntervals().firstMissing(below: 2147483647, skipping: [1], limit: 4) == [0, 2, 3, 4])
        #expect(JobIndexIntervals([0...4]).firstMissing(below: 3, skipping: [], limit: 4) == [])
    }

    /// A success policy over every index but the last, counted on intervals.
    @Test func aSuccessPolicyOverTwoBillionIndexesIsCountedOnIntervals() {
        let job: JSON = ["spec": ["completionMode": "Indexed", "completions": 2147483647, "parallelism": 1,
                                  "successPolicy": ["rules": [["succeededIndexes": "0-2147483646", "succeededCount": 2147483640],
                                                              ["succeededIndexes": "2147483640-2147483646"]]]]]
        #expect(JobSuccessPolicy.match(job, completed: JobIndexIntervals([0...2147483638])) == nil)
        #expect(JobSuccessPolicy.match(job, completed: JobIndexIntervals([0...2147483639])) == "Matched rules at index 0")
        #expect(JobSuccessPolicy.match(job, completed: JobIndexIntervals([5...5, 2147483640...2147483646])) == "Matched rules at index 1")
    }
}
