// Target checks: each scenario target against a run's metrics, with its margin.
import GridModel

public struct TargetResult: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var value: Double
    public var threshold: Double
    /// "min" when the value must be at least the threshold, "max" when at most.
    public var kind: String
    public var unit: String
    public var passed: Bool
    /// Distance to the threshold in the passing direction (negative when failed).
    public var margin: Double
    /// With trials: the probability that the target holds in a year.
    public var probabilityHolds: Double?
}

/// A target the scenario can set: how to read it from a run, and which Monte Carlo metric estimates it.
public struct TargetDefinition: Sendable {
    public let name: String
    public let description: String
    public let unit: String
    /// True when the value must be at least the threshold.
    public let isMinimum: Bool
    /// The Monte Carlo metric whose expected value a study judges the target by (nil: a planning quantity
    /// that does not vary by trial, judged on the deterministic run).
    public let studyMetric: String?
    let threshold: @Sendable (Targets) -> Double?
    let value: @Sendable (NationalSummary) -> Double
}

public enum TargetCheck {
    /// Every target, in report order: the one place that ties a target to its run value and study metric.
    public static let definitions: [TargetDefinition] = [
        TargetDefinition(name: "reserve_margin", description: "planning reserve margin (firm capacity − peak) / peak", unit: "fraction",
                         isMinimum: true, studyMetric: nil, threshold: { $0.minReserveMargin }, value: { $0.planningReserveMargin }),
        TargetDefinition(name: "loss_rate", description: "(transmission + distribution losses) / energy injected", unit: "fraction",
                         isMinimum: false, studyMetric: "loss_rate", threshold: { $0.maxLossRate }, value: { $0.lossRate }),
        TargetDefinition(name: "lole", description: "hours with load shed (deterministic run)", unit: "h",
                         isMinimum: false, studyMetric: "lole", threshold: { $0.maxLOLEHours }, value: { $0.shortfallHours }),
        TargetDefinition(name: "eue", description: "unserved energy", unit: "MWh",
                         isMinimum: false, studyMetric: "eue", threshold: { $0.maxEUEMWh }, value: { $0.unservedMWh }),
        TargetDefinition(name: "clean_share", description: "clean generation / generation", unit: "fraction",
                         isMinimum: true, studyMetric: "clean_share", threshold: { $0.minCleanShare }, value: { $0.cleanShare }),
        TargetDefinition(name: "emissions", description: "CO2 emissions", unit: "t",
                         isMinimum: false, studyMetric: "emissions", threshold: { $0.maxEmissionsT }, value: { $0.emissionsT }),
    ]

    public static func definition(named name: String) -> TargetDefinition? { definitions.first { $0.name == name } }

    /// The targets set in the scenario, evaluated on `summary` (with a nil summary: only their names,
    /// values and margins at 0).
    public static func evaluate(targets: Targets, summary: RunSummary?) -> [TargetResult] {
        definitions.compactMap { d in
            guard let threshold = d.threshold(targets) else { return nil }
            let value = summary.map { d.value($0.national) } ?? 0
            let margin = d.isMinimum ? value - threshold : threshold - value
            return TargetResult(name: d.name, description: d.description, value: value, threshold: threshold,
                                kind: d.isMinimum ? "min" : "max", unit: d.unit, passed: margin >= -1e-12, margin: margin,
                                probabilityHolds: nil)
        }
    }
}
