// Streaming accumulators whose merges are exact: every value is quantised to its metric's resolution and
// summed as an integer (Int128), so the sum of a study does not depend on the order or grouping of its
// trials (threads now; shards later). A histogram on an asinh scale gives percentiles and the CVaR.
import Foundation

public struct Accumulator: Codable, Sendable, Equatable {
    /// Value of one integer unit (e.g. 1e-3 MWh): values are rounded to it.
    public let resolution: Double
    public private(set) var count: Int = 0
    public private(set) var sum: Int128 = 0
    public private(set) var sumOfSquares: Int128 = 0
    /// Histogram of asinh(x / histogramScale), `bins` equal bins over [−limit, limit], with the exact sum
    /// of the values in each bin.
    public let histogramScale: Double
    public private(set) var binCounts: [Int]
    public private(set) var binSums: [Int128]
    static let bins = 2400
    static let limit = 30.0

    public init(resolution: Double, histogramScale: Double) {
        self.resolution = resolution
        self.histogramScale = histogramScale
        binCounts = [Int](repeating: 0, count: Accumulator.bins)
        binSums = [Int128](repeating: 0, count: Accumulator.bins)
    }

    @inline(__always) func quantise(_ x: Double) -> Int128 {
        let q = (x / resolution).rounded()
        // Values beyond ±1e15 units are clamped (a resolution is chosen so that real values stay far below).
        return Int128(max(-1e15, min(1e15, q.isFinite ? q : (q > 0 ? 1e15 : -1e15))))
    }

    @inline(__always) func bin(_ x: Double) -> Int {
        let u = asinh(x / histogramScale)
        let b = Int(((u + Accumulator.limit) / (2 * Accumulator.limit) * Double(Accumulator.bins)).rounded(.down))
        return min(Accumulator.bins - 1, max(0, b))
    }

    public mutating func add(_ x: Double) {
        let q = quantise(x)
        count += 1
        sum += q
        sumOfSquares += q * q
        let b = bin(x)
        binCounts[b] += 1
        binSums[b] += q
    }

    /// Exact: the result does not depend on how trials were grouped.
    public mutating func merge(_ other: Accumulator) {
        precondition(resolution == other.resolution && histogramScale == other.histogramScale)
        count += other.count
        sum += other.sum
        sumOfSquares += other.sumOfSquares
        for b in binCounts.indices {
            binCounts[b] += other.binCounts[b]
            binSums[b] += other.binSums[b]
        }
    }

    /// True when no value below zero was added (the interval of such a metric is clamped at 0).
    public var nonNegative: Bool { binCounts[0..<(Accumulator.bins / 2)].allSatisfy { $0 == 0 } }

    public var mean: Double { count > 0 ? Double(sum) * resolution / Double(count) : .nan }

    /// Sample variance (n − 1).
    public var variance: Double {
        guard count > 1 else { return .nan }
        let n = Double(count), s = Double(sum), ss = Double(sumOfSquares)
        return max(0, (ss - s * s / n) / (n - 1)) * resolution * resolution
    }

    public var standardError: Double { count > 1 ? (variance / Double(count)).squareRoot() : .nan }

    /// The q-quantile (0…1) from the histogram: the mean of the values in the bin that holds it.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return .nan }
        let target = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for b in binCounts.indices where binCounts[b] > 0 {
            seen += binCounts[b]
            if seen >= target { return Double(binSums[b]) * resolution / Double(binCounts[b]) }
        }
        return mean
    }

    /// Mean of the worst (highest) `tail` fraction of values (CVaR), from the histogram's bin sums.
    public func conditionalValueAtRisk(tail: Double) -> Double {
        guard count > 0 else { return .nan }
        let wanted = max(1.0, tail * Double(count))
        var taken = 0.0, total = 0.0
        for b in binCounts.indices.reversed() where binCounts[b] > 0 {
            let c = Double(binCounts[b])
            let use = min(c, wanted - taken)
            total += Double(binSums[b]) * resolution * use / c
            taken += use
            if taken >= wanted { break }
        }
        return total / taken
    }
}
