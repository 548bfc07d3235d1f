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

public enum TargetCheck {
    /// The targets set in the scenario, evaluated on `summary` (with a nil summary: only their names,
    /// values and margins at 0).
    public static func evaluate(targets: Targets, summary: RunSummary?) -> [TargetResult] {
        let n = summary?.national
        var out: [TargetResult] = []
        func add(_ name: String, _ description: String, _ value: Double?, _ threshold: Double?, min: Bool, unit: String) {
            guard let threshold else { return }
            let value = value ?? 0
            let margin = min ? value - threshold : threshold - value
            out.append(TargetResult(name: name, description: description, value: value, threshold: threshold, kind: min ? "min" : "max",
                                    unit: unit, passed: margin >= -1e-12, margin: margin, probabilityHolds: nil))
        }
        add("reserve_margin", "planning reserve margin (firm capacity − peak) / peak", n?.planningReserveMargin, targets.minReserveMargin, min: true, unit: "fraction")
        add("loss_rate", "(transmission + distribution losses) / energy injected", n?.lossRate, targets.maxLossRate, min: false, unit: "fraction")
        add("lole", "hours with load shed (deterministic run)", n?.shortfallHours, targets.maxLOLEHours, min: false, unit: "h")
        add("eue", "unserved energy", n?.unservedMWh, targets.maxEUEMWh, min: false, unit: "MWh")
        add("clean_share", "clean generation / generation", n?.cleanShare, targets.minCleanShare, min: true, unit: "fraction")
        add("emissions", "CO2 emissions", n?.emissionsT, targets.maxEmissionsT, min: false, unit: "t")
        return out
    }
}

