// The dashboard as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched from the
// network; readable on a phone (the charts scale to the screen) and printable (a card never splits).
// Each chart's heading states what it shows, computed from the data.
import Foundation
import GridModel
import GridSim
import GridStudy

public enum HTMLReport {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "a year" for a horizon of a year or more, else "over the N-day horizon".
    static func perHorizon(_ run: RunCharts) -> String {
        run.summary.hours >= 8760 - 1e-9 ? "a year" : "over the \(Format.number(run.summary.hours / 24)) days simulated"
    }
    static func horizonNoun(_ run: RunCharts) -> String { run.summary.hours >= 8760 - 1e-9 ? "year" : "horizon" }

    public static func render(_ d: Dashboard) -> String {
        var body = ""
        let kind: String
        if d.sweep != nil { kind = "sweep of \(d.sweep!.points.count) points" + (d.sweep!.trials > 0 ? ", \(d.sweep!.trials) trial years each" : ", deterministic") }
        else if let study = d.study { kind = "Monte Carlo study of \(Format.number(Double(study.trials))) trial years (seed \(study.seed))" }
        else { kind = "deterministic run at expected availability" }
        body += "<header><h1>\(SVG.escape(d.scenario))</h1><p>r70 \(SVG.escape(d.r70Version)) · \(SVG.escape(kind))"
        if let run = d.run { body += " · \(Format.number(run.summary.hours)) h from \(SVG.escape(run.startDate))" }
        body += "</p>"
        for note in d.notes { body += "<p class=\"note\">\(SVG.escape(note))</p>" }
        body += "<nav>" + sectionLinks(d).map { "<a href=\"#\($0.0)\">\(SVG.escape($0.1))</a>" }.joined(separator: " ") + "</nav></header>"
        if d.run != nil || d.study != nil { body += scorecard(d) }
        if let run = d.run {
            // Beside a study, these sections show its deterministic run (expected availability), not a trial.
            let det = d.study != nil ? " — the deterministic run" : ""
            if d.study != nil {
                body += "<p class=\"banner\">The scorecard and the loss-of-load section give the Monte Carlo study's figures. The network, dispatch, duration, storage, fuel and TOU sections show the deterministic run at expected availability, which sheds \(Format.number(run.summary.national.unservedMWh)) MWh where the trial years average \(Format.number(d.study!.estimate("eue")?.mean ?? .nan)) MWh.</p>"
            }
            body += section("network", "Regions and 500 kV corridors" + det, [regionDiagram(run)])
            body += section("dispatch", "Dispatch in each region's peak week" + det, run.peakWeeks.enumerated().map { peakWeek($1, index: $0) })
            body += section("duration", "Duration curves" + det, [netLoadDuration(run), corridorDuration(run)].compactMap { $0 })
            body += section("storage", "Storage and reservoirs" + det, storageCharts(run) + [hydroChart(run)].compactMap { $0 } + reservoirCharts(run))
            body += section("fuels", "Fuel stocks" + det, [fuelChart(run)].compactMap { $0 })
        }
        if d.run != nil || d.study != nil {
            body += section("shortfall", "Loss of load", [shortfallHeatMap(d), unservedDistribution(d)].compactMap { $0 })
        }
        if let run = d.run { body += section("tou", "Time-of-use pricing" + (d.study != nil ? " — the deterministic run" : ""), [touChart(run)]) }
        if let sweep = d.sweep { body += section("sweep", "Sweep", sweepCharts(sweep)) }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>r70 · \(SVG.escape(d.scenario))</title><style>\(css)</style></head>
        <body>\(body)<footer>Drawn by r70 \(SVG.escape(d.r70Version)) from its own results; nothing in this file is fetched from the network.</footer></body></html>

        """
    }

    static func sectionLinks(_ d: Dashboard) -> [(String, String)] {
        var links: [(String, String)] = []
        if d.run != nil || d.study != nil { links.append(("targets", "Targets")) }
        if d.run != nil { links += [("network", "Network"), ("dispatch", "Dispatch"), ("duration", "Duration curves"), ("storage", "Storage"), ("fuels", "Fuels")] }
        if d.run != nil || d.study != nil { links.append(("shortfall", "Loss of load")) }
        if d.run != nil { links.append(("tou", "TOU")) }
        if d.sweep != nil { links.append(("sweep", "Sweep")) }
        return links
    }

    static func section(_ id: String, _ title: String, _ figures: [Figure]) -> String {
        "<section id=\"\(id)\"><h2>\(SVG.escape(title))</h2><div class=\"grid\">" + figures.map { $0.html() }.joined() + "</div></section>"
    }

    // MARK: Targets

    static func targetTitle(_ name: String) -> String {
        switch name {
        case "reserve_margin": return "Planning reserve margin"
        case "loss_rate": return "Loss rate"
        case "lole": return "Loss-of-load expectation"
        case "eue": return "Unserved energy"
        case "clean_share": return "Clean share of generation"
        case "emissions": return "CO₂ emissions"
        default: return name
        }
    }

    /// A value in the unit a card uses for values up to `magnitude` (one unit per card: the mean and its
    /// interval read alike).
    static func show(_ v: Double, _ unit: String, magnitude: Double? = nil) -> String {
        let m = magnitude ?? abs(v)
        switch unit {
        case "fraction": return Format.percent(v, decimals: 1)
        case "t": return Format.number(v / 1e6, decimals: 1) + " Mt"
        case "MWh": return m >= 1e5 ? Format.number(v / 1e3, decimals: 0) + " GWh" : Format.number(v, decimals: 0) + " MWh"
        case "MW": return Format.number(v, decimals: 0) + " MW"
        case "h": return Format.number(v, decimals: 1) + " h"
        case "days": return Format.number(v, decimals: 1) + " days"
        default: return Format.number(v, decimals: 2) + " " + unit
        }
    }

    static func scorecard(_ d: Dashboard) -> String {
        let targets = d.studyTargets ?? d.run?.targets ?? []
        var cards = ""
        for t in targets {
            let status = t.passed ? "holds" : "fails"
            cards += "<div class=\"score \(status)\"><h3>\(SVG.escape(targetTitle(t.name)))</h3>"
            let estimate = t.name == "reserve_margin" ? nil : d.study?.estimate(t.name)
            let m = max(abs(t.value), abs(t.threshold), abs(estimate?.upper95 ?? 0))
            cards += "<p class=\"value\">\(show(t.value, t.unit, magnitude: m))</p>"
            cards += "<p>target \(t.kind == "min" ? "≥" : "≤") \(show(t.threshold, t.unit, magnitude: m)): <strong>\(t.passed ? "✓ holds" : "✗ fails")</strong></p>"
            if let estimate {
                cards += "<p>95 % interval \(show(estimate.lower95, t.unit, magnitude: m)) – \(show(estimate.upper95, t.unit, magnitude: m))</p>"
            }
            if let p = t.probabilityHolds { cards += "<p>P(holds in a year) = \(Format.percent(p, decimals: 1))</p>" }
            cards += "</div>"
        }
        // The headline metrics that are not targets of this scenario.
        let shown = Set(targets.map(\.name))
        func metric(_ name: String, _ title: String, _ unit: String, run: Double?) {
            guard !shown.contains(name) else { return }
            if let e = d.study?.estimate(name) {
                let m = max(abs(e.mean), abs(e.upper95), abs(e.p95))
                cards += "<div class=\"score info\"><h3>\(SVG.escape(title))</h3><p class=\"value\">\(show(e.mean, unit, magnitude: m))</p>"
                cards += "<p>95 % interval \(show(e.lower95, unit, magnitude: m)) – \(show(e.upper95, unit, magnitude: m)); 95th percentile \(show(e.p95, unit, magnitude: m))</p></div>"
            } else if let v = run {
                cards += "<div class=\"score info\"><h3>\(SVG.escape(title))</h3><p class=\"value\">\(show(v, unit))</p><p>no target set</p></div>"
            }
        }
        let n = d.run?.summary.national
        metric("reserve_margin", "Planning reserve margin", "fraction", run: n?.planningReserveMargin)
        metric("lole", "Loss-of-load expectation", "h", run: n?.shortfallHours)
        metric("eue", "Unserved energy", "MWh", run: n?.unservedMWh)
        metric("largest_shortfall", "Largest shortfall in one step", "MW", run: n?.largestShortfallMW)
        metric("shortfall_days", "Days with shortfall", "days", run: n.map { Double($0.shortfallDays) })
        metric("loss_rate", "Loss rate", "fraction", run: n?.lossRate)
        metric("clean_share", "Clean share of generation", "fraction", run: n?.cleanShare)
        metric("emissions", "CO₂ emissions", "t", run: n?.emissionsT)
        let failed = targets.filter { !$0.passed }.count
        let headline = targets.isEmpty ? "The scenario sets no targets" :
            failed == 0 ? "All \(targets.count) targets hold" : "\(failed) of \(targets.count) targets fail"
        let basis = d.study != nil ? " (expected values over the trial years; the reserve margin is a planning quantity)" : " (deterministic run)"
        return "<section id=\"targets\"><h2>\(SVG.escape(headline + basis))</h2><div class=\"scores\">\(cards)</div></section>"
    }

    // MARK: Network

    static func regionDiagram(_ run: RunCharts) -> Figure {
        let regions = run.summary.regions
        let n = regions.count
        let width = 780.0, rowH = 64.0, height = 30 + rowH * Double(max(1, n))
        // Regions top to bottom in the scenario's order (north to south in the shipped scenarios), on a gentle S.
        func pos(_ i: Int) -> (Double, Double) {
            let y = 40 + Double(i) * rowH
            let x = 360 + 50 * sin(Double(i) / Double(max(1, n - 1)) * .pi * 1.5)
            return (x, y)
        }
        let index = Dictionary(uniqueKeysWithValues: regions.enumerated().map { ($1.name, $0) })
        let maxLimit = max(1, run.corridors.map { max($0.limitForwardMW, $0.limitBackwardMW) }.max() ?? 1)
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(SVG.c(width)) \(SVG.c(height))\" role=\"img\" aria-labelledby=\"network-d\"><desc id=\"network-d\">Regions with their peak demand and reserve margin, and corridors with their mean utilisation and net energy sent.</desc>"
        for (k, c) in run.corridors.enumerated() {
            guard let a = index[c.from], let b = index[c.to] else { continue }
            let (x1, y1) = pos(a), (x2, y2) = pos(b)
            let bend = abs(a - b) > 1 ? -120.0 - Double(k % 3) * 30 : 0
            let mx = (x1 + x2) / 2 + bend, my = (y1 + y2) / 2
            let u = max(0, min(1, c.utilisation))
            let colour = u > 0.7 ? "#d62728" : u > 0.4 ? "#d9822b" : "#1f5fa8"
            let w = 2 + 8 * max(c.limitForwardMW, c.limitBackwardMW) / maxLimit
            s += "<path class=\"mark\" d=\"M\(SVG.c(x1)) \(SVG.c(y1))Q\(SVG.c(mx)) \(SVG.c(my)) \(SVG.c(x2)) \(SVG.c(y2))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(SVG.c(w))\" stroke-linecap=\"round\"><title>\(SVG.escape(c.name)): mean utilisation \(Format.percent(c.utilisation)), \(Format.number(c.hoursAtLimit)) h at its limit</title></path>"
            // The net flow's direction down or up the list of regions, and its energy.
            let receiver = c.netMWh >= 0 ? b : a, sender = c.netMWh >= 0 ? a : b
            let arrow = receiver > sender ? "↓" : "↑"
            let text = "\(SVG.escape(c.name)) \(Format.percent(c.utilisation, decimals: 0)) · \(arrow) \(Format.number(abs(c.netMWh) / 1e6, decimals: 1)) TWh"
            // Neighbours' corridors are labelled to the right of their line, others left of their curve's apex.
            if bend == 0 {
                s += "<text class=\"tick\" x=\"\(SVG.c((x1 + x2) / 2 + 14))\" y=\"\(SVG.c(my + 4))\">\(text)</text>"
            } else {
                s += "<text class=\"tick\" x=\"\(SVG.c((x1 + x2) / 2 + bend / 2 - 12))\" y=\"\(SVG.c(my + 4))\" text-anchor=\"end\">\(text)</text>"
            }
        }
        for (i, r) in regions.enumerated() {
            let (x, y) = pos(i)
            let short = r.unservedMWh > 0
            s += "<circle class=\"mark\" cx=\"\(SVG.c(x))\" cy=\"\(SVG.c(y))\" r=\"20\" fill=\"\(short ? "#fbe3e3" : "#e3eefb")\" stroke=\"\(short ? "#d62728" : "#1f5fa8")\" stroke-width=\"2\"><title>\(SVG.escape(r.name))</title></circle>"
            s += "<text class=\"label\" x=\"\(SVG.c(x + 28))\" y=\"\(SVG.c(y - 4))\">\(SVG.escape(r.name))</text>"
            s += "<text class=\"tick\" x=\"\(SVG.c(x + 28))\" y=\"\(SVG.c(y + 11))\">peak \(Format.number(r.peakDemandMW)) MW · margin \(Format.percent(r.planningReserveMargin)) · unserved \(Format.number(r.unservedMWh)) MWh</text>"
        }
        s += "</svg>"
        let busiest = run.corridors.max { $0.utilisation < $1.utilisation }
        let title = busiest.map { "\($0.name) is the most used corridor: \(Format.percent($0.utilisation, decimals: 0)) of its limit on average, \(Format.number($0.hoursAtLimit)) h at the limit" }
            ?? "\(n) region\(n == 1 ? "" : "s") and no corridors"
        var table = "<table><thead><tr><th>corridor</th><th>limit, MW (→ / ←)</th><th>mean use of limit</th><th>hours at limit</th><th>net energy</th><th>losses</th></tr></thead><tbody>"
        for c in run.corridors {
            let loss = run.summary.corridors.first { $0.name == c.name }?.lossMWh ?? 0
            table += "<tr><td>\(SVG.escape(c.name)) (\(SVG.escape(c.from)) → \(SVG.escape(c.to)))</td><td>\(Format.number(c.limitForwardMW)) / \(Format.number(c.limitBackwardMW))</td>"
            table += "<td>\(Format.percent(c.utilisation, decimals: 0))</td><td>\(Format.number(c.hoursAtLimit)) h</td>"
            table += "<td>\(Format.number(abs(c.netMWh) / 1e6, decimals: 2)) TWh \(SVG.escape(c.netMWh >= 0 ? c.from + " → " + c.to : c.to + " → " + c.from))</td><td>\(Format.number(loss / 1e3)) GWh</td></tr>"
        }
        table += "</tbody></table>"
        return Figure(id: "network-map", title: title, svg: s + (run.corridors.isEmpty ? "" : table),
                      legend: [("corridor under 40 % of its limit on average", "hydro_reservoir"), ("40–70 %", "domestic_gas"), ("over 70 %", "shed")],
                      note: "The deterministic run. Line width grows with the corridor's limit, colour with its mean use of it; ↓/↑: the net flow's direction down or up the list of regions, and its energy; a red region circle has unserved energy.")
    }

    // MARK: Dispatch

    static func dayTicks(_ start: String, steps: Int, stepHours: Double) -> [(Double, String)] {
        let perDay = Int((24 / stepHours).rounded())
        let date = start.prefix(10)
        return stride(from: 0, to: steps, by: perDay).map { i in
            (Double(i), i == 0 ? String(date.dropFirst(5)) : "+\(i / perDay) d")
        }
    }

    static func peakWeek(_ w: PeakWeek, index: Int) -> Figure {
        let shed = w.supply.first { $0.colour == "shed" }?.values ?? []
        let maxShed = shed.max() ?? 0
        let title = maxShed > 0.5
            ? "\(w.region): up to \(Format.number(maxShed)) MW shed in the week of its highest hourly demand, \(Format.number(w.peakDemandMW)) MW after TOU response (\(w.peakTimestamp))"
            : "\(w.region): the week of its highest hourly demand, \(Format.number(w.peakDemandMW)) MW after TOU response (\(w.peakTimestamp)), is served in full"
        let lines = [Line(name: "demand", colour: "demand", points: w.demandMW.enumerated().map { (Double($0), $1) }, dashed: false, width: 1.6),
                     Line(name: "demand + exports + charging", colour: "demand", points: w.useMW.enumerated().map { (Double($0), $1) }, dashed: true, width: 1.2)]
        let svg = Chart.stacked(w.supply, lines: lines, id: "week\(index)",
                                description: "Hourly supply by source in \(w.region) from \(w.start), stacked, with demand as a line.",
                                xLabel: "day of the week from \(w.start) (\(w.stepHours == 1 ? "hourly" : "steps of \(Int(w.stepHours * 60)) min"))", yLabel: "MW",
                                xTicks: dayTicks(w.start, steps: w.demandMW.count, stepHours: w.stepHours))
        return Figure(id: "dispatch-\(index)", title: title, svg: svg,
                      legend: w.supply.map { ($0.name.replacingOccurrences(of: "_", with: " "), $0.colour) } + [("demand (line; dashed: with exports and charging)", "demand")])
    }

    // MARK: Duration curves

    static func netLoadDuration(_ run: RunCharts) -> Figure? {
        guard !run.netLoadDuration.isEmpty else { return nil }
        let hours = run.summary.hours
        let lines = run.netLoadDuration.map { s in
            Line(name: s.name, colour: s.colour, points: zip(run.durationPoints, s.values).map { ($0 * hours, $1) }, dashed: s.name.hasSuffix("demand"), width: s.name.hasSuffix("demand") ? 1.2 : 2)
        }
        let nets = run.netLoadDuration.filter { $0.name.hasSuffix("net load") }
        let widest = nets.max { ($0.values.first ?? 0) - ($0.values.last ?? 0) < ($1.values.first ?? 0) - ($1.values.last ?? 0) }
        let title = widest.map { s in
            "\(s.name.replacingOccurrences(of: " net load", with: "")): net load swings from \(Format.number(s.values.first ?? 0)) MW to \(Format.number(s.values.last ?? 0)) MW over the \(horizonNoun(run))"
        } ?? "Net load"
        let svg = Chart.lines(lines, id: "netload", description: "Net load (demand less available wind and solar) sorted from highest to lowest, per region; demand dashed.",
                              xLabel: "hours of the \(horizonNoun(run)) at or above the value (h)", yLabel: "MW")
        return Figure(id: "netload-duration", title: title, svg: svg,
                      legend: nets.map { ($0.name.replacingOccurrences(of: " net load", with: "") + " (solid: net load; dashed: demand)", $0.colour) })
    }

    static func corridorDuration(_ run: RunCharts) -> Figure? {
        guard !run.corridors.isEmpty else { return nil }
        let hours = run.summary.hours
        let lines = run.corridors.enumerated().map { k, c in
            Line(name: c.name, colour: "series\(k)", points: zip(run.durationPoints, c.netFlowDurationMW).map { p, v in
                let limit = v >= 0 ? c.limitForwardMW : c.limitBackwardMW
                return (p * hours, limit > 0 ? v / limit * 100 : 0)
            })
        }
        let most = run.corridors.max { $0.hoursAtLimit < $1.hoursAtLimit }!
        let title = most.hoursAtLimit > 0 ? "\(most.name) is at its limit \(Format.number(most.hoursAtLimit)) h \(perHorizon(run)), the most of any corridor" : "No corridor reaches its limit"
        let svg = Chart.lines(lines, id: "corridors", description: "Net flow over each corridor as a share of its limit in that direction, sorted from highest to lowest (positive: from → to).",
                              xLabel: "hours of the \(horizonNoun(run)) at or above the value (h)", yLabel: "net flow, % of limit (+ from → to)", extraY: [-100, 100])
        return Figure(id: "corridor-duration", title: title, svg: svg,
                      legend: run.corridors.enumerated().map { ("\($1.name) (\($1.from) → \($1.to))", "series\($0)") })
    }

    // MARK: Storage, hydro, fuels

    /// One chart per store (at most 8): each day's range of state of charge, shaded, and its mean.
    static func storageCharts(_ run: RunCharts) -> [Figure] {
        guard !run.storage.isEmpty else {
            return [Figure(id: "storage-soc", title: "The scenario has no storage", svg: "", note: "Add storage: to see its state of charge here.")]
        }
        return run.storage.prefix(8).enumerated().map { k, st in
            let days = st.dailyMean.indices.map(Double.init)
            let emptyDays = st.dailyMinimum.filter { $0 <= 0.05 + 1e-9 }.count
            let fullDays = st.dailyMaximum.filter { $0 >= 0.95 - 1e-9 }.count
            let cycles = run.summary.storage.first { $0.name == st.name }?.cycles ?? 0
            let title = "\(st.name) (\(st.region), \(Format.number(st.energyMWh)) MWh): \(Format.number(cycles, decimals: 0)) full cycles \(perHorizon(run)); at or below 5 % charge on \(emptyDays) days, at or above 95 % on \(fullDays)"
            let svg = Chart.lines([Line(name: "daily mean", colour: "storage", points: zip(days, st.dailyMean).map { ($0, $1 * 100) }, width: 1.4)],
                                  bands: [(name: "daily lowest to highest", colour: "storage", x: days, lower: st.dailyMinimum.map { $0 * 100 }, upper: st.dailyMaximum.map { $0 * 100 })],
                                  id: "soc\(k)", description: "State of charge of \(st.name) as a share of its energy capacity: each day's range (shaded) and mean (line).",
                                  xLabel: "day of the \(horizonNoun(run))", yLabel: "state of charge (% of energy)", xTicks: monthTicks(run), extraY: [0, 100])
            return Figure(id: "storage-soc-\(k)", title: title, svg: svg,
                          legend: [("daily mean (line); shaded: the day's lowest to highest", "storage")])
        }
    }

    static func monthTicks(_ run: RunCharts) -> [(Double, String)] {
        // Day of the horizon at which each month starts.
        guard let start = CivilDate(parsing: run.startDate) else { return [] }
        var ticks: [(Double, String)] = []
        let days = Int((run.summary.hours / 24).rounded(.up))
        for d in 0..<days {
            let date = start.adding(days: d)
            if date.day == 1 || d == 0 { ticks.append((Double(d), months[date.month - 1])) }
        }
        return ticks
    }

    static func hydroChart(_ run: RunCharts) -> Figure? {
        guard !run.hydroByMonthMWh.isEmpty else { return nil }
        // Months the horizon covers whole (a partial month's energy would read as a dry month).
        let whole = wholeMonths(run)
        let shown = whole.isEmpty ? Array(0..<12).filter { m in run.hydroByMonthMWh.contains { $0.values[m] > 0 } } : whole
        let lines = run.hydroByMonthMWh.map { s in Line(name: s.name, colour: s.colour, points: shown.map { (Double($0 + 1), s.values[$0] / 1000) }, width: 2) }
        var total = [Double](repeating: 0, count: 12)
        for s in run.hydroByMonthMWh { for m in 0..<12 { total[m] += s.values[m] } }
        let low = shown.min { total[$0] < total[$1] } ?? 0
        let high = shown.max { total[$0] < total[$1] } ?? 0
        let title = whole.count > 1
            ? "Hydro gives most in \(months[high]) (\(Format.number(total[high] / 1e6, decimals: 2)) TWh) and least in \(months[low]) (\(Format.number(total[low] / 1e6, decimals: 2)) TWh)"
            : "Hydro energy by month (the horizon covers \(whole.count) whole month\(whole.count == 1 ? "" : "s"))"
        let svg = Chart.lines(lines, id: "hydro", description: "Hydro energy by month and region.", xLabel: "month", yLabel: "hydro energy (GWh)",
                              xTicks: shown.map { (Double($0 + 1), months[$0]) }, yFloor: 0)
        return Figure(id: "hydro", title: title, svg: svg, legend: run.hydroByMonthMWh.map { ($0.name, $0.colour) },
                      note: "Energy generated by month. Reservoirs with levels carry water between months (their levels are charted below); those without spend each month's energy as a budget.")
    }

    /// Each reservoir's level at the end of each day, with its dead and maximum levels.
    static func reservoirCharts(_ run: RunCharts) -> [Figure] {
        (run.reservoirs ?? []).prefix(8).enumerated().map { k, res in
            let days = res.dailyLevelMWh.indices.map(Double.init)
            let summary = run.summary.reservoirs.first { $0.name == res.name }
            let lowest = res.dailyLevelMWh.indices.min { res.dailyLevelMWh[$0] < res.dailyLevelMWh[$1] } ?? 0
            var title = "\(res.name) (\(res.region)): lowest at the end of day \(lowest + 1), \(Format.number((summary?.lowestMWh ?? 0) / 1000)) GWh"
            if let summary { title += " (\(Format.percent(summary.lowestLiveFraction)) of its live storage); \(Format.number(summary.hoursAtDeadLevel)) hours at dead level" }
            let svg = Chart.lines([Line(name: "level", colour: "hydro_reservoir", points: zip(days, res.dailyLevelMWh).map { ($0, $1 / 1000) }, width: 1.6)],
                                  id: "reservoir\(k)", description: "Level of \(res.name) at the end of each day (GWh-equivalent), between its dead level and its maximum.",
                                  xLabel: "day of the \(horizonNoun(run))", yLabel: "level (GWh-equivalent)", xTicks: monthTicks(run),
                                  extraY: [res.deadMWh / 1000, res.maxMWh / 1000])
            return Figure(id: "reservoir-\(k)", title: title, svg: svg, legend: [("level at the end of each day", "hydro_reservoir")],
                          note: "Dead level \(Format.number(res.deadMWh / 1000)) GWh, maximum \(Format.number(res.maxMWh / 1000)) GWh (the axis includes both). The guide the level follows is computed on the scenario's own year (see the README, Reservoir hydro).")
        }
    }

    /// The months (0-based) that the horizon covers from their first to their last day.
    static func wholeMonths(_ run: RunCharts) -> [Int] {
        guard let start = CivilDate(parsing: run.startDate) else { return [] }
        let days = Int((run.summary.hours / 24).rounded(.down))
        var covered: [Int: Int] = [:], year: [Int: Int] = [:]
        for d in 0..<days {
            let date = start.adding(days: d)
            covered[date.month - 1, default: 0] += 1
            year[date.month - 1] = date.year
        }
        return covered.keys.sorted().filter { covered[$0]! >= CivilDate.daysIn(month: $0 + 1, year: year[$0]!) }
    }

    static func fuelChart(_ run: RunCharts) -> Figure? {
        guard !run.fuels.isEmpty else {
            return Figure(id: "fuel-stocks", title: "The scenario tracks no fuel stocks", svg: "",
                          note: "Add fuels: (stocks, deliveries, a strategic reserve) to see them here.")
        }
        // Stocks as a share of the storage capacity (of the highest stock, where the capacity is unlimited).
        func reference(_ f: FuelCharts) -> Double {
            f.storageCapacityT.isFinite && f.storageCapacityT > 0 ? f.storageCapacityT : max(1, f.dailyStockT.filter(\.isFinite).max() ?? 0, f.strategicReserveT)
        }
        var lines: [Line] = []
        for (k, f) in run.fuels.enumerated() {
            let ref = reference(f)
            lines.append(Line(name: f.name, colour: "series\(k)", points: f.dailyStockT.enumerated().map { (Double($0), $1 / ref * 100) }, width: 1.8))
            if f.strategicReserveT > 0 {
                lines.append(Line(name: f.name + " strategic floor", colour: "series\(k)", points: [(0, f.strategicReserveT / ref * 100), (Double(max(1, f.dailyStockT.count - 1)), f.strategicReserveT / ref * 100)], dashed: true, width: 1))
            }
        }
        let lowest = run.summary.fuels.min { $0.lowestStockDays < $1.lowestStockDays }
        let below = run.summary.fuels.filter { $0.strategicReserveDrawnT > 0 }.map(\.name)
        var title = lowest.map { "\($0.name) runs lowest: \(Format.number($0.lowestStockT / 1000)) kt, \(Format.number($0.lowestStockDays, decimals: 1)) days of its average burn" } ?? "Fuel stocks"
        title += below.isEmpty ? "; no fuel draws on its strategic reserve" : "; strategic reserve drawn: \(below.joined(separator: ", "))"
        let svg = Chart.lines(lines, id: "fuel", description: "Stock of each fuel at the end of each day as a share of its storage capacity; dashed: the strategic reserve floor.",
                              xLabel: "day of the \(horizonNoun(run))", yLabel: "stock (% of storage capacity)", xTicks: monthTicks(run), extraY: [0])
        let lost = run.summary.fuels.filter { $0.deliveriesLostToFullStorageT > 0 }
        return Figure(id: "fuel-stocks", title: title, svg: svg,
                      legend: run.fuels.enumerated().map { k, f in
                          let capacity = f.storageCapacityT.isFinite && f.storageCapacityT > 0 ? "\(Format.number(f.storageCapacityT / 1000)) kt storage" : "unlimited storage: % of its highest stock"
                          return ("\(f.name) (\(capacity)\(f.strategicReserveT > 0 ? "; dashed: strategic floor" : ""))", "series\(k)")
                      },
                      note: lost.isEmpty ? nil : "Cargoes lost to full storage: " + lost.map { "\($0.name) \(Format.number($0.deliveriesLostToFullStorageT / 1000)) kt" }.joined(separator: ", ") + ".")
    }

    // MARK: Loss of load

    static func shortfallHeatMap(_ d: Dashboard) -> Figure? {
        let values: [[Double]], basis: String
        if let study = d.study?.loleByMonthHour { values = study; basis = "expected hours per year over \(d.study!.trials) trial years" }
        else if let run = d.run { values = run.shortfallHoursByMonthHour; basis = "hours in the deterministic run" }
        else { return nil }
        let total = values.flatMap { $0 }.reduce(0, +)
        let byMonth = values.map { $0.reduce(0, +) }
        let byHour = (0..<24).map { h in values.reduce(0) { $0 + $1[h] } }
        let title: String
        if total > 0 {
            // The months and the hours that hold most of it (largest first, until half is covered).
            func top(_ shares: [Double], _ name: (Int) -> String) -> String {
                var picked: [Int] = [], sum = 0.0
                for i in shares.indices.sorted(by: { shares[$0] > shares[$1] }) where sum < 0.5 * total {
                    picked.append(i); sum += shares[i]
                }
                return picked.sorted().map(name).joined(separator: ", ") + " (\(Format.percent(sum / total, decimals: 0)))"
            }
            title = "Loss of load (\(Format.number(total, decimals: 1)) h): most falls in \(top(byMonth) { months[$0] }) and at \(top(byHour) { String(format: "%02d:00", $0) })"
        } else {
            title = "No loss of load in any month or hour"
        }
        let svg = Chart.heatMap(values, rowLabels: months, columnLabels: (0..<24).map { String(format: "%02d", $0) }, id: "lol",
                                description: "Hours with shed load by month and hour of the day (\(basis)).", xLabel: "hour of the day",
                                yLabel: "month", unit: "h")
        return Figure(id: "lol-heatmap", title: title, svg: svg, note: "Colour: \(basis).")
    }

    static func unservedDistribution(_ d: Dashboard) -> Figure? {
        guard let study = d.study, let i = study.definitions.firstIndex(where: { $0.name == "eue" }) else {
            return Figure(id: "eue-distribution", title: "The distribution of unserved energy across years needs a Monte Carlo study", svg: "",
                          note: "Run with --trials N (e.g. r70 run FILE --trials 1000 --html report.html) to see it.")
        }
        let acc = study.accumulators[i]
        let e = study.estimate(i)
        let hist = acc.histogram
        let zero = hist.filter { $0.value == 0 }.reduce(0) { $0 + $1.count }
        let values = hist.map(\.value)
        let lo = min(0, values.min() ?? 0), hi = max(values.max() ?? 1, 1)
        let binCount = 30
        let width = (hi - lo) / Double(binCount)
        var counts = [Int](repeating: 0, count: binCount)
        for (v, c) in hist { counts[min(binCount - 1, max(0, Int((v - lo) / width)))] += c }
        let n = Double(max(1, acc.count))
        let (scale, unit) = SVG.display("MWh", magnitude: hi)
        let bins = (0..<binCount).map { (lo + Double($0) * width, lo + Double($0 + 1) * width, Double(counts[$0]) / n) }
            .map { (lo: $0.0 * scale, hi: $0.1 * scale, share: $0.2) }
        let title = "Unserved energy: mean \(SVG.short(e.mean * scale)) \(unit) a trial year, 95th percentile \(SVG.short(e.p95 * scale)) \(unit); \(Format.percent(Double(zero) / n, decimals: 0)) of trial years shed nothing"
        let svg = Chart.histogram(bins, id: "eue", description: "Distribution of annual unserved energy over the trial years.", xLabel: "unserved energy in a trial year (\(unit))",
                                  markers: [(e.mean * scale, "mean"), (e.p95 * scale, "p95")])
        return Figure(id: "eue-distribution", title: title, svg: svg,
                      note: "From r70's exact log-linear sketch of the \(acc.count) trial values (bucket width ≤ \(Format.number(Accumulator.relativeAccuracy * 100, decimals: 3)) % of the value).")
    }

    // MARK: TOU

    static func touChart(_ run: RunCharts) -> Figure {
        let before = run.averageDayBeforeTOUMW, after = run.averageDayAfterTOUMW
        let peakBefore = before.max() ?? 0, peakAfter = after.max() ?? 0
        let title = run.touShiftedMWh > 0
            ? "TOU pricing lowers the average day's peak by \(Format.number(peakBefore - peakAfter)) MW (\(Format.percent(peakBefore > 0 ? (peakBefore - peakAfter) / peakBefore : 0))), moving \(Format.number(run.touShiftedMWh / 1e3)) GWh \(perHorizon(run))"
            : "No TOU response in this scenario: the load curve is unchanged"
        let svg = Chart.lines([Line(name: "before TOU response", colour: "before", points: before.enumerated().map { (Double($0), $1) }, dashed: true, width: 1.6),
                               Line(name: "after TOU response", colour: "after", points: after.enumerated().map { (Double($0), $1) }, width: 2)],
                              id: "tou", description: "National demand on the average day, before and after the TOU response.", xLabel: "hour of the day",
                              yLabel: "national demand (MW)", xTicks: stride(from: 0, to: 24, by: 3).map { (Double($0), String(format: "%02d", $0)) })
        return Figure(id: "tou-effect", title: title, svg: svg, legend: [("before TOU response (dashed)", "before"), ("after", "after")])
    }

    // MARK: Sweeps

    static func sweepCharts(_ s: SweepCharts) -> [Figure] {
        var figures: [Figure] = []
        let numeric = s.axes.indices.map { j in s.points.allSatisfy { Double($0[j]) != nil } }
        func axisTitle(_ j: Int) -> String { s.axes[j] + (SVG.unit(ofKey: s.axes[j]).map { " (\($0))" } ?? "") }
        let chosen = s.metrics.filter { m in m.mean.contains { $0 != nil } }
        for (mi, m) in chosen.enumerated() {
            // Shown in a readable unit (%, GWh, Mt, M$ …); a quantity never below 0 keeps its intervals above 0.
            let magnitude = m.mean.compactMap { $0.map(abs) }.max() ?? 0
            let (scale, unit) = SVG.display(m.unit, magnitude: magnitude)
            let nonNegative = m.mean.allSatisfy { ($0 ?? 0) >= 0 }
            let yTitle = "\(m.metric) (\(unit))"
            for (j, axis) in s.axes.enumerated() where numeric[j] {
                var lines: [(name: String, colour: String, points: [(x: Double, y: Double, se: Double?)])] = []
                if s.latinHypercube || s.axes.count == 1 {
                    // Every point on its own (in a Latin hypercube the other axes vary too: no lines to join).
                    let points = s.points.indices.compactMap { p in m.mean[p].map { (x: Double(s.points[p][j])!, y: $0 * scale, se: m.standardError[p].map { $0 * scale }) } }
                    lines.append((name: m.metric, colour: "series0", points: points))
                } else {
                    // One line per combination of the other axes' values.
                    var groups: [String: [(x: Double, y: Double, se: Double?)]] = [:], order: [String] = []
                    for (p, point) in s.points.enumerated() {
                        guard let y = m.mean[p] else { continue }
                        let key = point.enumerated().filter { $0.offset != j }.map { "\(s.axes[$0.offset]) = \($0.element)" }.joined(separator: ", ")
                        if groups[key] == nil { order.append(key) }
                        groups[key, default: []].append((Double(point[j])!, y * scale, m.standardError[p].map { $0 * scale }))
                    }
                    lines = order.enumerated().map { (name: $1, colour: "series\($0)", points: groups[$1]!) }
                }
                let all = lines.flatMap(\.points)
                guard let lowX = all.map(\.x).min(), let highX = all.map(\.x).max() else { continue }
                let title: String
                if s.latinHypercube {
                    title = "\(m.metric) against \(axis) over \(all.count) points of a Latin hypercube (the other axes vary too, so read trends with care)"
                } else {
                    // The trend: the mean over the other axes' values at this axis's lowest and highest value.
                    func meanAt(_ x: Double) -> Double { let ys = all.filter { $0.x == x }.map(\.y); return ys.reduce(0, +) / Double(ys.count) }
                    let (low, high) = (SVG.short(meanAt(lowX)), SVG.short(meanAt(highX)))
                    let across = lines.count > 1 ? " (mean over the other axes)" : ""
                    title = low == high
                        ? "\(m.metric) stays at about \(low) \(unit) as \(axis) goes from \(SVG.short(lowX)) to \(SVG.short(highX))\(across)"
                        : "\(m.metric) \(meanAt(highX) > meanAt(lowX) ? "rises" : "falls") from \(low) to \(high) \(unit) as \(axis) goes from \(SVG.short(lowX)) to \(SVG.short(highX))\(across)"
                }
                let svg = Chart.errorBars(lines, id: "sweep\(mi)-\(j)", description: "\(m.metric) (\(unit)) at each point of the sweep against \(axis), with 95 % intervals.",
                                          xLabel: axisTitle(j), yLabel: yTitle, clipAtZero: nonNegative, connect: !s.latinHypercube || s.axes.count == 1)
                figures.append(Figure(id: "sweep-\(mi)-\(j)", title: title, svg: svg,
                                      legend: lines.count > 1 ? lines.map { ($0.name, $0.colour) } : [],
                                      note: s.trials > 0 ? "Bars: 95 % intervals (±1.96 standard errors, \(s.trials) trial years per point)." : "Deterministic points (no intervals)."))
            }
            // Two numeric axes on a grid: a heat map as well.
            if s.axes.count == 2, numeric[0], numeric[1], !s.latinHypercube {
                let xs = Array(Set(s.points.map { Double($0[0])! })).sorted(), ys = Array(Set(s.points.map { Double($0[1])! })).sorted()
                if xs.count * ys.count == s.points.count, xs.count > 1, ys.count > 1 {
                    var grid = Array(repeating: [Double](repeating: .nan, count: xs.count), count: ys.count)
                    var best: (Double, Int)? = nil, worst: (Double, Int)? = nil
                    for (p, point) in s.points.enumerated() {
                        guard let v = m.mean[p] else { continue }
                        grid[ys.firstIndex(of: Double(point[1])!)!][xs.firstIndex(of: Double(point[0])!)!] = v * scale
                        if best == nil || v < best!.0 { best = (v, p) }
                        if worst == nil || v > worst!.0 { worst = (v, p) }
                    }
                    let svg = Chart.heatMap(grid.reversed(), rowLabels: ys.reversed().map(SVG.short), columnLabels: xs.map(SVG.short), id: "sweepheat\(mi)",
                                            description: "\(m.metric) over the grid of \(s.axes[0]) and \(s.axes[1]).", xLabel: axisTitle(0), yLabel: axisTitle(1), unit: unit)
                    func at(_ p: Int) -> String { "\(s.axes[0]) = \(s.points[p][0]), \(s.axes[1]) = \(s.points[p][1])" }
                    let title = best.map { b in "\(m.metric): lowest \(SVG.short(b.0 * scale)) \(unit) at \(at(b.1)); highest \(SVG.short(worst!.0 * scale)) \(unit) at \(at(worst!.1))" } ?? m.metric
                    figures.append(Figure(id: "sweep-heat-\(mi)", title: title, svg: svg))
                }
            }
        }
        if figures.isEmpty {
            figures.append(Figure(id: "sweep-empty", title: "No numeric axis or finished point to draw", svg: "",
                                  note: "The sweep's points: \(s.points.count); axes: \(s.axes.joined(separator: ", "))."))
        }
        return figures
    }

    static let css = """
    :root{--ink:#1a1a1a;--muted:#4d4d4d;--line:#d0d0d0;--ok:#1b6e3a;--bad:#b3261e}
    *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#fafafa}
    header,section,footer{max-width:1400px;margin:0 auto;padding:12px 16px}h1{margin:8px 0 2px;font-size:1.6em}h2{font-size:1.25em;margin:18px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
    h3{font-size:1em;margin:0 0 6px}nav a{margin-right:12px;color:#0b4f9c}p{margin:4px 0}.note{color:var(--muted);font-size:.9em}
    .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,560px),1fr));gap:14px}
    .card{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px;break-inside:avoid;page-break-inside:avoid}
    .chart{width:100%;max-width:820px;height:auto;display:block;margin:0 auto}.card{overflow-x:auto}
    .banner{background:#fff8e1;border:1px solid #e0c97a;border-radius:6px;padding:8px 12px;max-width:1368px;margin:8px auto}
    @media (max-width:640px){.chart{min-width:520px}body{font-size:14px}}.chart text{font-family:inherit;fill:var(--ink)}.tick{font-size:11px}.axis-title{font-size:12px;font-weight:600}.label{font-size:13px;font-weight:600}
    .chart .gridline{stroke:#e6e6e6}.chart .axis{stroke:#555}
    .legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.85em;margin-top:6px}.legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px;border:1px solid #777}
    .scores{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,220px),1fr));gap:10px}
    .score{background:#fff;border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;padding:10px;break-inside:avoid}
    .score.holds{border-left-color:var(--ok)}.score.holds strong{color:var(--ok)}.score.fails{border-left-color:var(--bad)}.score.fails strong{color:var(--bad)}
    .value{font-size:1.5em;font-weight:700}
    footer{color:var(--muted);font-size:.85em}
    table{border-collapse:collapse;font-size:.85em;margin:8px auto;max-width:100%;display:block;overflow-x:auto}th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:right}th:first-child,td:first-child{text-align:left}
    @media print{body{background:#fff}.grid{display:block}.card{margin-bottom:12px}nav{display:none}}
    """
}
