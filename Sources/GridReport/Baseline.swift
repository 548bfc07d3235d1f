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
}

public struct Baseline: Codable, Sendable, Equatable {
    public var version = 1
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
    /// (name, higher is worse)
    public static let tracked: [(String, Bool)] = [
        ("eue_mwh", true), ("lole_h", true), ("loss_rate", true), ("emissions_t", true), ("total_cost_usd", true),
        ("clean_share", false), ("reserve_margin", false),
    ]

    public static func entry(summary: RunSummary, targets: [TargetResult], study: MonteCarloResult?) -> BaselineEntry {
        let n = summary.national
        func metric(_ deterministic: Double, _ studyName: String?) -> BaselineMetric {
            if let study, let name = studyName, let e = study.estimate(name) { return BaselineMetric(value: e.mean, standardError: e.standardError) }
            return BaselineMetric(value: deterministic, standardError: 0)
        }
        let metrics: [String: BaselineMetric] = [
            "eue_mwh": metric(n.unservedMWh, "eue"), "lole_h": metric(n.shortfallHours, "lole"), "loss_rate": metric(n.lossRate, "loss_rate"),
            "emissions_t": metric(n.emissionsT, "emissions"), "total_cost_usd": metric(n.totalCostUSD, "total_cost"),
            "clean_share": metric(n.cleanShare, "clean_share"), "reserve_margin": metric(n.planningReserveMargin, nil),
        ]
        return BaselineEntry(mode: study == nil ? "deterministic" : "monte_carlo", trials: study?.trials, seed: study?.seed,
                             targets: Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0.passed) }), metrics: metrics)
    }
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

    /// Compares a scenario's new entry with its baseline. A regression is a target that passed and now
    /// fails, or a metric worse than the baseline by more than its tolerance: 3 combined standard errors
    /// for Monte Carlo estimates, 1e-6 relative for deterministic values.
    public static func compare(scenario: String, baseline: BaselineEntry?, current: BaselineEntry) -> [BaselineFinding] {
        guard let baseline else {
            return [BaselineFinding(scenario: scenario, item: "baseline", message: "not in the baseline (run with --update-baseline to add it)", regression: true)]
        }
        var out: [BaselineFinding] = []
        for (name, passedBefore) in baseline.targets.sorted(by: { $0.key < $1.key }) {
            if let passedNow = current.targets[name], passedBefore && !passedNow {
                out.append(BaselineFinding(scenario: scenario, item: "target \(name)", message: "passed in the baseline, fails now", regression: true))
            }
        }
        for (name, higherIsWorse) in BaselineMetrics.tracked {
            guard let b = baseline.metrics[name], let c = current.metrics[name] else { continue }
            let noise = (b.standardError * b.standardError + c.standardError * c.standardError).squareRoot()
            let tolerance = noise > 0 ? 3 * noise : deterministicTolerance * max(1e-9, abs(b.value))
            let worse = higherIsWorse ? c.value - b.value : b.value - c.value
            if worse > tolerance {
                out.append(BaselineFinding(scenario: scenario, item: name,
                                           message: "\(Format.number(c.value, decimals: 4)) is worse than the baseline's \(Format.number(b.value, decimals: 4)) by \(Format.number(worse, decimals: 4)) (tolerance \(Format.number(tolerance, decimals: 6)))",
                                           regression: true))
            }
        }
        return out
    }
}
