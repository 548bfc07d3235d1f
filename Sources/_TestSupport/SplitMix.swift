// Test support (not API): a small, fast, deterministic generator for test cases (SplitMix64).

public struct SplitMix: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    public mutating func chance(_ p: Double) -> Bool { uniform() < p }
    public mutating func pick<T>(_ xs: [T]) -> T { xs[Int(next() % UInt64(xs.count))] }
}

/// The smallest valid scenario (one region, one plant, a day): tests edit it into the cases they need.
public let minimalScenarioText = """
name: t
horizon: {start_date: 2030-01-07, duration_hours: 24}
regions:
  - name: R
    demand: {peak_mw: 100}
    plants:
      - {name: g, technology: flexible, unit_size_mw: 200, marginal_cost_usd_per_mwh: 50}

"""
