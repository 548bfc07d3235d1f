// Exact LOLE and EUE of a single-region system without storage, by a capacity outage probability table
// (COPT): the distribution of capacity on forced outage is the convolution of every unit's two-state
// distribution (out with probability FOR). Units are placed on a grid of `resolutionMW`; a table is built
// for each distinct set of hourly unit capacities and reused. Demand is the scenario's deterministic
// demand after TOU response; energy limits (hydro budgets, fuel stocks) and demand response are not
// modelled here, so it is a second opinion for adequacy, not a substitute for the Monte Carlo.
import GridModel
import GridSim

public enum ExactAdequacyError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self { case .unsupported(let why): return "the exact method needs \(why)" }
    }
}

public struct ExactAdequacyResult: Sendable {
    /// Expected hours (event steps × step length) with a shortfall.
    public var lole: Double
    /// Expected unserved energy, MWh.
    public var eue: Double
    public var lolpByStep: [Double]
    public var eueByStep: [Double]
    public var tablesBuilt: Int
}

public enum ExactAdequacy {
    /// Largest table (grid points of stochastic capacity), and the most table entries kept in the cache:
    /// a finer grid is refused with the resolution that fits, rather than allocating without bound.
    public static let maxTableEntries = 20_000_000
    static let maxCachedEntries = 50_000_000

    public static func compute(plan: SimulationPlan, resolutionMW: Double = 1) throws(ExactAdequacyError) -> ExactAdequacyResult {
        let s = plan.scenario
        guard s.regions.count == 1 else { throw .unsupported("a single region (this scenario has \(s.regions.count))") }
        guard s.storage.isEmpty else { throw .unsupported("a system without storage (this scenario has \(s.storage.count))") }
        let shiftable = s.regions.reduce(0) { $0 + $1.shiftable.count }
        guard shiftable == 0 else { throw .unsupported("a system without shiftable demand response (this scenario has \(shiftable == 1 ? "one programme" : "\(shiftable) programmes"))") }
        let levels = s.plants.filter { $0.reservoir != nil }.count
        guard levels == 0 else { throw .unsupported("a system without reservoir levels (this scenario has \(levels == 1 ? "one reservoir" : "\(levels) reservoirs") with levels)") }
        guard resolutionMW > 0 else { throw .unsupported("a positive resolution") }
        let dt = s.stepHours
        // The year's hydrological class scales the available MW of the plants that follow it (not the
        // reservoirs, whose class acts on energy, which this method does not model): one COPT pass per class,
        // weighted by its probability, as the Monte Carlo draws one class per trial year.
        let follows = s.plants.map { $0.followsHydrology && $0.hydroMonthlyEnergyMWh == nil }
        let total = s.stochastic.inflowClasses.reduce(0) { $0 + $1.probability }
        var mixture: [(weight: Double, factor: Double)] = [(1, 1)]
        if follows.contains(true), total > 0, s.stochastic.inflowClasses.contains(where: { $0.energyFactor != 1 }) {
            mixture = s.stochastic.inflowClasses.filter { $0.probability > 0 }.map { ($0.probability / total, $0.energyFactor) }
        }
        var lolp = [Double](repeating: 0, count: s.stepCount)
        var eue = [Double](repeating: 0, count: s.stepCount)
        var built = 0
        for (weight, factor) in mixture {
            var cache: [[Int]: (table: [Double], totalUnits: Int)] = [:]
            var key = [Int](repeating: 0, count: s.plants.count)
            var cachedEntries = 0
            for t in 0..<s.stepCount {
                // Unit capacities on the grid (stochastic plants) and the deterministic capacity.
                var deterministic = 0.0
                for (i, p) in s.plants.enumerated() {
                    let availableMW = follows[i] ? min(p.capacityMW, plan.plantAvailableMW[i][t] * factor) : plan.plantAvailableMW[i][t]
                    let unitMW = p.units > 0 ? availableMW / Double(p.units) : 0
                    if p.forcedOutageRate > 0 && s.stochastic.forcedOutages {
                        key[i] = Int((unitMW / resolutionMW).rounded())
                    } else {
                        key[i] = 0
                        deterministic += unitMW * Double(p.units)
                    }
                }
                var gridUnits = 0.0
                for (i, p) in s.plants.enumerated() { gridUnits += Double(key[i]) * Double(p.units) }
                if gridUnits > Double(maxTableEntries) {
                    let stochasticMW = gridUnits * resolutionMW
                    let coarsest = stochasticMW / Double(maxTableEntries)
                    throw .unsupported("a coarser --resolution-mw: \(Int(stochasticMW.rounded())) MW of units on outage risk on a \(resolutionMW) MW grid is a table of \(String(format: "%.3g", gridUnits)) entries (at most \(maxTableEntries)); use at least \((coarsest * 1000).rounded(.up) / 1000) MW")
                }
                let entry: (table: [Double], totalUnits: Int)
                if let cached = cache[key] { entry = cached } else {
                    // table[x] = P(x grid units on outage)
                    var table: [Double] = [1]
                    var totalUnits = 0
                    built += 1
                    for (i, p) in s.plants.enumerated() where key[i] > 0 {
                        let k = key[i], q = p.forcedOutageRate
                        for _ in 0..<p.units {
                            var next = [Double](repeating: 0, count: table.count + k)
                            for x in table.indices {
                                next[x] += table[x] * (1 - q)
                                next[x + k] += table[x] * q
                            }
                            table = next
                            totalUnits += k
                        }
                    }
                    entry = (table, totalUnits)
                    if cachedEntries + table.count <= maxCachedEntries { cache[key] = entry; cachedEntries += table.count }
                }
                let demand = plan.demandMW[0][t]
                for x in entry.table.indices {
                    let available = Double(entry.totalUnits - x) * resolutionMW + deterministic
                    let short = demand - available
                    if short > 1e-9 {
                        lolp[t] += weight * entry.table[x]
                        eue[t] += weight * entry.table[x] * short * dt
                    }
                }
            }
        }
        return ExactAdequacyResult(lole: lolp.reduce(0, +) * dt, eue: eue.reduce(0, +), lolpByStep: lolp, eueByStep: eue, tablesBuilt: built)
    }
}
