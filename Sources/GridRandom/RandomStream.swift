// Random streams and distributions over GSL. GSL pointers never leave this module; GSL's aborting
// error handler is switched off the first time a stream is made.
//
// The generator is Philox4x32-10 (Random123's counter-based generator, `CPhilox`), exposed to GSL as a
// generator type so that GSL stays the distribution library. A stream is named by three numbers:
// the study seed (Philox's 64-bit key), the trial (64 bits of the counter) and a stream id (40 bits of
// the counter, derived from a device's or process's name by `StreamID`); the remaining 24 bits count
// blocks within the stream. The map from (seed, trial, stream id, block) to (key, counter) is one to
// one, so no two trials of any seed, and no two named streams of a trial, share a number.
import CGSL
import CPhilox

private let gslErrorHandlerOff: Void = { _ = gsl_set_error_handler_off() }()

/// The id of one named stream: 40 bits of a hash of its kind, its name and an index (a unit of a plant,
/// a circuit of a corridor). Ids come from names, never from list positions, so adding, removing or
/// reordering one device leaves every other device's stream as it was.
public struct StreamID: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64
    public let label: String

    /// Ids above 40 bits are not representable in the counter.
    public static let bits = 40

    public init(kind: String, name: String, index: Int = 0) {
        // FNV-1a (64 bits) over "kind␟name␟index", then SplitMix64's finaliser to spread the bits.
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(kind)\u{1F}\(name)\u{1F}\(index)".utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        value = h & ((1 << UInt64(StreamID.bits)) - 1)
        label = index == 0 ? "\(kind) \(name)" : "\(kind) \(name) #\(index)"
    }

    /// An id given as a number (tests).
    public init(raw: UInt64) {
        precondition(raw >> UInt64(StreamID.bits) == 0, "a stream id has \(StreamID.bits) bits")
        value = raw
        label = "stream \(raw)"
    }

    public var description: String { label }
}

/// One random stream. Not shared between tasks: a worker owns its streams and sets them to each trial.
public final class RandomStream {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// Stream 0 of trial 0 of a study seeded with `seed`.
    public convenience init(seed: UInt64) {
        self.init(seed: seed, trial: 0, stream: StreamID(raw: 0))
    }

    public init(seed: UInt64, trial: UInt64, stream: StreamID) {
        _ = gslErrorHandlerOff
        guard let r = gsl_rng_alloc(r70_gsl_rng_philox()) else { fatalError("gsl_rng_alloc failed (out of memory)") }
        rng = r
        set(seed: seed, trial: trial, stream: stream)
    }

    deinit { gsl_rng_free(rng) }

    /// Moves the stream to the start of (seed, trial, stream) (no allocation).
    public func set(seed: UInt64, trial: UInt64, stream: StreamID) {
        r70_philox_set_stream(rng, seed, trial, stream.value)
    }

    /// Blocks of four numbers drawn since the stream was set.
    public var blocksUsed: Int { Int(r70_philox_blocks_used(rng)) }
    /// True once the stream ran past its 2²⁴ blocks (it then repeats its own numbers, never another's).
    public var exhausted: Bool { r70_philox_exhausted(rng) != 0 }

    private var ptr: UnsafePointer<gsl_rng> { UnsafePointer(rng) }

    /// The next raw 32-bit output.
    public func next32() -> UInt32 { UInt32(truncatingIfNeeded: gsl_rng_get(ptr)) }
    /// Uniform on [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(ptr) }
    /// Exponential with the given mean.
    public func exponential(mean: Double) -> Double { gsl_ran_exponential(ptr, mean) }
    /// Normal with mean 0 and standard deviation `sigma`.
    public func gaussian(sigma: Double) -> Double { gsl_ran_gaussian_ziggurat(ptr, sigma) }
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

/// The raw Philox4x32-10 block function and the counter layout, for known-answer and key-derivation tests.
public enum Philox {
    public static func block(counter: [UInt32], key: [UInt32]) -> [UInt32] {
        precondition(counter.count == 4 && key.count == 2)
        var out = [UInt32](repeating: 0, count: 4)
        counter.withUnsafeBufferPointer { c in
            key.withUnsafeBufferPointer { k in
                out.withUnsafeMutableBufferPointer { o in r70_philox4x32_10(c.baseAddress, k.baseAddress, o.baseAddress) }
            }
        }
        return out
    }

    /// The counter words of block `block` of stream `stream` of trial `trial` (the key is the seed).
    public static func counter(trial: UInt64, stream: UInt64, block: UInt32) -> [UInt32] {
        var c = [UInt32](repeating: 0, count: 4)
        c.withUnsafeMutableBufferPointer { r70_philox_counter(trial, stream, block, $0.baseAddress) }
        return c
    }

    /// Blocks per stream and trial before the stream repeats itself.
    public static let blocksPerStream = 1 << 24
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
