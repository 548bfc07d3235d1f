// Regression baselines for CI: each scenario's target outcomes and key metrics, recorded once
// (`r70 check --update-baseline`) and compared on every run (`r70 check --baseline FILE`).
import Foundation
import GridSim
import GridStudy

public struct BaselineMetric: Codable, Sendable, Equatable {
    public var value: Double
    /// Standard error (0 for deterministic runs).
    public var standardError: Double
}

public struct BaselineEntry: Codable, Sendable, Equatable {
    /// "deterministic" or "monte_carlo".
    public var mode: String
    public var trials: Int?
    public var seed: UInt64?
    /// Whether each target passed.
    public var targets: [String: Bool]
    public var metrics: [String: BaselineMetric]
    /// Monte Carlo entries: each tracked metric's value in every trial, in trial order, for the paired
    /// comparison (common random numbers: the same seed and trial count give the same draws).
    public var trialValues: [String: [Double]]?
}

public struct Baseline: Codable, Sendable, Equatable {
    public var version = 2
    public var note = "Written by `r70 check --update-baseline`; compared by `r70 check --baseline`."
    /// By scenario name.
    public var scenarios: [String: BaselineEntry] = [:]
    public init() {}

    public static func read(_ path: String) throws -> Baseline {
        try JSONDecoder().decode(Baseline.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public func write(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n", to: path)
    }
}

/// The key metrics kept in a baseline, with the direction in which they get worse.
public enum BaselineMetrics {
    public struct Tracked: Sendable {
        /// Key in the baseline file.
        public var name: String
        /// The Monte Carlo metric it is estimated by (nil: a planning quantity that does not vary by trial).
        public var studyMetric: String?
        public var higherIsWorse: Bool
    }

    public static let tracked: [Tracked] = [
        Tracked(name: "eue_mwh", studyMetric: "eue", higherIsWorse: true),
        Tracked(name: "lole_h", studyMetric: "lole", higherIsWorse: true),
        Tracked(name: "loss_rate", studyMetric: "loss_rate", higherIsWorse: true),
        Tracked(name: "emissions_t", studyMetric: "emissions", higherIsWorse: true),
        Tracked(name: "total_cost_usd", studyMetric: "total_cost", higherIsWorse: true),
        Tracked(name: "clean_share", studyMetric: "clean_share", higherIsWorse: false),
        Tracked(name: "reserve_margin", studyMetric: nil, higherIsWorse: false),
    ]

    /// Collects the tracked metrics' per-trial values of a study (pass `collect` as `MonteCarlo.run`'s
    /// `sample`, which calls it in trial order).
    public final class TrialValues: @unchecked Sendable {
        let indices: [(String, Int)]
        public private(set) var values: [String: [Double]] = [:]
        public init(definitions: [MetricDefinition]) {
            indices = BaselineMetrics.tracked.compactMap { t in
                t.studyMetric.flatMap { m in definitions.firstIndex { $0.name == m } }.map { (t.name, $0) }
            }
        }
        public func collect(_ trial: Int, _ v: [Double]) { for (name, i) in indices { values[name, default: []].append(v[i]) } }
    }

    public static func entry(summary: RunSummary, targets: [TargetResult], study: MonteCarloResult?,
                             trialValues: [String: [Double]]? = nil) -> BaselineEntry {
        let n = summary.national
        let deterministic: [String: Double] = [
            "eue_mwh": n.unservedMWh, "lole_h": n.shortfallHours, "loss_rate": n.lossRate, "emissions_t": n.emissionsT,
            "total_cost_usd": n.totalCostUSD, "clean_share": n.cleanShare, "reserve_margin": n.planningReserveMargin,
        ]
        var metrics: [String: BaselineMetric] = [:]
        for t in tracked {
            if let study, let m = t.studyMetric, let e = study.estimate(m) {
                metrics[t.name] = BaselineMetric(value: e.mean, standardError: e.standardError)
            } else {
                metrics[t.name] = BaselineMetric(value: deterministic[t.name]!, standardError: 0)
            }
        }
        return BaselineEntry(mode: study == nil ? "deterministic" : "monte_carlo", trials: study?.trials, seed: study?.seed,
                             targets: Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0.passed) }), metrics: metrics,
                             trialValues: study == nil ? nil : trialValues)
    }
}

/// A baseline that cannot be compared with this run without being asked to (exit 2).
public struct BaselineMismatch: Error, CustomStringConvertible {
    public var scenario: String
    public var reason: String
    public var description: String { "\(scenario): \(reason)" }
}

public struct BaselineFinding: Sendable, Equatable, CustomStringConvertible {
    public var scenario: String
    public var item: String
    public var message: String
    public var regression: Bool
    public var description: String { "\(scenario): \(item): \(message)" }
}

public enum BaselineComparison {
    /// Relative tolerance for deterministic metrics (numerical noise only).
    public static let deterministicTolerance = 1e-6
    /// Standard errors of the difference beyond which a worse value is a regression.
    public static let significance = 3.0

    /// Compares a scenario's new entry with its baseline. A regression is a target that passed and now
    /// fails, or a metric worse than the baseline beyond its tolerance:
    /// - Monte Carlo, paired (same seed and trials, per-trial values on both sides): the mean of the
    ///   per-trial differences exceeds 3 standard errors of that mean (common random numbers make it far
    ///   smaller than the two estimates' own errors); identical trials give a difference of exactly 0;
    /// - Monte Carlo, unpaired (only with `unpaired`): 3 combined standard errors of the two estimates;
    /// - deterministic: 1e-6 relative.
    /// A Monte Carlo baseline with another seed or trial count, or another mode, is refused
    /// (`BaselineMismatch`) unless `unpaired` is set.
    public static func compare(scenario: String, baseline: BaselineEntry?, current: BaselineEntry,
                               unpaired: Bool = false) throws(BaselineMismatch) -> [BaselineFinding] {
        guard let baseline else {
            return [BaselineFinding(scenario: scenario, item: "baseline", message: "not in the baseline (run with --update-baseline to add it)", regression: true)]
        }
        if !unpaired {
            if baseline.mode != current.mode {
                throw BaselineMismatch(scenario: scenario, reason: "the baseline is a \(baseline.mode.replacingOccurrences(of: "_", with: " ")) result and this run is \(current.mode.replacingOccurrences(of: "_", with: " ")); run it the same way (--trials/--deterministic), or pass --unpaired to compare anyway")
            }
            if current.mode == "monte_carlo" && baseline.mode == "monte_carlo" && baseline.trialValues == nil {
                throw BaselineMismatch(scenario: scenario, reason: "the baseline's Monte Carlo entry has no per-trial values (it was recorded by an older r70), so the paired comparison cannot run; record it again with --update-baseline, or pass --unpaired for the far less sensitive unpaired test")
            }
            if current.mode == "monte_carlo" && (baseline.seed != current.seed || baseline.trials != current.trials) {
                throw BaselineMismatch(scenario: scenario, reason: "the baseline was made with seed \(baseline.seed.map(String.init) ?? "?") and \(baseline.trials.map(String.init) ?? "?") trials, this run uses seed \(current.seed.map(String.init) ?? "?") and \(current.trials.map(String.init) ?? "?") trials; the paired comparison needs the same (run with --seed \(baseline.seed.map(String.init) ?? "S") --trials \(baseline.trials.map(String.init) ?? "N")), or pass --unpaired for the far less sensitive unpaired test")
            }
        }
        var out: [BaselineFinding] = []
        for (name, passedBefore) in baseline.targets.sorted(by: { $0.key < $1.key }) {
            if let passedNow = current.targets[name], passedBefore && !passedNow {
                out.append(BaselineFinding(scenario: scenario, item: "target \(name)", message: "passed in the baseline, fails now", regression: true))
            }
        }
        for t in BaselineMetrics.tracked {
            let name = t.name
            guard let b = baseline.metrics[name], let c = current.metrics[name] else { continue }
            let sign = t.higherIsWorse ? 1.0 : -1.0
            let worse = sign * (c.value - b.value)
            let floor = deterministicTolerance * max(1e-9, abs(b.value))
            var tolerance: Double
            var how: String
            if !unpaired, baseline.seed == current.seed, baseline.trials == current.trials,
               let x = baseline.trialValues?[name], let y = current.trialValues?[name], x.count == y.count, x.count > 1 {
                let paired = PairedDifference(baseline: x, current: y, sign: sign)
                if paired.allZero { continue }
                tolerance = max(floor, significance * paired.standardError)
                how = "paired over \(x.count) trials: mean difference \(significant(paired.mean)) ± \(significant(paired.standardError))"
                if paired.mean <= tolerance { continue }
                out.append(BaselineFinding(scenario: scenario, item: name,
                                           message: "\(significant(c.value)) is worse than the baseline's \(significant(b.value)) (\(how); tolerance \(significant(tolerance)))",
                                           regression: true))
                continue
            }
            let noise = (b.standardError * b.standardError + c.standardError * c.standardError).squareRoot()
            tolerance = noise > 0 ? significance * noise : floor
            how = noise > 0 ? "unpaired: 3 combined standard errors" : "deterministic"
            if worse > tolerance {
                out.append(BaselineFinding(scenario: scenario, item: name,
                                           message: "\(significant(c.value)) is worse than the baseline's \(significant(b.value)) by \(significant(worse)) (\(how); tolerance \(significant(tolerance)))",
                                           regression: true))
            }
        }
        return out
    }
}

/// Six significant digits (values of very different sizes share one message format).
func significant(_ x: Double) -> String { String(format: "%.6g", x) }

/// The mean and standard error of per-trial differences (current − baseline) × sign.
public struct PairedDifference: Sendable {
    public let mean: Double
    public let standardError: Double
    /// Every trial's difference is exactly zero.
    public let allZero: Bool

    public init(baseline x: [Double], current y: [Double], sign: Double) {
        precondition(x.count == y.count && x.count > 1)
        let d = zip(x, y).map { sign * ($1 - $0) }
        let n = Double(d.count)
        let mean = d.reduce(0, +) / n
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        self.mean = mean
        standardError = (variance / n).squareRoot()
        allZero = d.allSatisfy { $0 == 0 }
    }
}
