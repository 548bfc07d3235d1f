// Text and target checks for Monte Carlo studies.
import Foundation
import GridModel
import GridSim
import GridStudy

public enum MonteCarloText {
    static func fmt(_ x: Double, _ unit: String) -> String {
        if x.isNaN { return "n/a" }
        switch unit {
        case "probability", "fraction": return Format.percent(x, decimals: 2)
        case "USD": return Format.number(x / 1e6, decimals: 1) + " M$"
        case "t": return Format.number(x / 1e6, decimals: 2) + " Mt"
        default: return Format.number(x, decimals: abs(x) >= 1000 ? 0 : (abs(x) >= 10 ? 1 : 3))
        }
    }

    /// The study's metrics: estimate ± standard error, 95 % interval, and the spread across trial years.
    public static func render(_ r: MonteCarloResult) -> String {
        let period = r.horizonDays >= 365 && r.horizonDays <= 366 ? "trial years" : "trials of \(Format.number(r.horizonDays, decimals: r.horizonDays == r.horizonDays.rounded() ? 0 : 2)) days"
        var out = "Monte Carlo: \(r.trials) \(period) of \(r.scenario), seed \(r.seed); figures are per trial"
        if let pilot = r.pilotTrials {
            let reached = r.relativeErrorReached.map { Format.number($0, decimals: 4) } ?? "n/a"
            let verdict = r.relativeErrorTarget.map { target in (r.relativeErrorReached ?? .infinity) <= target ? "target \(Format.number(target, decimals: 4)) reached" : "target \(Format.number(target, decimals: 4)) not reached" } ?? ""
            out += " (sized by --rel-error from a pilot of \(pilot) further trials, not counted; at most \(r.trialsRequested); relative standard error \(reached), \(verdict))\n\n"
        } else {
            out += "\n\n"
        }
        var rows: [[String]] = []
        for e in r.estimates {
            let unit = e.unit == "probability" || e.unit == "fraction" ? "" : (e.unit == "USD" ? "" : e.unit == "t" ? "" : e.unit)
            rows.append([e.name + (unit.isEmpty ? "" : " (\(unit))"), fmt(e.mean, e.unit), "± " + fmt(e.standardError, e.unit),
                         "[" + fmt(e.lower95, e.unit) + ", " + fmt(e.upper95, e.unit) + "]",
                         fmt(e.p5, e.unit), fmt(e.p50, e.unit), fmt(e.p95, e.unit),
                         fmt(e.worst5Mean, e.unit) + (e.higherIsWorse ? " ↑" : " ↓")])
            if e.name == "lol_events", let lole = r.estimate("lole"), e.mean > 0 {
                rows.append(["mean event duration (h)", Format.number(lole.mean / e.mean, decimals: 2), "", "", "", "", "", ""])
            }
        }
        out += Format.table(["Metric", "Estimate", "Std error", "95 % interval", "p5", "p50", "p95", "Worst 5 % mean"], rows) + "\n"
        out += "Worst 5 % mean: the mean of the worst 5 % of trial years in the direction that is worse for the metric\n"
        out += "(↑ highest values, ↓ lowest). Percentiles and this mean are within \(Format.number(Accumulator.relativeAccuracy * 1e4, decimals: 1)) × 10⁻⁴ relative of the trials' exact values.\n"
        return out
    }

    /// Targets judged on the study: the expected value of each metric against its limit (the reserve
    /// margin is a planning quantity and does not vary by trial), with the probability that it holds.
    public static func targets(_ targets: Targets, deterministic: RunSummary, study: MonteCarloResult) -> [TargetResult] {
        var results = TargetCheck.evaluate(targets: targets, summary: deterministic)
        for i in results.indices {
            let name = results[i].name
            let mean = TargetCheck.definition(named: name)?.studyMetric.flatMap { study.estimate($0)?.mean }
            if let mean {
                results[i].value = mean
                results[i].margin = results[i].kind == "min" ? mean - results[i].threshold : results[i].threshold - mean
                results[i].passed = results[i].margin >= -1e-12
                results[i].description += " (expected value over \(study.trials) trial years)"
            }
            if let p = study.estimate("target.\(name).holds") {
                results[i].probabilityHolds = p.mean
            }
        }
        return results
    }
}
