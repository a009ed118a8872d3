/// A set of Job completion indexes held as its sorted intervals, never index by index:
/// `completions` may be up to 2^31-1, and a client writes `status.completedIndexes`,
/// `failedIndexes` and `succeededIndexes` ("0-2147483646" is one interval, not 2^31 indexes).
///
/// Invariant: `ranges` are sorted, disjoint and not adjacent (touching ones are merged).
struct JobIndexIntervals: Equatable, Sendable {
    private(set) var ranges: [ClosedRange<Int>] = []

    init() {}

    /// From any intervals (unsorted, overlapping): sorted and merged.
    init(_ intervals: [ClosedRange<Int>]) {
        for r in intervals.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = ranges.last, r.lowerBound <= last.upperBound || (last.upperBound < Int.max && r.lowerBound == last.upperBound + 1) {
                ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                ranges.append(r)
            }
        }
    }

    var isEmpty: Bool { ranges.isEmpty }

    /// How many indexes.
    var count: Int { ranges.reduce(0) { $0 + $1.count } }

    /// The position of the first interval not wholly below `i` (binary search).
    private func position(_ i: Int) -> Int {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < i { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func contains(_ i: Int) -> Bool {
        let at = position(i)
        return at < ranges.count && ranges[at].contains(i)
    }

    /// Adds `i`, joining it to the intervals it touches.
    mutating func insert(_ i: Int) {
        let at = position(i)
        if at < ranges.count && ranges[at].contains(i) { return }
        let joinsBefore = at > 0 && i > Int.min && ranges[at - 1].upperBound == i - 1
        let joinsAfter = at < ranges.count && i < Int.max && ranges[at].lowerBound == i + 1
        switch (joinsBefore, joinsAfter) {
        case (true, true):
            ranges[at - 1] = ranges[at - 1].lowerBound...ranges[at].upperBound
            ranges.remove(at: at)
        case (true, false): ranges[at - 1] = ranges[at - 1].lowerBound...i
        case (false, true): ranges[at] = i...ranges[at].upperBound
        case (false, false): ranges.insert(i...i, at: at)
        }
    }

    func union(_ other: JobIndexIntervals) -> JobIndexIntervals { JobIndexIntervals(ranges + other.ranges) }

    /// How many indexes both hold (a walk over both interval lists).
    func intersectionCount(_ other: JobIndexIntervals) -> Int {
        var a = 0, b = 0, total = 0
        while a < ranges.count && b < other.ranges.count {
            let lo = max(ranges[a].lowerBound, other.ranges[b].lowerBound)
            let hi = min(ranges[a].upperBound, other.ranges[b].upperBound)
            if lo <= hi { total += hi - lo + 1 }
            if ranges[a].upperBound < other.ranges[b].upperBound { a += 1 } else { b += 1 }
        }
        return total
    }

    /// Up to `limit` indexes below `below` that this set does not hold and `skipping` does not
    /// name, lowest first. The work is bounded by `limit + skipping.count` per gap walked,
    /// whatever the size of the set.
    func firstMissing(below: Int, skipping: Set<Int>, limit: Int) -> [Int] {
        var out: [Int] = []
        var cursor = 0
        for r in ranges + [below...below] where out.count < limit && cursor < below {
            let end = min(r.lowerBound, below)
            var i = cursor
            while i < end && out.count < limit {
                if !skipping.contains(i) { out.append(i) }
                i += 1
            }
            cursor = max(cursor, r.upperBound == Int.max ? Int.max : r.upperBound + 1)
        }
        return out
    }

    /// Kubernetes' interval text: "0,1,3-5,7" (two neighbours are listed, not a range), nil
    /// when empty.
    var text: String? {
        guard !ranges.isEmpty else { return nil }
        return ranges.map { r in
            r.lowerBound == r.upperBound ? "\(r.lowerBound)"
                : r.upperBound == r.lowerBound + 1 ? "\(r.lowerBound),\(r.upperBound)" : "\(r.lowerBound)-\(r.upperBound)"
        }.joined(separator: ",")
    }
}
