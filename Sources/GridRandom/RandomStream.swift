// Random streams and distributions over GSL. GSL pointers never leave this module; GSL's aborting
// error handler is switched off the first time a stream is made.
import CGSL

private let gslErrorHandlerOff: Void = { _ = gsl_set_error_handler_off() }()

/// One independent random stream (GSL's Mersenne Twister, mt19937). Not shared between tasks: each
/// trial gets its own stream, seeded from (seed, trial) by `RandomStream.seed(for:trial:)`.
public final class RandomStream {
    private let rng: OpaquePointer

    public init(seed: UInt64) {
        _ = gslErrorHandlerOff
        guard let r = gsl_rng_alloc(r70_gsl_rng_mt19937()) else { fatalError("gsl_rng_alloc failed (out of memory)") }
        rng = OpaquePointer(r)
        gsl_rng_set(UnsafePointer(rng), UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(UnsafeMutablePointer(rng)) }

    /// Restarts the stream from `seed` (no allocation).
    public func reseed(_ seed: UInt64) { gsl_rng_set(UnsafePointer(rng), UInt(truncatingIfNeeded: seed)) }

    /// A 64-bit seed for trial `trial` of a study seeded with `seed` (SplitMix64 of both), so that
    /// trial i's stream is the same whatever thread or shard runs it.
    public static func seed(for seed: UInt64, trial: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (trial &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private var ptr: UnsafePointer<gsl_rng> { UnsafePointer(rng) }

    /// Uniform on [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(ptr) }
    /// Uniform on (0, 1).
    public func uniformPositive() -> Double { gsl_rng_uniform_pos(ptr) }
    /// Exponential with the given mean.
    public func exponential(mean: Double) -> Double { gsl_ran_exponential(ptr, mean) }
    /// Normal with mean 0 and standard deviation `sigma`.
    public func gaussian(sigma: Double) -> Double { gsl_ran_gaussian_ziggurat(ptr, sigma) }
    /// True with probability `p`.
    public func bernoulli(_ p: Double) -> Bool { gsl_ran_bernoulli(ptr, p) == 1 }
    /// Geometric on 1, 2, …: the number of trials up to and including the first success of probability p.
    public func geometric(_ p: Double) -> Int {
        if p >= 1 { return 1 }
        if p <= 0 { return Int.max }
        return Int(gsl_ran_geometric(ptr, p))
    }
    /// Poisson with mean `mu`.
    public func poisson(mean: Double) -> Int { Int(gsl_ran_poisson(ptr, mean)) }
    /// An index drawn with the given (not necessarily normalised, non-negative) weights.
    public func categorical(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var u = uniform() * total
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.count - 1
    }
}

/// Summary statistics over GSL.
public enum Statistics {
    public static func mean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        return xs.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    }

    /// Sample standard deviation (n − 1 in the denominator); NaN for fewer than two values.
    public static func standardDeviation(_ xs: [Double]) -> Double {
        guard xs.count >= 2 else { return .nan }
        return xs.withUnsafeBufferPointer { gsl_stats_sd($0.baseAddress, 1, $0.count) }
    }

    /// The `q`-quantile (0...1) by linear interpolation between order statistics.
    public static func quantile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return .nan }
        var sorted = xs
        sorted.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
        return sorted.withUnsafeBufferPointer { gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, q) }
    }

    /// The two-sided standard normal quantile, e.g. 1.96 for 0.95.
    public static func normalQuantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
}
