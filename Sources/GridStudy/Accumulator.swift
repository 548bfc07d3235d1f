// Streaming accumulators whose merges are exact: every value is quantised to its metric's resolution and
// summed as an integer (Int128), so the sums of a study do not depend on the order or grouping of its
// trials (threads, shards). Percentiles and the worst-5 % mean come from a log-linear sketch of the same
// integers: bucket counts and exact bucket sums, merged by integer addition.
//
// The sketch. A quantised value q ≠ 0 falls in the bucket named by the sign, the binary exponent and the
// top `mantissaBits` bits of the mantissa of |q| (integer arithmetic on the bit pattern, so every machine
// files a value in the same bucket). Integers below 2^13 have a bucket each; above, a bucket's bounds
// differ by at most 2⁻¹³ ≈ 1.2 × 10⁻⁴ relative. A percentile is the mean of the values in the bucket
// that holds the exact order statistic, so it is within one bucket's width of it: 1.2 × 10⁻⁴ relative,
// or one resolution unit, whichever is larger (`Accumulator.relativeAccuracy`).
import Foundation

public struct Accumulator: Sendable, Equatable {
    /// Value of one integer unit (e.g. 1e-3 MWh): values are rounded to it.
    public let resolution: Double
    public private(set) var count: Int = 0
    public private(set) var sum: Int128 = 0
    public private(set) var sumOfSquares: Int128 = 0
    /// Smallest and largest quantised value added (0 when none).
    public private(set) var minimum: Int128 = 0
    public private(set) var maximum: Int128 = 0
    /// Bucket key → (count, exact sum of the quantised values).
    private(set) var buckets: [Int32: Bucket] = [:]

    struct Bucket: Sendable, Equatable, Codable {
        var count: Int
        var sum: Int128
    }

    static let mantissaBits = 13
    /// Largest relative width of a bucket: a percentile's relative accuracy.
    public static let relativeAccuracy = 1.0 / Double(1 << mantissaBits)

    public init(resolution: Double) {
        self.resolution = resolution
    }

    @inline(__always) func quantise(_ x: Double) -> Int128 {
        let q = (x / resolution).rounded()
        // Values beyond ±1e15 units are clamped (a resolution is chosen so that real values stay far below).
        return Int128(max(-1e15, min(1e15, q.isFinite ? q : (q > 0 ? 1e15 : -1e15))))
    }

    /// The bucket of a quantised value: 0 for 0, ±(1 + exponent · 2^m + top m mantissa bits) otherwise.
    /// |q| ≤ 1e15 < 2⁵³ converts to Double exactly.
    static func bucket(_ q: Int128) -> Int32 {
        if q == 0 { return 0 }
        let bits = Double(q.magnitude).bitPattern
        let key = Int32(truncatingIfNeeded: (bits >> UInt64(52 - mantissaBits)) - (1023 << UInt64(mantissaBits))) + 1
        return q > 0 ? key : -key
    }

    public mutating func add(_ x: Double) {
        let q = quantise(x)
        if count == 0 { minimum = q; maximum = q } else { minimum = min(minimum, q); maximum = max(maximum, q) }
        count += 1
        sum += q
        sumOfSquares += q * q
        let key = Self.bucket(q)
        var b = buckets[key] ?? Bucket(count: 0, sum: 0)
        b.count += 1
        b.sum += q
        buckets[key] = b
    }

    /// Exact: the result does not depend on how trials were grouped.
    public mutating func merge(_ other: Accumulator) {
        precondition(resolution == other.resolution)
        guard other.count > 0 else { return }
        if count == 0 { minimum = other.minimum; maximum = other.maximum } else {
            minimum = min(minimum, other.minimum); maximum = max(maximum, other.maximum)
        }
        count += other.count
        sum += other.sum
        sumOfSquares += other.sumOfSquares
        for (key, b) in other.buckets {
            var mine = buckets[key] ?? Bucket(count: 0, sum: 0)
            mine.count += b.count
            mine.sum += b.sum
            buckets[key] = mine
        }
    }

    /// True when no value below zero was added (the interval of such a metric is clamped at 0).
    public var nonNegative: Bool { minimum >= 0 }

    public var mean: Double { count > 0 ? Double(sum) * resolution / Double(count) : .nan }

    /// Sample variance (n − 1).
    public var variance: Double {
        guard count > 1 else { return .nan }
        let n = Double(count), s = Double(sum), ss = Double(sumOfSquares)
        return max(0, (ss - s * s / n) / (n - 1)) * resolution * resolution
    }

    public var standardError: Double { count > 1 ? (variance / Double(count)).squareRoot() : .nan }

    private var sortedBuckets: [(key: Int32, value: Bucket)] { buckets.sorted { $0.key < $1.key } }

    /// The q-quantile (0…1): the order statistic of rank ⌈q·n⌉ (at least 1), i.e. the smallest value x with
    /// at least a fraction q of the trials at or below x, given as the mean of the values in its bucket.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return .nan }
        let target = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (_, b) in sortedBuckets {
            seen += b.count
            if seen >= target { return Double(b.sum) * resolution / Double(b.count) }
        }
        return Double(maximum) * resolution
    }

    /// The distribution of the values added, from the sketch: each bucket's mean value and its count, in
    /// increasing order of value (values within a bucket differ by at most `relativeAccuracy`).
    public var histogram: [(value: Double, count: Int)] {
        sortedBuckets.map { (Double($0.value.sum) * resolution / Double($0.value.count), $0.value.count) }
    }

    /// The mean of the worst `tail` fraction of probability mass (each trial weighs 1/n): the worst trials
    /// taken whole while they fit in tail·n, and the next one (a tied boundary value included) for the
    /// fraction that remains. `higherIsWorse` says which end is the worse one. With fewer than 1/tail
    /// trials it is the worst value. Within the sketch, a boundary bucket is split in proportion to its
    /// count (exact when its values are tied; otherwise within the bucket's width).
    public func worstMean(tail: Double, higherIsWorse: Bool) -> Double {
        guard count > 0, tail > 0 else { return .nan }
        let wanted = min(1, tail) * Double(count)
        var taken = 0.0, total = 0.0
        let ordered = higherIsWorse ? sortedBuckets.reversed() : sortedBuckets
        for (_, b) in ordered {
            let c = Double(b.count)
            let use = min(c, wanted - taken)
            total += Double(b.sum) * resolution * (use / c)
            taken += use
            if taken >= wanted { break }
        }
        return total / wanted
    }
}

// Codable with the buckets in key order, so that the same accumulator always encodes to the same bytes.
extension Accumulator: Codable {
    enum CodingKeys: String, CodingKey {
        case resolution, count, sum, sumOfSquares, minimum, maximum, bucketKeys, bucketCounts, bucketSums
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resolution = try c.decode(Double.self, forKey: .resolution)
        count = try c.decode(Int.self, forKey: .count)
        sum = try c.decode(Int128.self, forKey: .sum)
        sumOfSquares = try c.decode(Int128.self, forKey: .sumOfSquares)
        minimum = try c.decode(Int128.self, forKey: .minimum)
        maximum = try c.decode(Int128.self, forKey: .maximum)
        let keys = try c.decode([Int32].self, forKey: .bucketKeys)
        let counts = try c.decode([Int].self, forKey: .bucketCounts)
        let sums = try c.decode([Int128].self, forKey: .bucketSums)
        guard keys.count == counts.count, keys.count == sums.count, Set(keys).count == keys.count else {
            throw DecodingError.dataCorruptedError(forKey: .bucketKeys, in: c, debugDescription: "bucket arrays of unequal length or repeated keys")
        }
        for i in keys.indices { buckets[keys[i]] = Bucket(count: counts[i], sum: sums[i]) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(resolution, forKey: .resolution)
        try c.encode(count, forKey: .count)
        try c.encode(sum, forKey: .sum)
        try c.encode(sumOfSquares, forKey: .sumOfSquares)
        try c.encode(minimum, forKey: .minimum)
        try c.encode(maximum, forKey: .maximum)
        let sorted = sortedBuckets
        try c.encode(sorted.map(\.key), forKey: .bucketKeys)
        try c.encode(sorted.map(\.value.count), forKey: .bucketCounts)
        try c.encode(sorted.map(\.value.sum), forKey: .bucketSums)
    }
}
