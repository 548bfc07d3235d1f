// Reservoirs with levels: their inflows per hydrological class, and the guide level path each follows.
import GridModel
import Foundation

/// The reservoirs of a plan (plants with `Plant.reservoir`), computed once per plan and read by every run.
///
/// Class index c: 0 is the scenario's own year (deterministic runs: its monthly inflows as given); c = k + 1 is
/// the Monte Carlo's hydrological class k (inflows × the class's factor for the month, for plants that follow
/// hydrology).
///
/// The guide: for each reservoir, a level at the end of each day of the horizon and the day's planned generation,
/// from water-filling the expected regional net load of the scenario's own year within the level limits
/// (`ReservoirGuide.solve`). Every trial follows it, whatever its hydrological class: the operator does not know
/// the year's class on its first day, and the level's gap to the guide adjusts the releases as the year unfolds.
public struct ReservoirTables: Sendable {
    /// Plant index of each reservoir (ascending), and each plant's reservoir slot (−1: none).
    public let plants: [Int]
    public let slotOfPlant: FixedArray<Int>
    public let classCount: Int
    public let dayCount: Int
    /// Each step's month of the horizon (0 for the horizon's first month), and the number of months.
    public let stepMonth: FixedArray<Int>
    public let monthCount: Int
    /// Inflow MW by [(c * J + j) * monthCount + month of the horizon] (the month's MWh over that month's hours).
    public let inflowMW: FixedArray<Double>
    /// Guide level at the end of day d, and the guide's generation on day d (MWh), by [j * days + d].
    public let guideLevelMWh: FixedArray<Double>
    public let guideReleaseMWh: FixedArray<Double>
    public let deadMWh: [Double]
    public let maxMWh: [Double]
    public let initialMWh: [Double]
    public let minReleaseMW: [Double]
    /// Each reservoir's rank by plant name, over the number of reservoirs (in [0, 1)).
    public let nameRankFraction: [Double]

    @inline(__always) public func inflow(class c: Int, slot j: Int, step t: Int) -> Double {
        inflowMW[(c * plants.count + j) * monthCount + stepMonth[t]]
    }
    @inline(__always) func guideIndex(slot j: Int, day d: Int) -> Int { j * dayCount + d }

    /// The guide level path of reservoir slot j (one value per day, the level at the day's end).
    public func guidePath(slot j: Int) -> [Double] {
        (0..<dayCount).map { guideLevelMWh[guideIndex(slot: j, day: $0)] }
    }

    init(scenario s: Scenario, netLoadMW: [[Double]], plantAvailableMW: [StepSeries], plantDerate: [Double], minOutputByMonthMW: FixedArray<Double>) {
        let P = s.plants.count
        let plants = s.plants.indices.filter { s.plants[$0].reservoir != nil }
        self.plants = plants
        var slot = [Int](repeating: -1, count: P)
        for (j, i) in plants.enumerated() { slot[i] = j }
        slotOfPlant = FixedArray(slot)
        let J = plants.count
        let classes = s.stochastic.inflowClasses
        classCount = classes.count + 1
        let cal = s.calendar, steps = s.stepCount, dt = s.stepHours
        dayCount = cal.dayCount
        // The horizon's months (year, month), and each step's.
        var months: [(year: Int, month: Int)] = []
        var monthOfStep = [Int](repeating: 0, count: steps)
        for t in 0..<steps {
            let date = cal.date(ofDay: Int(cal.day[t]))
            if months.last.map({ $0 != (date.year, date.month) }) ?? true { months.append((date.year, date.month)) }
            monthOfStep[t] = months.count - 1
        }
        stepMonth = FixedArray(monthOfStep)
        let M = max(1, months.count)
        monthCount = M
        var inflow = [Double](repeating: 0, count: classCount * J * M)
        for c in 0..<classCount {
            for (j, i) in plants.enumerated() {
                let p = s.plants[i]
                for (k, ym) in months.enumerated() {
                    let factor = c == 0 || !p.followsHydrology ? 1 : classes[c - 1].factor(month: ym.month - 1)
                    let hours = Double(CivilDate.daysIn(month: ym.month, year: ym.year) * 24)
                    inflow[(c * J + j) * M + k] = p.hydroMonthlyEnergyMWh![ym.month - 1] * factor / hours
                }
            }
        }
        inflowMW = FixedArray(inflow)
        deadMWh = plants.map { s.plants[$0].reservoir!.deadMWh }
        maxMWh = plants.map { s.plants[$0].reservoir!.maxMWh }
        initialMWh = plants.map { s.plants[$0].reservoir!.initialMWh }
        minReleaseMW = plants.map { s.plants[$0].reservoir!.minReleaseMW }
        let byName = plants.indices.sorted { s.plants[plants[$0]].name < s.plants[plants[$1]].name }
        var rank = [Double](repeating: 0, count: J)
        for (k, j) in byName.enumerated() { rank[j] = Double(k) / Double(max(1, J)) }
        nameRankFraction = rank
        // Per day: its steps, and per reservoir the expected turbine MW and must-run.
        let D = dayCount
        var dayStart = [Int](repeating: steps, count: D + 1)
        for t in (0..<steps).reversed() { dayStart[Int(cal.day[t])] = t }
        dayStart[D] = steps
        for d in stride(from: D - 1, through: 0, by: -1) where dayStart[d] > dayStart[d + 1] { dayStart[d] = dayStart[d + 1] }
        var level = [Double](repeating: 0, count: J * D)
        var release = [Double](repeating: 0, count: J * D)
        // Reservoirs are filled in name order (each sees the net load less the guides of those before it in its
        // region), so the guide does not depend on the order plants are listed in.
        let order = plants.indices.sorted { s.plants[plants[$0]].name < s.plants[plants[$1]].name }
        do {
            let c = 0
            var net = netLoadMW
            for j in order {
                let i = plants[j], r = s.plants[i].region, res = s.plants[i].reservoir!
                var problem = ReservoirGuide.Problem(count: D, startMWh: res.initialMWh, endMWh: res.endMWh, deadMWh: res.deadMWh, maxMWh: res.maxMWh)
                for d in 0..<D {
                    var hours = 0.0, netSum = 0.0
                    for t in dayStart[d]..<dayStart[d + 1] {
                        let m = Int(cal.month[t]) - 1
                        let turbine = plantAvailableMW[i][t] * plantDerate[i]
                        let mustRun = min(minOutputByMonthMW[i * 12 + m], turbine)
                        problem.inflowMWh[d] += inflow[(c * J + j) * M + monthOfStep[t]] * dt - max(0, res.minReleaseMW - turbine) * dt
                        problem.lowMWh[d] += mustRun * dt
                        problem.highMWh[d] += turbine * dt
                        hours += dt
                        netSum += net[r][t]
                    }
                    problem.hours[d] = hours
                    problem.netLoadMW[d] = hours > 0 ? netSum * dt / hours : 0
                }
                let guide = ReservoirGuide.solve(problem)
                for d in 0..<D {
                    level[j * D + d] = guide.levelMWh[d]
                    release[j * D + d] = guide.releaseMWh[d]
                    let mw = problem.hours[d] > 0 ? guide.releaseMWh[d] / problem.hours[d] : 0
                    for t in dayStart[d]..<dayStart[d + 1] { net[r][t] -= mw }
                }
            }
        }
        guideLevelMWh = FixedArray(level)
        guideReleaseMWh = FixedArray(release)
    }
}

/// Water-filling of one reservoir's releases over days: minimise Σ_d hours_d · (n_d − x_d / hours_d)² — flatten
/// the net load left to other plants — subject to low_d ≤ x_d ≤ high_d, the level L_d = L_{d−1} + inflow_d − x_d
/// − spill_d within [dead, max], and the end level. Without level limits the optimum is x_d = clamp((n_d − λ) ·
/// hours_d, low_d, high_d) for the λ that releases the water available (bisection). With them, a segment whose
/// path breaks a limit is split at the day of its worst breach, which is held at the limit (dead level, or the
/// maximum, so that no spill a release could avoid remains), and each side is filled again.
public enum ReservoirGuide {
    public struct Problem {
        public var count: Int
        public var startMWh, endMWh, deadMWh, maxMWh: Double
        public var inflowMWh: [Double], lowMWh: [Double], highMWh: [Double], hours: [Double], netLoadMW: [Double]
        public init(count: Int, startMWh: Double, endMWh: Double, deadMWh: Double, maxMWh: Double) {
            self.count = count; self.startMWh = startMWh; self.endMWh = endMWh; self.deadMWh = deadMWh; self.maxMWh = maxMWh
            let z = [Double](repeating: 0, count: count)
            inflowMWh = z; lowMWh = z; highMWh = z; hours = z; netLoadMW = z
        }
    }

    public struct Solution {
        public var releaseMWh: [Double]
        /// The level at the end of each day (after spill).
        public var levelMWh: [Double]
        public var spillMWh: [Double]
    }

    public static func solve(_ p: Problem) -> Solution {
        var x = [Double](repeating: 0, count: p.count)
        let tolerance = 1e-9 * max(1, p.maxMWh)
        // Segments to fill: (range, start level, end level).
        var stack: [(Range<Int>, Double, Double)] = p.count > 0 ? [(0..<p.count, p.startMWh, p.endMWh)] : []
        while let (range, start, end) = stack.popLast() {
            fill(p, range: range, water: start + range.reduce(0) { $0 + p.inflowMWh[$1] } - end, into: &x)
            // The path's worst breach of each limit inside the segment (its last day is held by the end level).
            var level = start
            var low = (gap: -tolerance, day: -1), high = (gap: tolerance, day: -1)
            for d in range.dropLast() {
                level += p.inflowMWh[d] - x[d]
                if level - p.deadMWh < low.gap { low = (level - p.deadMWh, d) }
                if level - p.maxMWh > high.gap { high = (level - p.maxMWh, d) }
            }
            if low.day >= 0 {
                stack.append((range.lowerBound..<(low.day + 1), start, p.deadMWh))
                stack.append(((low.day + 1)..<range.upperBound, p.deadMWh, end))
            } else if high.day >= 0 {
                stack.append((range.lowerBound..<(high.day + 1), start, p.maxMWh))
                stack.append(((high.day + 1)..<range.upperBound, p.maxMWh, end))
            }
        }
        // The path with these releases: never below dead (a release the water cannot give is cut), spill above max.
        var out = Solution(releaseMWh: x, levelMWh: x, spillMWh: [Double](repeating: 0, count: p.count))
        var level = p.startMWh
        for d in 0..<p.count {
            let water = max(0, level + p.inflowMWh[d] - p.deadMWh)
            let r = min(x[d], water)
            out.releaseMWh[d] = r
            level += p.inflowMWh[d] - r
            if level > p.maxMWh { out.spillMWh[d] = level - p.maxMWh; level = p.maxMWh }
            level = max(level, p.deadMWh)
            out.levelMWh[d] = level
        }
        return out
    }

    /// x_d = clamp((n_d − λ) · hours_d, low_d, high_d) over `range` with Σ x_d = water (or the nearest bound).
    static func fill(_ p: Problem, range: Range<Int>, water: Double, into x: inout [Double]) {
        var lowSum = 0.0, highSum = 0.0
        for d in range { lowSum += p.lowMWh[d]; highSum += max(p.lowMWh[d], p.highMWh[d]) }
        if water <= lowSum { for d in range { x[d] = p.lowMWh[d] }; return }
        if water >= highSum { for d in range { x[d] = max(p.lowMWh[d], p.highMWh[d]) }; return }
        var lo = Double.infinity, hi = -Double.infinity
        for d in range {
            let h = max(p.hours[d], 1e-9)
            lo = min(lo, p.netLoadMW[d] - max(p.lowMWh[d], p.highMWh[d]) / h)
            hi = max(hi, p.netLoadMW[d])
        }
        func released(_ lambda: Double) -> Double {
            var sum = 0.0
            for d in range { sum += min(max(p.lowMWh[d], p.highMWh[d]), max(p.lowMWh[d], (p.netLoadMW[d] - lambda) * p.hours[d])) }
            return sum
        }
        // released(λ) falls as λ rises: from highSum at `lo` to lowSum at `hi`.
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi)
            if released(mid) > water { lo = mid } else { hi = mid }
            if hi - lo <= 1e-9 * max(1, abs(hi)) { break }
        }
        let lambda = 0.5 * (lo + hi)
        var sum = 0.0
        for d in range {
            x[d] = min(max(p.lowMWh[d], p.highMWh[d]), max(p.lowMWh[d], (p.netLoadMW[d] - lambda) * p.hours[d]))
            sum += x[d]
        }
        // The bisection's last rounding, spread over the days not at a bound.
        let free = range.filter { x[$0] > p.lowMWh[$0] && x[$0] < p.highMWh[$0] }
        if !free.isEmpty { for d in free { x[d] += (water - sum) / Double(free.count) } }
    }
}
