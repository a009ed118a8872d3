/// The interval form of a set of Job completion indexes ("0-2,5"), as Kubernetes writes
/// `completedIndexes`/`failedIndexes` and takes `successPolicy.rules[].succeededIndexes`.
/// One reader for both uses: validation (`count`, every problem in Kubernetes' words) and
/// the controllers (`indexes`, which skip what does not parse).
enum JobIndexList {
    struct Problem: Error, Equatable { let text: String }

    /// One fragment ("3" or "3-5") as Kubernetes' `validateIndexesFormat` reads it: at most
    /// two parts joined by '-', each a decimal integer, each below `limit` when one is given
    /// (checked part by part, as Kubernetes does). Its bounds, or the first problem.
    static func fragment(_ part: Substring, below limit: Int?) -> Result<(lo: Int, hi: Int), Problem> {
        let ends = part.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        if ends.count > 2 {
            return .failure(Problem(text: "the fragment \(goQuote(String(part))) violates the requirement that an index interval can have at most two parts separated by '-'"))
        }
        var bounds: [Int] = []
        for end in ends {
            guard let v = Int(end) else { return .failure(Problem(text: "cannot convert string to integer for index: \(goQuote(end))")) }
            if let limit, v >= limit { return .failure(Problem(text: "too large index: \(goQuote(end))")) }
            bounds.append(v)
        }
        return .success((bounds[0], bounds[bounds.count - 1]))
    }

    /// How many indexes `s` names, each below `completions`, intervals strictly increasing;
    /// "" names none. The first problem otherwise (Kubernetes' `validateIndexesFormat`).
    static func count(_ s: String, completions: Int) -> Result<Int, Problem> {
        guard !s.isEmpty else { return .success(0) }
        var last: Int? = nil, total = 0
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            let lo: Int, hi: Int
            switch fragment(part, below: completions) {
            case .failure(let problem): return .failure(problem)
            case .success(let b): (lo, hi) = b
            }
            if part.contains("-") && lo >= hi {
                return .failure(Problem(text: "non-increasing order, previous: \(lo), current: \(hi)"))
            }
            if let last, last >= lo { return .failure(Problem(text: "non-increasing order, previous: \(last), current: \(lo)")) }
            total += hi - lo + 1
            last = hi
        }
        return .success(total)
    }

    /// The indexes `s` names below `limit`, for the controllers: an interval reaching past
    /// the limit is cut there, a fragment that does not parse is skipped. Kept as intervals:
    /// "0-2147483646" is one.
    static func indexes(_ s: String?, limit: Int) -> JobIndexIntervals {
        var intervals: [ClosedRange<Int>] = []
        for part in (s ?? "").split(separator: ",") {
            guard case .success(let (lo, hi)) = fragment(part, below: nil), lo <= hi, lo < limit else { continue }
            intervals.append(lo...min(hi, limit - 1))
        }
        return JobIndexIntervals(intervals)
    }

    /// Go's `%q` for the plain strings these messages quote.
    static func goQuote(_ s: String) -> String {
        var out = "\""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
