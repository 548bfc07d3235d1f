// Capacity credit of a resource (NREL PRAS's definitions) and the size of a key that meets a target, by
// bisection over Monte Carlo studies that share their draws (common random numbers: each device draws
// from its own streams, so systems that differ by one resource or one size differ by it alone).
//
// EFC (equivalent firm capacity): the size of a perfectly available generator, in the resource's region,
// that gives the system without the resource the metric the system with it has. ELCC (effective load
// carrying capability): the constant load, in the resource's region, that the system with the resource
// carries at the metric the system without it has. As in PRAS's `assess(…, EFC/ELCC, …)`: bisection in
// [0, capacity max], stopped when the bracket is within the gap, or when the metrics at its two ends no
// longer differ significantly (one-sided test at `pValue`; here a paired test over the trials, which
// common random numbers make far more powerful than an unpaired one).
import Foundation
import GridModel
import GridSim

public enum CapacityCreditMethod: String, Sendable, CaseIterable { case efc, elcc }
public enum AdequacyMetric: String, Sendable, CaseIterable { case eue, lole }

/// One evaluated system: the MW of firm capacity (EFC) or of added load (ELCC), its metric and error.
public struct CapacityCreditStep: Codable, Sendable {
    public var capacityMW: Double
    public var metric: Double
    public var standardError: Double
}

public struct CapacityCreditResult: Codable, Sendable {
    public var resource: String
    public var region: String
    public var method: String
    public var metric: String
    /// The metric the bracket aims at (the system with the resource for EFC, without it for ELCC).
    public var target: Double
    public var targetStandardError: Double
    /// The capacity credit lies in [lower, upper] MW.
    public var lowerMW: Double
    public var upperMW: Double
    /// The resource's installed capacity (MW), for the credit as a fraction.
    public var resourceCapacityMW: Double
    /// The paired test's p-value between the metrics at the bracket's ends when the search stopped.
    public var pValue: Double
    public var stoppedBecause: String
    /// False when even `capacity max` does not reach the target: the credit is above the bracket.
    public var withinMaximum: Bool
    public var trials: Int
    public var seed: UInt64
    public var steps: [CapacityCreditStep]
}

public enum CapacityCreditError: Error, CustomStringConvertible {
    case noSuchResource(String, [String])
    case simulation(Error)
    public var description: String {
        switch self {
        case .noSuchResource(let name, let names): return "no plant or storage named '\(name)' (the names: \(names.joined(separator: ", ")))"
        case .simulation(let e): return "\(e)"
        }
    }
}

public enum CapacityCredit {
    /// The metric of each trial of a study of `scenario` (LOLE in hours or EUE in MWh per trial).
    static func trialValues(_ scenario: Scenario, metric: AdequacyMetric, options: MonteCarloOptions) throws -> [Double] {
        let plan = SimulationPlan(scenario: scenario)
        var o = options
        o.adequacyOnly = plan.isStateless
        let index = MetricCatalog(plan: plan, adequacyOnly: o.adequacyOnly).index(of: metric.rawValue)!
        let values = TrialCollector(count: o.trials)
        _ = try MonteCarlo.run(plan: plan, options: o, sample: { trial, v in values.set(trial, v[index]) })
        return values.values
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(1, x.count)) }
    static func standardError(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1) / Double(x.count)).squareRoot()
    }

    /// One-sided p-value that the mean of `higher − lower` (paired by trial) is not above 0.
    static func pValue(higher: [Double], lower: [Double]) -> Double {
        let d = zip(higher, lower).map { $0 - $1 }
        let m = mean(d), se = standardError(d)
        if !(se > 0) { return m > 0 ? 0 : 1 }
        return 0.5 * erfc(m / se / 2.0.squareRoot())
    }

    /// The scenario without the plant or storage `name`, its region and its capacity (MW).
    public static func without(_ s: Scenario, resource name: String) throws -> (scenario: Scenario, region: Int, capacityMW: Double) {
        var t = s
        if let i = s.plants.firstIndex(where: { $0.name == name }) {
            t.plants.remove(at: i)
            return (t, s.plants[i].region, s.plants[i].capacityMW)
        }
        if let i = s.storage.firstIndex(where: { $0.name == name }) {
            t.storage.remove(at: i)
            return (t, s.storage[i].region, s.storage[i].powerMW)
        }
        throw CapacityCreditError.noSuchResource(name, s.plants.map(\.name) + s.storage.map(\.name))
    }

    /// The scenario without every plant and store of `technology` (a plant technology, or `battery` /
    /// `pumped_hydro` for storage), and their capacity (MW). Plants behind the meter (rooftops) stay: they
    /// lower the load and carry no credit of their technology.
    public static func without(_ s: Scenario, technology: String) throws -> (scenario: Scenario, capacityMW: Double) {
        var t = s
        let counted = { (p: Plant) in p.technology.rawValue == technology && !p.behindTheMeter }
        t.plants = s.plants.filter { !counted($0) }
        t.storage = s.storage.filter { $0.technology != technology }
        let capacity = s.plants.filter(counted).reduce(0.0) { $0 + $1.capacityMW }
            + s.storage.filter { $0.technology == technology }.reduce(0.0) { $0 + $1.powerMW }
        if t.plants.count == s.plants.count && t.storage.count == s.storage.count {
            throw CapacityCreditError.noSuchResource(technology, Array(Set(s.plants.map(\.technology.rawValue) + s.storage.map(\.technology))).sorted())
        }
        return (t, capacity)
    }

    /// Each region's peak demand over the sum of the regions' peaks: where a national fleet's firm capacity or
    /// load goes.
    public static func peakShares(_ s: Scenario) -> [Double] {
        let peaks = s.regions.map { $0.demandMW.max() ?? 0 }
        let total = peaks.reduce(0, +)
        return total > 0 ? peaks.map { $0 / total } : peaks.map { _ in 1 / Double(max(1, peaks.count)) }
    }

    /// `s` with a perfectly available generator of `mw` in `region` (never out, always available, dearer than
    /// any plant of the scenario but below the lowest VOLL).
    public static func withFirmCapacity(_ s: Scenario, region: Int, mw: Double) -> Scenario {
        var weights = [Double](repeating: 0, count: s.regions.count)
        weights[region] = 1
        return withFirmCapacity(s, weights: weights, mw: mw)
    }

    /// `s` with perfectly available generators of `mw` in all, split between the regions by `weights`.
    public static func withFirmCapacity(_ s: Scenario, weights: [Double], mw: Double) -> Scenario {
        guard mw > 0 else { return s }
        var t = s
        let cost = s.plants.map(\.marginalCostUSDPerMWh).max() ?? 0
        for (r, w) in weights.enumerated() where w > 0 {
            t.plants.append(Plant(name: weights.filter { $0 > 0 }.count == 1 ? "_firm_capacity" : "_firm_capacity_\(s.regions[r].name)", region: r,
                                  technology: .flexible, units: 1, unitSizeMW: mw * w, marginalCostUSDPerMWh: cost,
                                  fuel: nil, fuelTonnesPerMWh: 0, heatRateGJPerMWh: nil, emissionTPerMWh: 0,
                                  availability: StepSeries(constant: 1, count: s.stepCount), forcedOutageRate: 0, meanTimeToRepairHours: 1,
                                  capacityCredit: 1, minOutputMW: 0, hydroMonthlyEnergyMWh: nil, clean: false, followsHydrology: false))
        }
        return t
    }

    /// `s` with `mw` more demand in `region` in every step.
    public static func withAddedLoad(_ s: Scenario, region: Int, mw: Double) -> Scenario {
        var weights = [Double](repeating: 0, count: s.regions.count)
        weights[region] = 1
        return withAddedLoad(s, weights: weights, mw: mw)
    }

    /// `s` with `mw` more demand in all in every step, split between the regions by `weights`.
    public static func withAddedLoad(_ s: Scenario, weights: [Double], mw: Double) -> Scenario {
        guard mw > 0 else { return s }
        var t = s
        for (r, w) in weights.enumerated() where w > 0 { t.regions[r].demandMW = t.regions[r].demandMW.map { $0 + mw * w } }
        return t
    }

    /// The capacity credit of the plant or storage `resource` of `scenario`.
    public static func assess(_ scenario: Scenario, resource: String, method: CapacityCreditMethod, metric: AdequacyMetric,
                              capacityMaxMW: Double?, gapMW: Double, pValue threshold: Double, options: MonteCarloOptions,
                              progress: ((String) -> Void)? = nil) throws -> CapacityCreditResult {
        let (base, region, capacity) = try without(scenario, resource: resource)
        return try assess(augmented: scenario, baseline: base, region: region, resource: resource, resourceCapacityMW: capacity, method: method,
                          metric: metric, capacityMaxMW: capacityMaxMW, gapMW: gapMW, pValue: threshold, options: options, progress: progress)
    }

    /// The capacity credit of what distinguishes `augmented` from `baseline` (PRAS's `assess(sys_baseline,
    /// sys_augmented, …)`), with the firm capacity (EFC) or the load (ELCC) in `region`.
    public static func assess(augmented scenario: Scenario, baseline base: Scenario, region: Int, resource: String, resourceCapacityMW capacity: Double,
                              method: CapacityCreditMethod, metric: AdequacyMetric, capacityMaxMW: Double?, gapMW: Double,
                              pValue threshold: Double, options: MonteCarloOptions, progress: ((String) -> Void)? = nil) throws -> CapacityCreditResult {
        var weights = [Double](repeating: 0, count: scenario.regions.count)
        weights[region] = 1
        return try assess(augmented: scenario, baseline: base, weights: weights, place: scenario.regions[region].name, resource: resource,
                          resourceCapacityMW: capacity, method: method, metric: metric, capacityMaxMW: capacityMaxMW, gapMW: gapMW,
                          pValue: threshold, options: options, progress: progress)
    }

    /// The capacity credit of a whole technology (every plant or store of it), with the firm capacity (EFC) or
    /// the load (ELCC) spread over the regions by their share of the national peak.
    public static func assess(_ scenario: Scenario, technology: String, method: CapacityCreditMethod, metric: AdequacyMetric,
                              capacityMaxMW: Double?, gapMW: Double, pValue threshold: Double, options: MonteCarloOptions,
                              progress: ((String) -> Void)? = nil) throws -> CapacityCreditResult {
        let (base, capacity) = try without(scenario, technology: technology)
        return try assess(augmented: scenario, baseline: base, weights: peakShares(scenario), place: "all regions by peak share",
                          resource: technology, resourceCapacityMW: capacity, method: method, metric: metric, capacityMaxMW: capacityMaxMW,
                          gapMW: gapMW, pValue: threshold, options: options, progress: progress)
    }

    /// As above, with the firm capacity or the load split between the regions by `weights` (named `place`).
    public static func assess(augmented scenario: Scenario, baseline base: Scenario, weights: [Double], place: String, resource: String,
                              resourceCapacityMW capacity: Double, method: CapacityCreditMethod, metric: AdequacyMetric, capacityMaxMW: Double?,
                              gapMW: Double, pValue threshold: Double, options: MonteCarloOptions,
                              progress: ((String) -> Void)? = nil) throws -> CapacityCreditResult {
        let top = capacityMaxMW ?? max(capacity, 1)
        func study(_ s: Scenario) throws -> [Double] {
            do { return try trialValues(s, metric: metric, options: options) } catch { throw CapacityCreditError.simulation(error) }
        }
        // The target, and the system that varies: EFC adds firm capacity to the base until it matches the
        // system with the resource; ELCC adds load to the system with the resource until it matches the base.
        let target = try study(method == .efc ? scenario : base)
        let variant: (Double) -> Scenario = { mw in
            method == .efc ? withFirmCapacity(base, weights: weights, mw: mw) : withAddedLoad(scenario, weights: weights, mw: mw)
        }
        var steps: [CapacityCreditStep] = []
        func evaluate(_ mw: Double) throws -> [Double] {
            let v = try study(variant(mw))
            steps.append(CapacityCreditStep(capacityMW: mw, metric: mean(v), standardError: standardError(v)))
            progress?("\(method.rawValue.uppercased()) \(mw) MW: \(metric.rawValue) \(mean(v)) ± \(standardError(v))")
            return v
        }
        // EFC: more firm capacity, a better (lower) metric; ELCC: more load, a worse one. `worseSide` is the
        // end of the bracket whose metric is above the target.
        var lower = 0.0, upper = top
        var atLower = try evaluate(lower), atUpper = try evaluate(upper)
        let topAboveTarget = mean(atUpper) > mean(target)
        let withinMaximum = method == .efc ? !topAboveTarget : topAboveTarget
        if !withinMaximum { lower = top }
        var p = 1.0, reason = withinMaximum ? "" : "the credit is above the capacity max (\(top) MW)"
        while withinMaximum {
            if upper - lower <= gapMW { reason = "bracket within \(gapMW) MW"; break }
            p = method == .efc ? pValue(higher: atLower, lower: atUpper) : pValue(higher: atUpper, lower: atLower)
            if p >= threshold { reason = "the metrics at the bracket's ends do not differ significantly (p = \(p))"; break }
            // Whole MW, as PRAS bisects, while the bracket's ends are whole and the gap is at least 1 MW.
            let whole = gapMW >= 1 && lower == lower.rounded() && upper == upper.rounded()
            let mid = whole ? ((lower + upper) / 2).rounded(.down) : ((lower + upper) / 2 * 1e6).rounded() / 1e6
            let atMid = try evaluate(mid)
            let aboveTarget = mean(atMid) > mean(target)
            if method == .efc ? aboveTarget : !aboveTarget { lower = mid; atLower = atMid } else { upper = mid; atUpper = atMid }
        }
        if reason.hasPrefix("bracket") { p = method == .efc ? pValue(higher: atLower, lower: atUpper) : pValue(higher: atUpper, lower: atLower) }
        return CapacityCreditResult(resource: resource, region: place, method: method.rawValue, metric: metric.rawValue,
                                    target: mean(target), targetStandardError: standardError(target), lowerMW: lower, upperMW: upper,
                                    resourceCapacityMW: capacity, pValue: p, stoppedBecause: reason, withinMaximum: withinMaximum,
                                    trials: options.trials, seed: options.seed, steps: steps)
    }
}

/// Per-trial values written by the study's merging thread in trial order.
final class TrialCollector: @unchecked Sendable {
    private(set) var values: [Double]
    init(count: Int) { values = [Double](repeating: .nan, count: count) }
    func set(_ trial: Int, _ v: Double) { if trial < values.count { values[trial] = v } }
}

/// A target for `r70 size`: a metric, `<=` or `>=`, and a threshold (`lole<=0.1`, `reserve_margin>=0.15`).
public struct SizingTarget: Sendable, CustomStringConvertible {
    public var metric: String
    public var atMost: Bool
    public var threshold: Double
    public var description: String { "\(metric)\(atMost ? "<=" : ">=")\(threshold)" }

    public static func parse(_ text: String) -> SizingTarget? {
        for (op, atMost) in [("<=", true), (">=", false)] {
            if let r = text.range(of: op) {
                let name = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, let v = Double(text[r.upperBound...].trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
                return SizingTarget(metric: name, atMost: atMost, threshold: v)
            }
        }
        return nil
    }

    /// Whether the target is judged on the deterministic run (the planning reserve margin) rather than a study.
    public var deterministic: Bool { metric == "reserve_margin" || metric.hasSuffix(".reserve_margin") }
}

public struct SizingStep: Codable, Sendable {
    public var value: Double
    public var metric: Double
    public var standardError: Double?
    /// The probability that the target holds (the estimate's normal approximation; 0 or 1 when deterministic).
    public var probabilityHolds: Double
    public var meets: Bool
}

public struct SizingResult: Codable, Sendable {
    public var path: String
    public var target: String
    public var confidence: Double
    /// The smallest value found to meet the target lies in (lower, upper]; nil when even the range's top does not.
    public var lower: Double
    public var upper: Double?
    public var atUpper: SizingStep?
    public var trials: Int?
    public var seed: UInt64
    public var steps: [SizingStep]

    /// Pairs of evaluated values where more of the key made the metric worse: the bisection's assumption
    /// fails there, and the answer need not be the smallest value that meets the target. (The steps share
    /// their draws, so any inversion is one of the system on these trials, not sampling noise between steps.)
    public var nonMonotone: [(lower: Double, higher: Double)] {
        let sorted = steps.sorted { $0.value < $1.value }
        var out: [(Double, Double)] = []
        for i in sorted.indices {
            for j in sorted.indices where j > i {
                let a = sorted[i], b = sorted[j]
                let worse = target.contains("<=") ? b.metric - a.metric : a.metric - b.metric
                if worse > 1e-9 * max(1, abs(a.metric)) { out.append((a.value, b.value)) }
            }
        }
        return out
    }
}

public enum Sizing {
    /// The standard normal distribution function.
    static func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
    /// Its inverse, by bisection (for a confidence level).
    static func quantile(_ p: Double) -> Double {
        var lo = -10.0, hi = 10.0
        for _ in 0..<100 { let mid = (lo + hi) / 2; if phi(mid) < p { lo = mid } else { hi = mid } }
        return (lo + hi) / 2
    }

    /// The smallest value of `path` in [lower, upper] at which `target` holds at `confidence` (the estimate's
    /// one-sided bound beyond the threshold), by bisection to within `gap`, assuming that more of the key
    /// never makes the metric worse. Every study uses `options` (the same seed: common random numbers).
    public static func size(source: ScenarioSource, fixed: [ScenarioOverride], path: String, lower: Double, upper: Double, gap: Double,
                            target: SizingTarget, confidence: Double, options: MonteCarloOptions?,
                            progress: ((String) -> Void)? = nil) throws -> SizingResult {
        let z = quantile(confidence)
        var steps: [SizingStep] = []
        func evaluate(_ value: Double) throws -> SizingStep {
            let text = SweepAxis.format(value)
            let scenario = try source.load(overrides: fixed + [try ScenarioOverride.parse(path + "=" + text).get()])
            let mean: Double, se: Double?
            if target.deterministic {
                let summary = try DeterministicRun.run(scenario).summary
                if target.metric == "reserve_margin" { mean = summary.national.planningReserveMargin } else {
                    let region = target.metric.dropFirst("region.".count).dropLast(".reserve_margin".count)
                    guard let r = summary.regions.first(where: { $0.name == region }) else { throw SizingError.unknownMetric(target.metric) }
                    mean = r.planningReserveMargin
                }
                se = nil
            } else {
                guard let options else { throw SizingError.needsTrials(target.metric) }
                let plan = SimulationPlan(scenario: scenario)
                let result = try MonteCarlo.run(plan: plan, options: options)
                guard let e = result.estimate(target.metric) else { throw SizingError.unknownMetric(target.metric) }
                mean = e.mean; se = e.standardError
            }
            let margin = target.atMost ? target.threshold - mean : mean - target.threshold
            let p = se.map { $0 > 0 ? phi(margin / $0) : (margin >= 0 ? 1 : 0) } ?? (margin >= -1e-12 ? 1 : 0)
            let meets = se.map { margin - z * $0 >= 0 } ?? (margin >= -1e-12)
            let step = SizingStep(value: value, metric: mean, standardError: se, probabilityHolds: p, meets: meets)
            steps.append(step)
            progress?("\(path)=\(text): \(target.metric) \(mean)\(se.map { " ± \($0)" } ?? ""), \(meets ? "meets" : "misses") \(target)")
            return step
        }
        let atLower = try evaluate(lower)
        if atLower.meets {
            return SizingResult(path: path, target: target.description, confidence: confidence, lower: lower, upper: lower, atUpper: atLower,
                                trials: options?.trials, seed: options?.seed ?? 0, steps: steps)
        }
        var hi = upper, atHi = try evaluate(upper)
        guard atHi.meets else {
            return SizingResult(path: path, target: target.description, confidence: confidence, lower: upper, upper: nil, atUpper: nil,
                                trials: options?.trials, seed: options?.seed ?? 0, steps: steps)
        }
        var lo = lower
        let integers = ScenarioOverride.takesIntegers(path)
        while hi - lo > (integers ? max(gap, 1) : gap) {
            let mid = integers ? ((lo + hi) / 2).rounded(.down) : ((lo + hi) / 2 * 1e6).rounded() / 1e6
            if integers && (mid <= lo || mid >= hi) { break }
            let s = try evaluate(mid)
            if s.meets { hi = mid; atHi = s } else { lo = mid }
        }
        return SizingResult(path: path, target: target.description, confidence: confidence, lower: lo, upper: hi, atUpper: atHi,
                            trials: options?.trials, seed: options?.seed ?? 0, steps: steps)
    }
}

public enum SizingError: Error, CustomStringConvertible {
    case unknownMetric(String)
    case needsTrials(String)
    public var description: String {
        switch self {
        case .unknownMetric(let m): return "no metric '\(m)' (a Monte Carlo metric such as lole, eue, region.North.lole, or reserve_margin)"
        case .needsTrials(let m): return "'\(m)' varies by trial: give --trials N"
        }
    }
}
