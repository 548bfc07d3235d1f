// Text and target checks for Monte Carlo studies.
import Foundation
import GridModel
import GridSim
import GridStudy

public enum MonteCarloText {
    /// The width the default table keeps to (an 80–100-column terminal); `--wide` lifts it.
    public static let defaultWidth = 100

    /// A unit a row is shown in: its name and its size in the metric's base unit.
    struct DisplayUnit { var name: String; var scale: Double }

    /// The units a base unit may be shown in, smallest first (probabilities and fractions as %).
    static func ladder(_ unit: String) -> [DisplayUnit] {
        switch unit {
        case "probability", "fraction": return [DisplayUnit(name: "%", scale: 0.01)]
        case "MWh": return [DisplayUnit(name: "MWh", scale: 1), DisplayUnit(name: "GWh", scale: 1e3), DisplayUnit(name: "TWh", scale: 1e6)]
        case "t": return [DisplayUnit(name: "t", scale: 1), DisplayUnit(name: "kt", scale: 1e3), DisplayUnit(name: "Mt", scale: 1e6)]
        case "USD": return [DisplayUnit(name: "$", scale: 1), DisplayUnit(name: "k$", scale: 1e3), DisplayUnit(name: "M$", scale: 1e6), DisplayUnit(name: "B$", scale: 1e9)]
        default: return [DisplayUnit(name: unit, scale: 1)]
        }
    }

    /// The row's unit: the largest in which the estimate is at least 1 (or, for an estimate of 0, the
    /// largest of the row's values), so small values keep their significant digits (kt, not 0.01 Mt).
    static func displayUnit(_ e: MetricEstimate) -> DisplayUnit {
        let units = ladder(e.unit)
        let values = [e.mean, e.p5, e.p50, e.p95, e.worst5Mean, e.upper95].filter(\.isFinite).map(abs)
        let reference = e.mean.isFinite && e.mean != 0 ? abs(e.mean) : (values.max() ?? 0)
        return units.last { reference >= $0.scale } ?? units[0]
    }

    /// Decimals that show `x` to `digits` significant digits (0 to 6 decimals).
    static func decimals(_ x: Double, significant digits: Int) -> Int {
        guard x.isFinite, x != 0 else { return 0 }
        return min(6, max(0, digits - 1 - Int(floor(log10(abs(x))))))
    }

    /// A value to four significant digits (the sketch's percentiles are within 1.2 × 10⁻⁴).
    static func sig(_ x: Double) -> String {
        if x.isNaN { return "n/a" }
        if x == 0 { return "0" }
        return Format.number(x, decimals: decimals(x, significant: 4))
    }

    /// One metric's cells, in its display unit: the estimate to the precision of its standard error (two
    /// significant digits; four significant digits when the error is 0), the interval alike, percentiles
    /// and the worst-5 % mean to four significant digits.
    struct Cells {
        var unit: DisplayUnit
        var estimate, standardError, relativeError, interval, p5, p50, p95, worst: String

        init(_ e: MetricEstimate) {
            unit = displayUnit(e)
            let s = unit.scale
            let mean = e.mean / s, se = e.standardError / s
            // At most five significant digits of the estimate (the error's first digit when it is coarser).
            let d = se.isFinite && se > 0 ? min(decimals(se, significant: 2), max(decimals(mean, significant: 5), decimals(se, significant: 1)))
                                          : decimals(mean, significant: 4)
            func fixed(_ x: Double) -> String { x.isNaN ? "n/a" : Format.number(x, decimals: d) }
            estimate = fixed(mean)
            standardError = se.isNaN ? "n/a" : se == 0 ? "0" : Format.number(se, decimals: decimals(se, significant: 2))
            let relative = se / abs(mean) * 100
            relativeError = relative.isFinite ? Format.number(relative, decimals: max(1, decimals(relative, significant: 2))) + " %" : "—"
            interval = "[" + fixed(e.lower95 / s) + ", " + fixed(e.upper95 / s) + "]"
            p5 = sig(e.p5 / s); p50 = sig(e.p50 / s); p95 = sig(e.p95 / s)
            worst = sig(e.worst5Mean / s) + (e.higherIsWorse ? " ↑" : " ↓")
        }
    }

    /// A group of the table: its heading and which metrics it holds, with each metric's short label.
    struct Group: Sendable {
        var heading: String
        var label: @Sendable (String) -> String?
    }

    static let groups: [Group] = [
        Group(heading: "Adequacy") { ["lole", "lole_steps", "lol_events", "eue", "neue", "lolp_peak", "largest_shortfall", "shortfall_days"].contains($0) ? $0 : nil },
        Group(heading: "Energy shed by demand class, in shedding order (shed.CLASS)") { name in
            name.hasPrefix("shed.") ? String(name.dropFirst(5)) : nil
        },
        Group(heading: "By region (region.REGION.lole, .eue, .largest_shortfall: largest)") { name in
            guard name.hasPrefix("region.") else { return nil }
            let rest = name.dropFirst(7)
            guard let dot = rest.lastIndex(of: ".") else { return nil }
            let metric = rest[rest.index(after: dot)...]
            return rest[..<dot] + " " + (metric == "largest_shortfall" ? "largest" : metric)
        },
        Group(heading: "Operations and economics (lowest operating reserve: min_operating_reserve_margin)") {
            $0 == "min_operating_reserve_margin" ? "lowest operating reserve"
                : ["loss_rate", "clean_share", "emissions", "total_cost"].contains($0) ? $0 : nil
        },
        Group(heading: "Lowest stock of each fuel (fuel.FUEL.lowest_stock)") { name in
            name.hasPrefix("fuel.") && name.hasSuffix(".lowest_stock") ? String(name.dropFirst(5).dropLast(13)) : nil
        },
        Group(heading: "Reservoirs (reservoir.PLANT.lowest_level, .hours_at_dead_level, .spilled)") { name in
            guard name.hasPrefix("reservoir.") else { return nil }
            let rest = name.dropFirst(10)
            guard let dot = rest.lastIndex(of: ".") else { return nil }
            let metric = rest[rest.index(after: dot)...]
            let short = ["lowest_level": "lowest", "hours_at_dead_level": "at dead level", "spilled": "spilled"][String(metric)] ?? String(metric)
            return rest[..<dot] + " " + short
        },
        Group(heading: "Probability that each target holds in a trial (target.TARGET.holds)") { name in
            name.hasPrefix("target.") && name.hasSuffix(".holds") ? String(name.dropFirst(7).dropLast(6)) : nil
        },
    ]

    /// The study's metrics in groups (adequacy, by class, by region, economics, fuels, targets), each row
    /// with its estimate ± standard error, 95 % interval, p5/p50/p95 and worst-5 % mean, in a unit chosen
    /// for the row and named beside the metric. The default table fits `defaultWidth` columns (long labels
    /// are shortened with "…"); `wide` prints the full metric names, the standard error, the relative
    /// standard error and the interval in columns of their own.
    public static func render(_ r: MonteCarloResult, wide: Bool = false) -> String {
        let period = r.horizonDays >= 365 && r.horizonDays <= 366 ? "trial years" : "trials of \(Format.number(r.horizonDays, decimals: r.horizonDays == r.horizonDays.rounded() ? 0 : 2)) days"
        var intro = "Monte Carlo: \(r.trials) \(period) of \(r.scenario), seed \(r.seed); figures are per trial"
        if let pilot = r.pilotTrials {
            let reached = r.relativeErrorReached.map { Format.number($0, decimals: 4) } ?? "n/a"
            let verdict = r.relativeErrorTarget.map { target in (r.relativeErrorReached ?? .infinity) <= target ? "target \(Format.number(target, decimals: 4)) reached" : "target \(Format.number(target, decimals: 4)) not reached" } ?? ""
            intro += " (sized by --rel-error from a pilot of \(pilot) further trials, not counted; at most \(r.trialsRequested); relative standard error \(reached), \(verdict))"
        }
        return render(estimates: r.estimates, header: intro, wide: wide)
    }

    /// The table of `estimates` under the `header` line (wrapped to 100 columns).
    static func render(estimates: [MetricEstimate], header intro: String, wide: Bool) -> String {
        let width = wide ? Int.max : defaultWidth
        var out = Format.wrap(intro, width: defaultWidth) + "\n\n"
        var sections: [(String, [[String]])] = []
        var placed = Set<String>()
        for group in groups {
            var rows: [[String]] = []
            for e in estimates {
                guard let short = group.label(e.name) else { continue }
                placed.insert(e.name)
                rows.append(row(e, label: wide ? e.name : short, wide: wide))
                if e.name == "lol_events", let lole = estimates.first(where: { $0.name == "lole" }), e.mean > 0 {
                    let duration = Format.number(lole.mean / e.mean, decimals: 2)
                    rows.append(wide ? ["mean event duration", "h", duration] + Array(repeating: "", count: 7)
                                     : ["mean event duration (h)", duration] + Array(repeating: "", count: 5))
                }
            }
            if !rows.isEmpty { sections.append((group.heading, rows)) }
        }
        let others = estimates.filter { !placed.contains($0.name) }.map { row($0, label: $0.name, wide: wide) }
        if !others.isEmpty { sections.append(("Other", others)) }

        let header = wide ? ["Metric", "Unit", "Estimate", "Std error", "Rel. SE", "95 % interval", "p5", "p50", "p95", "Worst 5 % mean"]
                          : ["Metric", "Estimate ± SE", "95 % interval", "p5", "p50", "p95", "Worst 5 %"]
        out += Format.sectionedTable(header, sections, maxWidth: width) + "\n"
        out += Format.wrap("Units are chosen per row (named beside the metric). Worst 5 %: the mean of the worst 5 % of trial "
            + "years in the direction that is worse for the metric (↑ highest values, ↓ lowest). Percentiles and this mean "
            + "are within \(Format.number(Accumulator.relativeAccuracy * 1e4, decimals: 1)) × 10⁻⁴ relative of the trials' exact values."
            + (wide ? "" : " --wide prints the full metric names and the standard errors in columns of their own."), width: defaultWidth) + "\n"
        return out
    }

    static func row(_ e: MetricEstimate, label: String, wide: Bool) -> [String] {
        let c = Cells(e)
        let unit = e.name == "emissions" ? c.unit.name + " CO2" : c.unit.name
        if wide {
            return [label, unit, c.estimate, c.standardError, c.relativeError, c.interval, c.p5, c.p50, c.p95, c.worst]
        }
        let labelled = unit.isEmpty ? label : "\(label) (\(unit))"
        return [labelled, c.estimate + " ± " + c.standardError, c.interval, c.p5, c.p50, c.p95, c.worst]
    }

}
